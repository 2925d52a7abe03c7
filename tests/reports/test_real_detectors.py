"""Enrichment and the portal with the real detectors (skipped only while they are not built)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from qalxan.domain.errors import ConfigError
from qalxan.service import Engine
from qalxan.settings import Settings

from .support import ANALYST_KEY, FAKE_BUYER_SMS, drain


def need(settings: Settings, *kinds: str) -> None:
    engine = Engine(settings)
    for kind in kinds:
        try:
            engine.detector(kind)
        except ConfigError as exc:
            if "not built yet" in str(exc):
                pytest.skip(f"real {kind} detector missing: {exc}")
            raise


def test_real_detectors_enrich_a_fake_buyer_report(
    settings: Settings, make_client: Callable[..., TestClient]
) -> None:
    need(settings, "message", "url")
    client = make_client(reports_workers=0, detectors=False)
    rid = client.post(
        "/v1/reports", json={"text": FAKE_BUYER_SMS, "channel": "marketplace"}
    ).json()["id"]
    drain(client.app)  # type: ignore[arg-type]
    doc = client.get(f"/v1/reports/{rid}", headers={"X-API-Key": ANALYST_KEY}).json()
    assert doc["status"] == "enriched"
    assert doc["verdict"] in ("malicious", "suspicious")
    assert doc["verdicts"]["message"][0]["reasons"]
    assert doc["campaign_id"] is not None


def test_real_message_detector_warns_in_azerbaijani(
    settings: Settings, make_client: Callable[..., TestClient]
) -> None:
    need(settings, "message")
    client = make_client(reports_workers=0, detectors=False)
    home = client.get("/").text
    token = re.search(r'name="csrf" value="([^"]+)"', home).group(1)  # type: ignore[union-attr]
    page = client.post("/check", data={"csrf": token, "q": FAKE_BUYER_SMS}).text
    assert re.search(r'id="answer">(Təhlükəli|Şübhəlidir)', page)


def test_page_detector_runs_only_when_analysts_allow_fetching(
    settings: Settings, make_client: Callable[..., TestClient]
) -> None:
    need(settings, "page")
    client = make_client(reports_workers=0, detectors=False)
    rid = client.post("/v1/reports", json={"url": "http://127.0.0.1:9/login"}).json()["id"]
    drain(client.app)  # type: ignore[arg-type]
    doc = client.get(f"/v1/reports/{rid}", headers={"X-API-Key": ANALYST_KEY}).json()
    assert "page" not in doc["verdicts"], "fetching is off by default"
