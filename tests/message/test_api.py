"""Routes: POST /v1/check/message (public, rate-limited) and POST /v1/messages/score
(operator scope, batches, same order, bad items reported)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from qalxan.api import create_app
from qalxan.api.auth import Principal
from qalxan.service import Engine
from qalxan.settings import Settings

KEYS = {
    "op-key": Principal("k1", "azercell-smsc", frozenset({"operator"})),
    "bank-key": Principal("k2", "bank", frozenset({"bank"})),
}


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    settings = settings.model_copy(update={"rate_limit_per_minute": 5})
    app = create_app(settings, engine=engine)
    app.state.key_resolver = KEYS.get
    with TestClient(app) as c:
        yield c


OP = {"X-API-Key": "op-key"}


def test_check_message_public(client: TestClient) -> None:
    r = client.post(
        "/v1/check/message",
        json={
            "text": "Kartınız bloklanıb. SMS kodu deyin",
            "sender": "+447911123456",
            "lang": "az",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "message"
    assert body["verdict"] == "malicious"
    assert body["scheme"] == "otp_request"
    otp = next(x for x in body["reasons"] if x["code"] == "message.otp_request")
    assert otp["message"].startswith("Mesaj SMS")


def test_check_message_is_rate_limited(client: TestClient) -> None:
    codes = [client.post("/v1/check/message", json={"text": "salam"}).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[-1] == 429


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 100_000}, "text"),
        ({"text": "ok", "channel": "fax"}, "channel"),
        ({"text": "ok", "extra": 1}, "extra"),
        ({}, "text"),
    ],
)
def test_check_message_bad_input_is_a_clear_422(client: TestClient, body: dict, field: str) -> None:  # type: ignore[type-arg]
    r = client.post("/v1/check/message", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_check_message_binary_body(client: TestClient) -> None:
    r = client.post(
        "/v1/check/message", content=bytes(range(256)), headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


@pytest.mark.parametrize("text", ["😀😀😀", "\x00\x01\ufffd", "Salam Привет 你好 kodu deyin"])
def test_check_message_odd_text_gets_a_verdict(client: TestClient, text: str) -> None:
    r = client.post("/v1/check/message", json={"text": text})
    assert r.status_code == 200
    assert r.json()["verdict"] in ("benign", "suspicious", "malicious")


def test_score_needs_an_operator_key(client: TestClient) -> None:
    body = {"messages": [{"text": "salam"}]}
    assert client.post("/v1/messages/score", json=body).status_code == 401
    r = client.post("/v1/messages/score", json=body, headers={"X-API-Key": "bank-key"})
    assert r.status_code == 403


def test_score_keeps_order_and_reports_bad_items(client: TestClient) -> None:
    messages = [
        {"id": "a", "text": "Salam, axşam gəlirsən?"},
        {"id": "b", "text": "Kartınız bloklanıb. SMS kodu deyin", "sender": "+447911123456"},
        {"id": "c", "text": ""},
        "not an object",
        {"id": "e", "text": "Kodunuz: 4821. Heç kimə deməyin.", "sender": "KapitalBank"},
        {"id": "f", "text": "x", "channel": "fax"},
        {"id": "g", "text": "bu karta at 4169 7388 1234 5670, təcili pul lazımdır"},
    ]
    r = client.post("/v1/messages/score", json={"messages": messages}, headers=OP)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 7 and body["errors"] == 3
    res = body["results"]
    assert [x["index"] for x in res] == list(range(7))
    assert res[0]["id"] == "a" and res[0]["verdict"] == "benign"
    assert res[1]["id"] == "b" and res[1]["verdict"] == "malicious"
    assert res[2]["error"]["field"] == "messages.2.text"
    assert "error" in res[3]
    assert res[4]["verdict"] == "benign"
    assert res[5]["error"]["field"].startswith("messages.5")
    assert "7388" not in r.text


def test_score_large_batch_in_order(client: TestClient) -> None:
    texts = [f"Salam {i}" if i % 3 else f"Kartınız bloklanıb {i}. Kodu deyin" for i in range(1000)]
    r = client.post(
        "/v1/messages/score", json={"messages": [{"text": t} for t in texts]}, headers=OP
    )
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["input"] for x in res] == texts
    assert [x["verdict"] == "malicious" for x in res] == [i % 3 == 0 for i in range(1000)]


def test_score_refuses_more_than_the_batch_limit(client: TestClient) -> None:
    r = client.post("/v1/messages/score", json={"messages": [{"text": "a"}] * 1001}, headers=OP)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "messages"


def test_routes_are_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/check/message" in paths and "/v1/messages/score" in paths


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"", "body"),
        (b"{not json", "body"),
        (b'{"messages": [], "lang": "de"}', "lang"),
        (b'{"messages": [], "extra": 1}', "extra"),
        (b'{"messages": "salam"}', "messages"),
        (b"[]", "body"),
    ],
)
def test_score_bad_body_is_a_clear_422(client: TestClient, content: bytes, field: str) -> None:
    r = client.post(
        "/v1/messages/score",
        content=content,
        headers={**OP, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_score_items_that_skip_pydantic_match_those_that_do_not(client: TestClient) -> None:
    messages = [
        {"id": "a", "text": "Kartınız bloklanıb. SMS kodu deyin", "channel": "messenger"},
        {"text": 5},
        {"id": "x" * 129, "text": "salam"},
        {"text": "salam", "sender": None, "id": None},
        {"text": "salam", "unknown": 1},
    ]
    r = client.post("/v1/messages/score", json={"messages": messages, "lang": "az"}, headers=OP)
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert res[0]["verdict"] == "malicious" and res[0]["channel"] == "messenger"
    assert res[0]["id"] == "a" and res[3]["id"] is None
    assert [x.get("error", {}).get("field") for x in res] == [
        None,
        "messages.1.text",
        "messages.2.id",
        None,
        "messages.4.unknown",
    ]


def test_fast_lane_answers_as_the_fastapi_route(settings: Settings, engine: Engine) -> None:
    from qalxan.api.routes.check_message import ScoreFastLane

    def make(lane: bool) -> TestClient:
        app = create_app(settings, engine=engine)
        app.state.key_resolver = KEYS.get
        if not lane:
            app.user_middleware = [m for m in app.user_middleware if m.cls is not ScoreFastLane]
        assert any(m.cls is ScoreFastLane for m in app.user_middleware) == lane
        return TestClient(app)

    good = {
        "messages": [
            {"id": "a", "text": "Kartınız bloklanıb. SMS kodu deyin", "sender": "+447911123456"},
            {"text": ""},
            {"text": 5},
            "x",
            {"text": "Kodunuz: 4821. Heç kimə deməyin.", "sender": "KapitalBank"},
        ],
        "lang": "ru",
    }
    requests = [
        ({"json": good}, OP),
        ({"json": good}, {}),
        ({"json": good}, {"X-API-Key": "bank-key"}),
        ({"json": {"messages": [{"text": "a"}] * 1001}}, OP),
        ({"content": b"{bad", "headers": {"Content-Type": "application/json"}}, OP),
        ({"json": {"messages": [], "lang": "de"}}, OP),
    ]
    with make(lane=True) as fast, make(lane=False) as slow:
        for kwargs, headers in requests:
            hdrs = {**kwargs.get("headers", {}), **headers}
            rest = {k: v for k, v in kwargs.items() if k != "headers"}
            a = fast.post("/v1/messages/score", headers=hdrs, **rest)
            b = slow.post("/v1/messages/score", headers=hdrs, **rest)
            assert (a.status_code, a.json()) == (b.status_code, b.json()), kwargs
        # Other paths and methods are the app's.
        assert fast.get("/v1/messages/score").status_code == 405


def test_a_lone_surrogate_escape_gets_a_verdict(client: TestClient) -> None:
    # JSON allows "\ud800" on its own; it decodes to a character no UTF-8 encoder accepts.
    body = b'{"text": "kodu deyin \\ud800 indi"}'
    r = client.post("/v1/check/message", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "malicious" and "\ufffd" in r.json()["input"]
    # The operator route's JSON reader (orjson) refuses such escapes: a clear 422, no crash.
    batch = b'{"messages": [{"text": "salam \\udc00"}, {"text": "kodu deyin"}]}'
    r = client.post(
        "/v1/messages/score", content=batch, headers={**OP, "content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "body"
