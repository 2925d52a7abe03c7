"""Optional rendering in headless Chromium (Debian's ``chromium``, driven by Playwright).

The browser never reaches the network itself: every request it makes is intercepted. The
main document is answered with the HTML the safe fetcher already brought back; every other
request (images, scripts, frames, script navigations) goes through the same
:class:`SafeFetcher`, so it is vetted and pinned like the page was. Requests that cannot be
intercepted (WebSocket) hit a dead proxy, and the browser's own resolver answers nothing.

Without chromium or Playwright, :func:`render_page` raises :class:`RenderError` with the
reason, and callers go on with static analysis only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qalxan.domain.errors import FetchError
from qalxan.fetch.fetcher import FetchResult, SafeFetcher

if TYPE_CHECKING:
    from qalxan.settings import Settings

__all__ = ["CHROMIUM_FLAGS", "RenderError", "Rendered", "render_page"]

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Nothing may leave the browser except through our interception:
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
)


class RenderError(FetchError):
    """Rendering was not possible (no chromium, no Playwright, browser failure)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the browser showed: the DOM after scripts, a PNG screenshot, sub-requests made."""

    dom: str
    screenshot: bytes
    requests: int
    refused: int


def _headers(result: FetchResult) -> dict[str, str]:
    return {"content-type": result.content_type or "text/html; charset=utf-8"}


def render_page(result: FetchResult, fetcher: SafeFetcher, settings: Settings) -> Rendered:
    """Render a fetched page; raise :class:`RenderError` when it cannot be done."""
    exe = settings.render_chromium_path
    if not exe.is_file():
        raise RenderError(f"chromium is not installed at {exe}")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RenderError("playwright is not installed (pip install 'qalxan[browser]')") from None
    state = {"main": False, "requests": 0, "refused": 0}

    def handle(route: Any) -> None:
        req = route.request
        if not state["main"] and req.is_navigation_request():
            state["main"] = True
            route.fulfill(status=result.status, headers=_headers(result), body=result.body)
            return
        if req.url.startswith(("data:", "blob:")):
            route.continue_()
            return
        if req.method != "GET" or state["requests"] >= settings.render_max_requests:
            state["refused"] += 1
            route.abort()
            return
        state["requests"] += 1
        try:
            sub = fetcher.fetch(req.url)
        except FetchError:
            state["refused"] += 1
            route.abort()
            return
        route.fulfill(status=sub.status, headers=_headers(sub), body=sub.body)

    timeout_ms = settings.render_timeout_s * 1000
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(exe), args=list(CHROMIUM_FLAGS), timeout=timeout_ms
            )
            try:
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, service_workers="block"
                )
                page = context.new_page()
                page.route("**/*", handle)
                page.goto(result.final_url, wait_until="load", timeout=timeout_ms)
                dom = page.content()
                shot = page.screenshot(type="png", timeout=timeout_ms)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise RenderError(f"browser failed: {str(exc).splitlines()[0][:200]}") from None
    return Rendered(dom, shot, int(state["requests"]), int(state["refused"]))
