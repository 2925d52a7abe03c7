"""Two journeys in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The server is uvicorn in this process, on a free port, over a temporary SQLite store. The
message detector is the scripted double until the real one lands; the variant with the real
detectors is skipped only while they raise ConfigError "not built yet".
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from qalxan.api import create_app
from qalxan.domain.errors import ConfigError
from qalxan.service import Engine
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.analysts import AnalystDirectory

from .support import FAKE_BUYER_SMS, KEYS, scam_message_detector, scam_url_detector

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "browser test password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, engine: Engine, store: Store, settings: Settings) -> None:
        app = create_app(settings, store=store, engine=engine)
        app.state.key_resolver = KEYS.get
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("live server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'browser.db'}",
        var_dir=tmp_path,
        reports_poll_interval_s=0.05,
    )


def _serve(tmp_path: Path, engine_setup: Any) -> Iterator[LiveServer]:
    settings = _settings(tmp_path)
    store = Store(settings.database_url)
    store.migrate()
    AnalystDirectory(store).create_user("aysel", PASSWORD)
    engine = Engine(settings)
    engine_setup(engine)
    server = LiveServer(engine, store, settings)
    try:
        yield server
    finally:
        server.stop()
        store.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


def _with_doubles(engine: Engine) -> None:
    engine.register("message", scam_message_detector())
    engine.register("url", scam_url_detector())


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    yield from _serve(tmp_path, _with_doubles)


def citizen_reports_fake_buyer_sms(browser: Any, base: str) -> str:
    """Journey 1: paste the SMS, see the Azerbaijani warning, report it. Returns the ref."""
    page = browser.new_page(java_script_enabled=False)  # the portal needs no JavaScript
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "az"
    page.fill("#q", FAKE_BUYER_SMS)
    page.click("#check-submit")
    answer = page.locator("#answer").inner_text()
    assert answer.startswith(("Təhlükəli", "Şübhəlidir")), answer
    assert page.locator("#reasons li").count() >= 1
    assert page.locator("#r-text").input_value() == FAKE_BUYER_SMS  # the report is prefilled
    page.select_option("#r-channel", "marketplace")
    page.click("#report-submit")
    page.wait_for_selector("#thanks")
    assert "Təşəkkür edirik" in page.locator("#thanks h1").inner_text()
    ref = page.locator("#report-ref").inner_text()
    page.close()
    return ref


def analyst_confirms_campaign(browser: Any, base: str, ref: str) -> None:
    """Journey 2: log in, open the campaign the report joined, confirm it."""
    from playwright.sync_api import expect

    page = browser.new_page(java_script_enabled=False)
    page.goto(base + "/analyst")
    assert page.locator("#login-form").count() == 1
    page.fill("#username", "aysel")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#queue")
    deadline = time.monotonic() + 20
    while True:  # enrichment runs in the background worker
        page.goto(f"{base}/analyst/reports/{ref}")
        if page.locator("#campaign-link").count() or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    page.click("#campaign-link")
    page.wait_for_selector("#graph")
    assert re.search(r"/analyst/campaigns/\d+$", page.url)
    assert page.locator("#graph line.edge").count() >= 1
    assert page.locator("#campaign-status").inner_text() == "open"
    page.click("#confirm")
    expect(page.locator("#campaign-status")).to_have_text("confirmed")
    page.goto(base + "/analyst/stats")
    assert page.locator("#decisions-total").inner_text() == "1"
    page.close()


def test_citizen_and_analyst_journeys(browser: Any, live: LiveServer) -> None:
    ref = citizen_reports_fake_buyer_sms(browser, live.url)
    analyst_confirms_campaign(browser, live.url, ref)


def test_journeys_with_the_real_detectors(browser: Any, tmp_path: Path) -> None:
    probe = Engine(_settings(tmp_path))
    try:
        probe.detector("message")
        probe.detector("url")
    except ConfigError as exc:
        if "not built yet" in str(exc):
            pytest.skip(f"real detector missing: {exc}")
        raise
    for server in _serve(tmp_path, lambda _engine: None):
        ref = citizen_reports_fake_buyer_sms(browser, server.url)
        analyst_confirms_campaign(browser, server.url, ref)
