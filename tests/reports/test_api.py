"""The HTTP API of reports: intake, idempotency, bad input, partner bulk, analyst routes."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from qalxan.store.models.reports import Job, Report, ReportEmail

from .support import ANALYST_KEY, BANK_KEY, EML, FAKE_BUYER_SMS, drain

AUTH = {"X-API-Key": ANALYST_KEY}


def counts(client: TestClient) -> tuple[int, int]:
    with client.app.state.store.read() as session:  # type: ignore[attr-defined]
        reports = session.scalar(select(func.count()).select_from(Report))
        jobs = session.scalar(select(func.count()).select_from(Job))
    return int(reports or 0), int(jobs or 0)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(reports_workers=0)


def test_report_is_stored_before_the_answer_and_replayed_by_client_key(client: TestClient) -> None:
    body = {"text": FAKE_BUYER_SMS, "channel": "whatsapp", "client_key": "phone-1:msg-77"}
    first = client.post("/v1/reports", json=body)
    assert first.status_code == 202
    assert first.json()["status"] == "received"
    assert counts(client) == (1, 1)  # committed before the answer; no worker ran
    again = client.post("/v1/reports", json=body)
    assert again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/v1/reports", json={**body, "text": "different"})
    assert other.status_code == 409
    assert counts(client) == (1, 1)


def test_enrichment_stores_verdict_and_campaign(client: TestClient) -> None:
    rid = client.post("/v1/reports", json={"text": FAKE_BUYER_SMS}).json()["id"]
    assert drain(client.app) == 1  # type: ignore[arg-type]
    doc = client.get(f"/v1/reports/{rid}", headers=AUTH).json()
    assert doc["status"] == "enriched" and doc["verdict"] == "malicious"
    assert doc["scheme"] == "fake_buyer" and doc["brand"] == "azerpost"
    assert doc["verdicts"]["message"][0]["reasons"][0]["messages"]["az"]
    campaign = client.get(f"/v1/campaigns/{doc['campaign_id']}", headers=AUTH).json()
    values = {i["value"] for i in campaign["indicators"]}
    assert "azerpost-odenis.site" in values
    listing = client.get("/v1/reports", headers=AUTH).json()["reports"]
    assert listing[0]["id"] == rid and listing[0]["campaign_id"] == doc["campaign_id"]
    assert client.get("/v1/campaigns", headers=AUTH).json()["campaigns"][0]["id"] == campaign["id"]


def test_analyst_routes_need_an_analyst_key(client: TestClient) -> None:
    for path in ("/v1/reports", "/v1/campaigns", "/v1/reports/stats"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"X-API-Key": BANK_KEY}).status_code == 403
    decision = client.post("/v1/reports/x/decision", json={"decision": "confirm"})
    assert decision.status_code == 401


def test_decision_through_the_api(client: TestClient) -> None:
    rid = client.post("/v1/reports", json={"url": "https://kapital-bank.site/login"}).json()["id"]
    drain(client.app)  # type: ignore[arg-type]
    answer = client.post(
        f"/v1/reports/{rid}/decision", json={"decision": "reject", "note": "test"}, headers=AUTH
    )
    assert answer.status_code == 200 and answer.json()["analyst"] == "key:analyst-1"
    assert client.get(f"/v1/reports/{rid}", headers=AUTH).json()["decision"] == "rejected"
    stats = client.get("/v1/reports/stats", headers=AUTH).json()
    assert stats["decisions_by_verdict"]["malicious"]["reject"] == 1
    bad = client.post(f"/v1/reports/{rid}/decision", json={"decision": "maybe"}, headers=AUTH)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"text": "Kart\xfd\xfe nomresi"}', "body"),
        (b'{"text": "bad surrogate \\udcff here"}', "text"),
        (b'{"text": "nul \\u0000 byte"}', "text"),
        (b'{"description": "   "}', "report"),
        (b'{"url": "javascript:alert(1)"}', "url"),
        (b'{"phone": "12ab"}', "phone"),
        (b'{"text": "x", "channel": "pigeon"}', "channel"),
        (b'{"text": "x", "extra": 1}', "extra"),
        (b'{"eml": "not base64!!"}', "eml"),
        (b'{"text": "x"', "body"),
    ],
)
def test_bad_input_is_a_clear_422_and_stores_nothing(
    client: TestClient, body: bytes, field: str
) -> None:
    answer = client.post("/v1/reports", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert counts(client) == (0, 0)


def test_oversized_upload_is_413_and_stores_nothing(make_client: Callable[..., TestClient]) -> None:
    client = make_client(reports_workers=0, reports_max_upload_bytes=20_000)
    big = {"text": "a" * 30_000}
    answer = client.post("/v1/reports", json=big)
    assert answer.status_code == 413
    assert answer.json()["error"]["limit"] == 20_000
    eml = client.post(
        "/v1/reports/eml", files={"eml": ("big.eml", EML + b"x" * 30_000, "message/rfc822")}
    )
    assert eml.status_code == 413
    assert counts(client) == (0, 0)


def test_eml_upload_multipart_and_base64(client: TestClient) -> None:
    answer = client.post(
        "/v1/reports/eml",
        files={"eml": ("phish.eml", EML, "message/rfc822")},
        data={"description": "Bankdan gələn məktub", "client_key": "eml-key-0001"},
    )
    assert answer.status_code == 202, answer.text
    rid = answer.json()["id"]
    encoded = base64.b64encode(EML).decode()
    again = client.post("/v1/reports", json={"eml": encoded, "client_key": "eml-key-0002"})
    assert again.status_code == 202
    drain(client.app)  # type: ignore[arg-type]
    doc = client.get(f"/v1/reports/{rid}", headers=AUTH).json()
    assert doc["channel"] == "email"
    assert doc["email"]["links"] == ["https://kapitalbank-secure.com/unblock?id=7"]
    assert doc["email"]["attachments"][0]["filename"] == "invoice.exe"
    other = client.get(f"/v1/reports/{again.json()['id']}", headers=AUTH).json()
    assert other["campaign_id"] == doc["campaign_id"], "same sender and link join"
    with client.app.state.store.read() as session:  # type: ignore[attr-defined]
        stored = session.scalars(select(ReportEmail)).all()
    assert all("TVqQ" not in json.dumps(e.attachments) for e in stored)


@pytest.mark.parametrize(
    "raw", [b"\x89PNG\r\n\x1a\n\x00\x00binary", b"hello there, no headers at all"]
)
def test_malformed_eml_is_422_and_nothing_is_stored(client: TestClient, raw: bytes) -> None:
    answer = client.post("/v1/reports/eml", files={"eml": ("x.eml", raw, "message/rfc822")})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "eml"
    assert counts(client) == (0, 0)


def test_non_utf8_multipart_field_is_422(client: TestClient) -> None:
    answer = client.post(
        "/v1/reports/eml",
        files={"eml": ("x.eml", EML, "message/rfc822")},
        data={"description": "Kart\xfd".encode("latin-1")},  # type: ignore[dict-item]
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "description"
    assert counts(client) == (0, 0)


def test_html_in_text_is_kept_as_text_with_a_warning(client: TestClient) -> None:
    text = 'Salam <script>alert("x")</script><img src=x onerror="steal()">'
    answer = client.post("/v1/reports", json={"text": text})
    assert answer.status_code == 202
    assert "shown escaped" in answer.json()["warnings"][0]
    doc = client.get(f"/v1/reports/{answer.json()['id']}", headers=AUTH).json()
    assert doc["text"] == text  # stored verbatim as evidence; the web UI escapes it


def test_partner_bulk_is_all_or_nothing(client: TestClient) -> None:
    good = [{"text": f"Kartınızı təsdiqləyin https://kapital-bank{i}.site"} for i in range(3)]
    assert client.post("/v1/reports/bulk", json={"reports": good}).status_code == 401
    bad = [*good, {"text": "ok"}, {"phone": "not a phone"}]
    answer = client.post("/v1/reports/bulk", json={"reports": bad}, headers={"X-API-Key": BANK_KEY})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "reports[4].phone"
    assert counts(client) == (0, 0)
    answer = client.post(
        "/v1/reports/bulk", json={"reports": good}, headers={"X-API-Key": BANK_KEY}
    )
    assert answer.status_code == 202
    assert len(answer.json()["reports"]) == 3
    assert counts(client) == (3, 3)
    doc = client.get(f"/v1/reports/{answer.json()['reports'][0]['id']}", headers=AUTH).json()
    assert doc["source"] == "partner" and doc["partner"] == "kapitalbank"


def test_workers_run_in_the_background(make_client: Callable[..., TestClient]) -> None:
    client = make_client(reports_workers=2)
    rid = client.post("/v1/reports", json={"text": FAKE_BUYER_SMS}).json()["id"]
    deadline = time.monotonic() + 10
    status = ""
    while time.monotonic() < deadline:
        status = client.get(f"/v1/reports/{rid}", headers=AUTH).json()["status"]
        if status == "enriched":
            break
        time.sleep(0.05)
    assert status == "enriched"


def test_missing_detectors_do_not_block_enrichment(make_client: Callable[..., TestClient]) -> None:
    client = make_client(reports_workers=0, detectors=False)
    client.app.state.engine.register("url", None)  # type: ignore[attr-defined]
    del client.app.state.engine._detectors["url"]  # type: ignore[attr-defined]
    rid = client.post("/v1/reports", json={"text": FAKE_BUYER_SMS}).json()["id"]
    drain(client.app)  # type: ignore[arg-type]
    doc = client.get(f"/v1/reports/{rid}", headers=AUTH).json()
    assert doc["status"] == "enriched"
    assert doc["campaign_id"] is not None  # joined on its own parsed indicators
    if "notes" in doc["verdicts"]:
        assert "message" in doc["verdicts"]["notes"]


def test_public_intake_is_rate_limited(make_client: Callable[..., TestClient]) -> None:
    client = make_client(reports_workers=0, rate_limit_per_minute=3)
    answers = [client.post("/v1/reports", json={"text": f"report {i}"}) for i in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_openapi_documents_the_intake_bodies(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    body = doc["paths"]["/v1/reports"]["post"]["requestBody"]["content"]["application/json"]
    assert "client_key" in body["schema"]["properties"]
    assert doc["paths"]["/v1/reports"]["post"]["x-qalxan-public"] is True
    bulk = doc["paths"]["/v1/reports/bulk"]["post"]["requestBody"]["content"]["application/json"]
    assert bulk["schema"]["properties"]["reports"]["type"] == "array"
    eml = doc["paths"]["/v1/reports/eml"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in eml
    assert not any(p.startswith("/analyst") or p == "/" for p in doc["paths"])
    assert "$defs" not in str(doc)
