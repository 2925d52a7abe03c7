"""Helpers of the reports tests: an app with test-double detectors, API keys, sample texts."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from qalxan.api import create_app
from qalxan.api.auth import Principal
from qalxan.service import Engine
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.testing import ScriptedDetector

ANALYST_KEY = "test-analyst-key"
BANK_KEY = "test-bank-key"
KEYS = {
    ANALYST_KEY: Principal("k-analyst", "analyst-1", frozenset({"analyst"})),
    BANK_KEY: Principal("k-bank", "kapitalbank", frozenset({"bank"})),
}

FAKE_BUYER_SMS = (
    "Salam! Elanınızdakı malı alıram, pulu Azərpoçt vasitəsilə ödədim. Pulu əldə etmək üçün "
    "linkə keçin və kart məlumatlarını daxil edin: https://azerpost-odenis.site/pay/8841"
)


EML = b"""From: "Kapital Bank" <security@kapitalbank-secure.com>
To: victim@example.az
Subject: =?utf-8?b?S2FydMSxbsSxeiBibG9rbGFuxLFi?=
Date: Mon, 30 Nov 2026 10:00:00 +0400
Message-ID: <abc@kapitalbank-secure.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/html; charset=utf-8

<p>Kartiniz bloklanib. <a href="https://kapitalbank-secure.com/unblock?id=7">Daxil olun</a></p>
--b1
Content-Type: application/octet-stream; name="invoice.exe"
Content-Disposition: attachment; filename="invoice.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=
--b1--
"""


def scam_message_detector() -> ScriptedDetector:
    """A message double: card/link lures are malicious, with a reason in three languages."""
    return ScriptedDetector(
        "message",
        rules=[
            (
                re.compile(r"kart|card|карт", re.I),
                0.92,
                "message.card_request",
                {
                    "az": "Mesaj kart məlumatlarını istəyir",
                    "ru": "Сообщение просит данные карты",
                    "en": "The message asks for card details",
                },
            )
        ],
        brand="azerpost",
        scheme="fake_buyer",
    )


def scam_url_detector() -> ScriptedDetector:
    return ScriptedDetector(
        "url",
        rules=[
            (
                re.compile(r"azerpost-|kapital-", re.I),
                0.85,
                "url.brand_in_domain",
                {
                    "az": "Domen brendi təqlid edir",
                    "ru": "Домен имитирует бренд",
                    "en": "The domain imitates a brand",
                },
            )
        ],
        brand="azerpost",
    )


def build_app(
    settings: Settings, store: Store, *, detectors: bool = True, **overrides: Any
) -> FastAPI:
    settings = settings.model_copy(update={"reports_poll_interval_s": 0.05, **overrides})
    engine = Engine(settings)
    if detectors:
        engine.register("message", scam_message_detector())
        engine.register("url", scam_url_detector())
    app = create_app(settings, store=store, engine=engine)
    app.state.key_resolver = KEYS.get
    return app


def drain(app: FastAPI) -> int:
    """Run every due job now (tests with ``reports_workers=0``)."""
    pool = app.state.report_workers
    n = 0
    while pool.run_once():
        n += 1
    return n
