"""Fixtures of the page tests: a real HTTP server on 127.0.0.1, settings, an engine."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from qalxan.service import Engine
from qalxan.settings import Settings

from .support import LocalServer, Route, _Handler


@pytest.fixture
def server() -> Iterator[LocalServer]:
    routes: dict[str, Route] = {}
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Handler,), {"routes": routes, "seen": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(httpd.server_address[1], routes, seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def page_settings(tmp_path: Path) -> Settings:
    """Settings with loopback allowed (these tests serve pages on 127.0.0.1)."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'qalxan.db'}",
        var_dir=tmp_path,
        fetch_allow_loopback=True,
    )


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(Settings())
