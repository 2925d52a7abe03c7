"""Health, OpenAPI, brands and keys routes: edits are validated, audited and seen at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qalxan.api import create_app
from qalxan.data import load_brands
from qalxan.service.bootstrap import prepare
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.brands import BrandStore

NEW_BRAND: dict[str, Any] = {
    "id": "birbankcashback",
    "name": "Birbank Cashback",
    "category": "payment",
    "names": {"az": ["Birbank Cashback"], "en": ["Birbank Cashback"]},
    "keywords": ["birbankcashback"],
    "domains": ["Cashback.Birbank[.]AZ"],
    "sender_ids": ["BirCashback"],
    "phones": ["012 498 12 34"],
    "short_codes": ["1960"],
}


def _auth(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    assert "/v1/brands" in schema["paths"] and "/v1/brands/{brand_id}" in schema["paths"]
    assert schema["paths"]["/v1/brands"]["get"]["x-qalxan-public"] is True


def test_brands_are_public_and_come_from_the_store(client: TestClient) -> None:
    brands = client.get("/v1/brands").json()["brands"]
    assert len(brands) == len(load_brands())
    kapital = client.get("/v1/brands/kapitalbank").json()
    assert "kapitalbank.az" in kapital["domains"]
    assert client.get("/v1/brands", params={"category": "operator"}).json()["brands"]
    missing = client.get("/v1/brands/nope")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found"


def test_analyst_adds_and_edits_a_brand(
    app: FastAPI, client: TestClient, tokens: dict[str, str], prepared: Store, settings: Settings
) -> None:
    resp = client.post("/v1/brands", json=NEW_BRAND, headers=_auth(tokens["analyst"]))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["domains"] == ["cashback.birbank.az"] and body["phones"] == ["+994124981234"]
    assert body["source"] == "analyst" and body["updated_by"].startswith("key:")
    assert app.state.engine.brands.get("birbankcashback") is not None  # detectors see it
    again = client.post("/v1/brands", json=NEW_BRAND, headers=_auth(tokens["analyst"]))
    assert again.status_code == 409

    edit = {k: v for k, v in NEW_BRAND.items() if k != "id"} | {"unverified": True}
    resp = client.put("/v1/brands/kapitalbank", json=edit, headers=_auth(tokens["analyst"]))
    assert resp.status_code == 200, resp.text
    assert client.get("/v1/brands/kapitalbank").json()["name"] == "Birbank Cashback"
    assert app.state.engine.brands.get("kapitalbank").unverified is True
    missing = client.put("/v1/brands/nope", json=edit, headers=_auth(tokens["analyst"]))
    assert missing.status_code == 404

    audit = client.get(
        "/v1/audit", params={"object_type": "brand"}, headers=_auth(tokens["analyst"])
    )
    entries = audit.json()["entries"]
    assert [(e["action"], e["object_id"]) for e in entries] == [
        ("brand.update", "kapitalbank"),
        ("brand.create", "birbankcashback"),
    ]
    assert "name" in entries[0]["summary"]["changed"]

    # The edit survives a restart and a re-seed.
    prepare(settings, prepared)
    fresh = create_app(settings, store=prepared)
    assert fresh.state.engine.brands.get("kapitalbank").name == "Birbank Cashback"
    assert BrandStore(prepared).count() == len(load_brands()) + 1


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"domains": ["not a domain"]}, "domains.0", "not a valid host name"),
        ({"domains": ["ok.az", "1.2.3.4"]}, "domains.1", "a domain name, not an IP address"),
        ({"phones": ["12"]}, "phones.0", "not a phone number"),
        ({"sender_ids": ["WayTooLongSender"]}, "sender_ids.0", "at most 11 characters"),
        ({"short_codes": ["12a"]}, "short_codes.0", "a short code has 3 to 6 digits"),
        ({"category": "casino"}, "category", "unknown category"),
        ({"names": {"de": ["x"]}}, "names.de", "languages are az, ru and en"),
        ({"keywords": ["two words"]}, "keywords.0", "without spaces"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"name": 5}, "name", "Input should be a valid string"),
        ({"id": "Bad Id"}, "id", "String should match pattern"),
        ({"domains": "kapitalbank.az"}, "domains", "Input should be a valid list"),
    ],
)
def test_bad_input_is_422_naming_field_and_reason(
    client: TestClient, tokens: dict[str, str], change: dict[str, Any], field: str, reason: str
) -> None:
    resp = client.post("/v1/brands", json=NEW_BRAND | change, headers=_auth(tokens["analyst"]))
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["field"] == field and reason in error["reason"], error


def test_missing_body_and_bad_json_are_422(client: TestClient, tokens: dict[str, str]) -> None:
    resp = client.post("/v1/brands", headers=_auth(tokens["analyst"]))
    assert resp.status_code == 422 and resp.json()["error"]["field"]
    resp = client.post(
        "/v1/brands",
        content=b"{not json",
        headers=_auth(tokens["analyst"]) | {"content-type": "application/json"},
    )
    assert resp.status_code == 422 and resp.json()["error"]["reason"]


def test_wrong_scope_cannot_edit(client: TestClient, tokens: dict[str, str]) -> None:
    for scope in ("operator", "bank", "isp"):
        resp = client.post("/v1/brands", json=NEW_BRAND, headers=_auth(tokens[scope]))
        assert resp.status_code == 403
    assert client.post("/v1/brands", json=NEW_BRAND).status_code == 401


def test_keys_api(client: TestClient, tokens: dict[str, str]) -> None:
    analyst = _auth(tokens["analyst"])
    resp = client.post("/v1/keys", json={"name": "bank-x", "scopes": ["bank"]}, headers=analyst)
    assert resp.status_code == 201
    new = resp.json()
    token = new.pop("token")
    listed = client.get("/v1/keys", headers=analyst).json()["keys"]
    assert new in listed and token not in str(listed)
    bad = client.post("/v1/keys", json={"name": "x", "scopes": ["root"]}, headers=analyst)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "scopes.0"
    # the new key works (403, not 401, on an analyst route), then stops working when revoked
    assert client.get("/v1/keys", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.delete(f"/v1/keys/{new['id']}", headers=analyst).json()["revoked_at"]
    assert client.get("/v1/keys", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.delete("/v1/keys/missing", headers=analyst).status_code == 404
    actions = [
        e["action"]
        for e in client.get("/v1/audit", params={"object_type": "api_key"}, headers=analyst).json()[
            "entries"
        ]
    ]
    assert actions[:2] == ["key.revoke", "key.create"]


def test_app_on_unmigrated_store_falls_back_to_seed(settings: Settings) -> None:
    app = create_app(settings)
    assert len(app.state.engine.brands) == len(load_brands())
    with TestClient(app) as client:
        assert client.get("/v1/brands/kapitalbank").status_code == 200
        assert client.get("/v1/keys", headers={"X-API-Key": "qx_x"}).status_code == 401


def test_brand_edit_on_both_backends(store: Store) -> None:
    from qalxan.store.keys import KeyStore

    settings = Settings(database_url=store.url)
    prepare(settings, store)
    _, token = KeyStore(store).create("analyst", ["analyst"], actor="test")
    with TestClient(create_app(settings, store=store)) as client:
        resp = client.post("/v1/brands", json=NEW_BRAND, headers=_auth(token))
        assert resp.status_code == 201, resp.text
        assert client.get("/v1/brands/birbankcashback").json()["domains"] == ["cashback.birbank.az"]
    assert create_app(settings, store=store).state.engine.brands.get("birbankcashback")
