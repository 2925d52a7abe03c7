"""POST /v1/check/page and GET /v1/evidence/{sha256}."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator

import pytest

from qalxan.api import create_app
from qalxan.api.auth import Principal
from qalxan.settings import Settings
from qalxan.store import Store

from .support import LocalServer, read_page

with warnings.catch_warnings():
    # Starlette deprecates its httpx-based test client in favour of a package not installed
    # here; the client still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

KEYS = {
    "analyst-key": Principal("k1", "analyst", frozenset({"analyst"})),
    "bank-key": Principal("k2", "bank", frozenset({"bank"})),
    "isp-key": Principal("k3", "isp", frozenset({"isp"})),
}


@pytest.fixture
def client(page_settings: Settings) -> Iterator[TestClient]:
    store = Store(page_settings.database_url)
    store.migrate()
    app = create_app(page_settings, store=store)
    app.state.key_resolver = KEYS.get
    with TestClient(app) as c:
        yield c
    store.dispose()


def test_check_page_by_html(client: TestClient) -> None:
    html = read_page("benefit_500.html")
    resp = client.post(
        "/v1/check/page",
        json={"html": html, "url": "https://e-gov-muavinet.xyz/", "lang": "az"},
        headers={"X-API-Key": "bank-key"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["kind"] == "page" and body["verdict"] == "malicious" and body["brand"] == "egov"
    assert any("müavinət" in r["message"] for r in body["reasons"])  # lang=az
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    assert body["evidence"][0]["sha256"] == digest
    got = client.get(f"/v1/evidence/{digest}", headers={"X-API-Key": "analyst-key"})
    assert got.status_code == 200
    assert got.content == html.encode("utf-8")
    assert got.headers["content-type"].startswith("text/plain")  # never rendered as HTML
    assert got.headers["x-evidence-kind"] == "html"


def test_check_page_by_url(client: TestClient, server: LocalServer) -> None:
    server.page("/", read_page("kapital_login.html"))
    resp = client.post(
        "/v1/check/page", json={"url": server.url("/")}, headers={"X-API-Key": "isp-key"}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["verdict"] == "malicious" and body["brand"] == "kapitalbank"
    assert {e["kind"] for e in body["evidence"]} == {"html", "headers"}


def test_ssrf_target_is_refused(client: TestClient) -> None:
    resp = client.post(
        "/v1/check/page",
        json={"url": "http://169.254.169.254/latest/meta-data/"},
        headers={"X-API-Key": "analyst-key"},
    )
    assert resp.status_code == 400
    assert "metadata" in resp.json()["error"]["message"]


def test_auth_and_scopes(client: TestClient) -> None:
    body = {"html": "<p>x</p>"}
    assert client.post("/v1/check/page", json=body).status_code == 401
    assert client.get("/v1/evidence/" + "0" * 64).status_code == 401
    denied = client.get("/v1/evidence/" + "0" * 64, headers={"X-API-Key": "bank-key"})
    assert denied.status_code == 403
    missing = client.get("/v1/evidence/" + "0" * 64, headers={"X-API-Key": "analyst-key"})
    assert missing.status_code == 404


def test_body_is_validated(client: TestClient) -> None:
    resp = client.post("/v1/check/page", json={}, headers={"X-API-Key": "analyst-key"})
    assert resp.status_code == 422
    resp = client.post(
        "/v1/check/page", json={"html": "x", "extra": 1}, headers={"X-API-Key": "analyst-key"}
    )
    assert resp.status_code == 422
