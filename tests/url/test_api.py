"""Routes: POST /v1/check/url and /v1/check/domain (public, rate-limited), /v1/check/urls
(partners with an API key)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qalxan.api.app import create_app
from qalxan.api.auth import Principal
from qalxan.service import Engine
from qalxan.settings import Settings

with warnings.catch_warnings():
    # starlette warns (at import) that its test client wants the httpx2 package
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

KEYS = {
    "bank-key": Principal("k1", "bank", frozenset({"bank"})),
    "citizen-key": Principal("k2", "nobody", frozenset()),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, url_engine: Engine) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("api")
    cfg = Settings(
        database_url=f"sqlite:///{tmp / 'q.db'}", var_dir=tmp, rate_limit_per_minute=10_000
    )
    app = create_app(cfg, engine=url_engine)
    app.state.key_resolver = KEYS.get
    with TestClient(app) as c:
        yield c


def test_check_url(client: TestClient) -> None:
    r = client.post("/v1/check/url", json={"url": "http://kapitalbank-login.com/", "lang": "ru"})
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"] == "malicious" and body["brand"] == "kapitalbank"
    # the lookalike reason names the brand (the model reason may outweigh it and come first)
    messages = [reason["message"] for reason in body["reasons"]]
    assert any("Капитал" in m or "kapitalbank" in m for m in messages)


def test_check_url_bad_input_is_422(client: TestClient) -> None:
    r = client.post("/v1/check/url", json={"url": "javascript:alert(1)"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "url"
    assert client.post("/v1/check/url", json={}).status_code == 422
    assert client.post("/v1/check/url", json={"url": "x", "lang": "de"}).status_code == 422
    assert client.post("/v1/check/url", json={"url": "a" * 10_000}).status_code == 422


def test_check_domain(client: TestClient) -> None:
    r = client.post("/v1/check/domain", json={"domain": "kapital.bank.az"})
    assert r.status_code == 200
    assert r.json()["imitates"][0]["detail"] == "dot insertion"
    assert client.post("/v1/check/domain", json={"domain": "http://x"}).status_code == 422


def test_batch_needs_a_partner_key(client: TestClient) -> None:
    body = {"urls": ["kapitalbank.az"]}
    assert client.post("/v1/check/urls", json=body).status_code == 401
    assert (
        client.post("/v1/check/urls", json=body, headers={"X-API-Key": "citizen-key"}).status_code
        == 403
    )


def test_batch_keeps_order_and_reports_errors(client: TestClient) -> None:
    urls = ["kapitalbank.az", "javascript:x", "kapitalbnak.az", ""]
    r = client.post("/v1/check/urls", json={"urls": urls}, headers={"X-API-Key": "bank-key"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x.get("verdict") for x in results] == ["benign", None, "malicious", None]
    assert results[1]["index"] == 1 and results[1]["error"]["field"] == "url"


def test_batch_limit(client: TestClient) -> None:
    headers = {"X-API-Key": "bank-key"}
    ok = client.post("/v1/check/urls", json={"urls": ["example.com"] * 1000}, headers=headers)
    assert ok.status_code == 200 and ok.json()["count"] == 1000
    too_many = client.post("/v1/check/urls", json={"urls": ["example.com"] * 1001}, headers=headers)
    assert too_many.status_code == 422


def test_public_routes_are_rate_limited(
    tmp_path_factory: pytest.TempPathFactory, url_engine: Engine
) -> None:
    tmp = tmp_path_factory.mktemp("rl")
    cfg = Settings(database_url=f"sqlite:///{tmp / 'q.db'}", var_dir=tmp, rate_limit_per_minute=2)
    with TestClient(create_app(cfg, engine=url_engine)) as c:
        codes = [c.post("/v1/check/url", json={"url": "example.com"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.text(max_size=60))
def test_fuzz_route(client: TestClient, url: str) -> None:
    r = client.post("/v1/check/url", json={"url": url})
    assert r.status_code in (200, 422)
