"""analyze_url end to end: pages served on 127.0.0.1, evidence kept by content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qalxan.domain.errors import BlockedAddressError, NotFoundError
from qalxan.service import Engine
from qalxan.service.page import analyze_url, make_fetcher
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.evidence import EvidenceRepository

from .support import LocalServer, read_page


def test_fetched_fake_page_is_malicious_with_brand(
    server: LocalServer, page_settings: Settings
) -> None:
    server.redirect("/", "/track/91")
    server.page("/track/91", read_page("azerpost_receive.html"))
    verdict = analyze_url(Engine(page_settings), server.url("/"))
    assert verdict.verdict == "malicious" and verdict.brand == "azerpost"
    assert verdict.input == server.url("/")
    fetch = verdict.extra["fetch"]
    assert fetch["final_url"] == server.url("/track/91")
    assert [h["status"] for h in fetch["redirects"]] == [302, 200]
    assert fetch["server_ip"] == "127.0.0.1"
    assert verdict.extra["render"] == "not requested"


def test_loopback_refused_without_the_setting(server: LocalServer, tmp_path: Path) -> None:
    server.page("/", "<title>x</title>")
    engine = Engine(Settings(var_dir=tmp_path))
    with pytest.raises(BlockedAddressError):
        analyze_url(engine, server.url("/"))


def test_evidence_is_stored_by_hash_and_deduplicated(
    server: LocalServer, store: Store, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path, fetch_allow_loopback=True, database_url=store.url)
    html = read_page("kapital_login.html")
    server.page("/login", html)
    engine = Engine(settings)
    first = analyze_url(engine, server.url("/login"), store=store)
    second = analyze_url(engine, server.url("/login"), store=store)
    kinds = [e["kind"] for e in first.extra["evidence"]]
    assert kinds == ["html", "headers"]
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    assert first.extra["evidence"][0]["sha256"] == digest
    assert second.extra["evidence"][0]["sha256"] == digest
    repo = EvidenceRepository(store, tmp_path / "evidence")
    assert len(repo.find(digest)) == 2  # two observations...
    files = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    html_files = [p for p in files if p.name == digest]
    assert len(html_files) == 1  # ...one file
    record, data = repo.content(digest)
    assert data == html.encode("utf-8") and record.url == server.url("/login")
    with pytest.raises(NotFoundError):
        repo.content("0" * 64)
    with pytest.raises(NotFoundError):
        repo.content("../../etc/passwd")


def test_render_skipped_without_chromium(server: LocalServer, tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        fetch_allow_loopback=True,
        render_chromium_path=tmp_path / "no-chromium",
    )
    server.page("/", read_page("tapaz_safedeal.html"))
    verdict = analyze_url(Engine(settings), server.url("/"), render=True)
    assert verdict.extra["render"] == "skipped"
    assert "page.render.skipped" in verdict.codes
    assert verdict.verdict == "malicious"  # static analysis still works


def test_fetcher_follows_settings(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, fetch_max_bytes=123, fetch_max_redirects=3)
    fetcher = make_fetcher(settings)
    assert fetcher.max_bytes == 123 and fetcher.max_redirects == 3
    assert not fetcher.allow_loopback


def test_redirect_to_another_domain_is_noted(server: LocalServer, page_settings: Settings) -> None:
    from qalxan.fetch import SafeFetcher, StaticResolver

    resolver = StaticResolver({"short.test": ["127.0.0.1"], "landing.test": ["127.0.0.1"]})
    fetcher = SafeFetcher(resolver=resolver, allow_loopback=True)
    server.redirect("/s", f"http://landing.test:{server.port}/p")
    server.page("/p", "<title>x</title>")
    engine = Engine(page_settings)
    verdict = analyze_url(engine, f"http://short.test:{server.port}/s", fetcher=fetcher)
    assert "page.fetch.redirects" in verdict.codes
    same = analyze_url(engine, f"http://landing.test:{server.port}/p", fetcher=fetcher)
    assert "page.fetch.redirects" not in same.codes
