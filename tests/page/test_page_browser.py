"""Rendering in real headless chromium (Debian's), of a page served on 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qalxan.fetch import SafeFetcher
from qalxan.fetch.render import render_page
from qalxan.service import Engine
from qalxan.service.page import analyze_url
from qalxan.settings import Settings
from qalxan.store import Store

from .support import LocalServer, Reply

pytestmark = pytest.mark.browser

# The card form exists only after the script runs: static analysis of the HTML misses it
# (it reads field markup and field labels that a script holds as strings, but these fields
# are defined by a JSON file the script loads from the kit's server).
SCRIPTED = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Azərpoçt</title></head>
<body><h1>Azərpoçt: Получить оплату</h1><p>Покупатель оплатил товар, ожидается оплата.</p>
<div id="app"></div><img src="/logo.png">
<script>
var form = document.createElement("form");
fetch("/f.json").then(function (r) { return r.json(); }).then(function (fields) {
  fields.forEach(function (f) {
    var field = document.createElement("input");
    field.name = f[0];
    field.placeholder = f[1];
    form.appendChild(field);
  });
  document.getElementById("app").appendChild(form);
});
fetch("http://169.254.169.254/latest/meta-data/").catch(function () {});
</script></body></html>"""
FIELDS_JSON = '[["card", "Номер карты"], ["exp", "MM/YY"], ["cvc", "CVC"]]'.encode()

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def chromium() -> Path:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian chromium is not installed (make system-deps)")
    return Path(path)


def test_render_real_chromium(server: LocalServer, chromium: Path, tmp_path: Path) -> None:
    server.page("/", SCRIPTED)
    server.routes["/logo.png"] = lambda _h: Reply(200, PNG_1PX, {"Content-Type": "image/png"})
    server.routes["/f.json"] = lambda _h: Reply(
        200, FIELDS_JSON, {"Content-Type": "application/json"}
    )
    settings = Settings(
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'q.db'}",
        fetch_allow_loopback=True,
        render_chromium_path=chromium,
    )
    fetcher = SafeFetcher(allow_loopback=True)
    rendered = render_page(fetcher.fetch(server.url("/")), fetcher, settings)
    assert rendered.screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    assert 'name="cvc"' in rendered.dom
    assert rendered.refused >= 1  # the metadata fetch from the page's script was refused
    assert "/logo.png" in [s["path"] for s in server.seen]  # went through the safe fetcher

    static = analyze_url(Engine(settings), server.url("/"))
    store = Store(settings.database_url)
    store.migrate()
    try:
        verdict = analyze_url(Engine(settings), server.url("/"), render=True, store=store)
    finally:
        store.dispose()
    assert static.verdict != "malicious"  # the form is invisible without scripts
    assert verdict.extra["render"] == "done"
    assert verdict.verdict == "malicious" and verdict.brand == "azerpost"
    kinds = {e["kind"] for e in verdict.extra["evidence"]}
    assert {"html", "headers", "dom", "screenshot"} <= kinds
