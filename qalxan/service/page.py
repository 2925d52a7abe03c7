"""Page service: build the page detector, and fetch -> (render) -> analyse -> keep evidence.

``analyze_url(engine, url, render=False, store=None)`` is what ``qalxan check page URL``,
``POST /v1/check/page`` and ``qalxan check url --fetch`` call.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from qalxan.data import read_yaml
from qalxan.detect.page import PageDetector, PageInput, PageLexicon, PageModel
from qalxan.domain.errors import ConfigError, ParseError
from qalxan.domain.url import split_domain
from qalxan.domain.verdict import Reason, Verdict
from qalxan.fetch import FetchResult, SafeFetcher
from qalxan.fetch.resolver import Resolver

if TYPE_CHECKING:
    from qalxan.service import Engine
    from qalxan.settings import Settings
    from qalxan.store import Store

__all__ = [
    "MODEL_FILE",
    "analyze_html",
    "analyze_url",
    "build",
    "load_lexicon",
    "load_model",
    "make_fetcher",
]

MODEL_FILE = "models/page/page_model.npz"


@lru_cache(maxsize=1)
def load_lexicon() -> PageLexicon:
    """The page lexicon compiled from ``data/page/*.yaml``."""
    return PageLexicon.from_documents(
        read_yaml("page/fields.yaml"),
        read_yaml("page/wording.yaml"),
        read_yaml("page/endpoints.yaml"),
        read_yaml("page/rules.yaml"),
    )


def load_model(path: Path | None = None) -> PageModel | None:
    """The page model from ``path`` or the packaged artifact (None when there is none)."""
    if path is None:
        ref = resources.files("qalxan.data").joinpath(MODEL_FILE)
        if not ref.is_file():
            return None
        with resources.as_file(ref) as real:
            return _read_model(real)
    if not path.is_file():
        raise ConfigError(f"page model {path} does not exist")
    return _read_model(path)


def _read_model(path: Path) -> PageModel:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return PageModel.from_arrays(arrays)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"page model {path} cannot be read: {exc}") from None


def build(engine: Engine) -> PageDetector:
    """Build the page detector with the engine's brands and reasons."""
    lookalike = engine.detector("url").lookalike

    @lru_cache(maxsize=4096)  # pages of one site share a host
    def imitated_by(host: str) -> str | None:
        matches = lookalike.imitations_of(host)
        return max(matches, key=lambda m: m.weight).brand if matches else None

    return PageDetector(
        brands=engine.brands,
        reasons=engine.reasons,
        lexicon=load_lexicon(),
        model=load_model(engine.settings.page_model_path),
        imitated_by=imitated_by,
    )


def make_fetcher(settings: Settings, resolver: Resolver | None = None) -> SafeFetcher:
    """A safe fetcher configured from settings (``resolver`` for tests)."""
    return SafeFetcher(
        resolver=resolver,
        allow_loopback=settings.fetch_allow_loopback,
        max_bytes=settings.fetch_max_bytes,
        timeout_s=settings.fetch_timeout_s,
        max_redirects=settings.fetch_max_redirects,
        ports=settings.fetch_ports,
        verify_tls=settings.fetch_verify_tls,
    )


def analyze_html(
    engine: Engine,
    html: str,
    url: str | None = None,
    *,
    dom: str | None = None,
    notes: tuple[Reason, ...] = (),
    extra: dict[str, Any] | None = None,
) -> Verdict:
    """Judge a page already in hand (a saved file, an API body)."""
    detector: PageDetector = engine.detector("page")
    verdict = detector.analyze(PageInput(html, url, dom=dom, notes=notes))
    if not extra:
        return verdict
    return Verdict.from_reasons(
        verdict.kind,
        verdict.input,
        verdict.reasons,
        indicators=verdict.indicators,
        brand=verdict.brand,
        extra={**verdict.extra, **extra},
    )


def _registered(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        return split_domain(host).registered or host
    except ParseError:
        return host


def _cross_domain_redirect(engine: Engine, url: str, result: FetchResult) -> Reason | None:
    """A note when redirects led to another registered domain (common in phishing chains)."""
    if len(result.chain) < 2 or _registered(url) == _registered(result.final_url):
        return None
    return engine.reasons.reason(
        "page.fetch.redirects", 0.05, str(len(result.chain) - 1), where="url"
    )


def _skipped(engine: Engine, why: str) -> Reason:
    return engine.reasons.reason("page.render.skipped", 0.0, why, where="render")


def analyze_url(
    engine: Engine,
    url: str,
    *,
    render: bool = False,
    store: Store | None = None,
    fetcher: SafeFetcher | None = None,
) -> Verdict:
    """Fetch ``url`` safely, optionally render it, judge it and store the evidence.

    Raises :class:`~qalxan.domain.errors.FetchError` (or its ``BlockedAddressError``) when the
    URL may not or cannot be fetched.
    """
    fetcher = fetcher or make_fetcher(engine.settings)
    result = fetcher.fetch(url)
    html = result.text()
    notes: list[Reason] = []
    dom: str | None = None
    screenshot: bytes | None = None
    render_state = "not requested"
    if render:
        from qalxan.fetch.render import RenderError, render_page

        try:
            rendered = render_page(result, fetcher, engine.settings)
            dom, screenshot, render_state = rendered.dom, rendered.screenshot, "done"
        except RenderError as exc:
            render_state = "skipped"
            notes.append(_skipped(engine, exc.reason))
    hop = _cross_domain_redirect(engine, url, result)
    if hop is not None:
        notes.append(hop)
    extra: dict[str, Any] = {"fetch": result.to_dict(), "render": render_state}
    verdict = analyze_html(engine, html, result.final_url, dom=dom, notes=tuple(notes), extra=extra)
    if result.final_url != url:
        verdict = _with_input(verdict, url)
    if store is not None:
        evidence = store_evidence(engine, store, result, dom=dom, screenshot=screenshot)
        verdict = _with_extra(verdict, {"evidence": evidence})
    return verdict


def store_evidence(
    engine: Engine,
    store: Store,
    result: FetchResult | None,
    *,
    html: str | None = None,
    url: str | None = None,
    dom: str | None = None,
    screenshot: bytes | None = None,
) -> list[dict[str, Any]]:
    """Keep the page's evidence (HTML, headers, certificate, DOM, screenshot) by content hash."""
    from qalxan.store.evidence import EvidenceRepository

    repo = EvidenceRepository(store, engine.settings.var_dir / "evidence")
    items: list[tuple[str, bytes, str]] = []
    where = url or (result.final_url if result else None)
    if result is not None:
        items.append(("html", result.body, "text/html"))
        meta = result.to_dict()
        items.append(
            (
                "headers",
                _json(
                    {
                        "headers": meta["headers"],
                        "redirects": meta["redirects"],
                        "status": meta["status"],
                        "server_ip": meta["server_ip"],
                    }
                ),
                "application/json",
            )
        )
        if result.certificate is not None:
            items.append(("certificate", _json(result.certificate.to_dict()), "application/json"))
    elif html is not None:
        items.append(("html", html.encode("utf-8"), "text/html"))
    if dom is not None:
        items.append(("dom", dom.encode("utf-8"), "text/html"))
    if screenshot is not None:
        items.append(("screenshot", screenshot, "image/png"))
    seen_at = result.fetched_at if result is not None else None
    return [
        repo.add(kind, data, url=where, media_type=media, fetched_at=seen_at).to_dict()
        for kind, data, media in items
    ]


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _with_input(verdict: Verdict, url: str) -> Verdict:
    return Verdict.from_reasons(
        verdict.kind,
        url,
        verdict.reasons,
        indicators=verdict.indicators,
        brand=verdict.brand,
        extra=verdict.extra,
    )


def _with_extra(verdict: Verdict, extra: dict[str, Any]) -> Verdict:
    return Verdict.from_reasons(
        verdict.kind,
        verdict.input,
        verdict.reasons,
        indicators=verdict.indicators,
        brand=verdict.brand,
        extra={**verdict.extra, **extra},
    )
