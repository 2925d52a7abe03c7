"""The citizen's check: guess what was pasted, ask the right detector, explain in plain words.

A link goes to the URL detector, a text to the message detector. A phone number has no
detector of its own: the answer comes from the brand registry (an official number), the
reports already joined into campaigns, and the number's country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from qalxan.domain.errors import ConfigError, ParseError
from qalxan.domain.phone import parse_phone
from qalxan.domain.url import parse_url
from qalxan.service import Engine
from qalxan.store import Store
from qalxan.store.campaigns import live_campaign
from qalxan.store.models.reports import CampaignIndicator
from qalxan.web.i18n import Texts

__all__ = ["CheckResult", "guess_kind", "run_check"]

KINDS = ("auto", "url", "message", "phone")
_PHONEISH = re.compile(r"^[\d\s()+./-]{3,24}$")


@dataclass
class CheckResult:
    """What the result page shows."""

    kind: str
    input: str
    label: str  # malicious | suspicious | benign | unknown
    score: float | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    brand: str | None = None
    scheme: str | None = None


def guess_kind(value: str) -> str:
    """``phone`` for digits only, ``url`` for one token that parses as a URL, else ``message``."""
    text = value.strip()
    if _PHONEISH.match(text) and sum(c.isdigit() for c in text) >= 3:
        return "phone"
    if " " not in text and "\n" not in text:
        try:
            parse_url(text)
        except ParseError:
            return "message"
        return "url"
    return "message"


def _phone(engine: Engine, store: Store, value: str, t: Texts) -> CheckResult:
    try:
        phone = parse_phone(value)
    except ParseError:
        return CheckResult("phone", value, "unknown", reasons=[{"message": t("phone_invalid")}])
    for brand in engine.brands:
        numbers = {*brand.short_codes, *brand.phones}
        if phone.e164 in numbers or value.strip() in numbers:
            msg = t("phone_official", brand=brand.name)
            return CheckResult("phone", phone.e164, "benign", 0.0, [{"message": msg}], brand.id)
    reasons: list[dict[str, Any]] = []
    label, score = "benign", 0.0
    with store.read() as session:
        row = session.scalar(
            select(CampaignIndicator).where(
                CampaignIndicator.kind == "phone", CampaignIndicator.value == phone.e164
            )
        )
        status = live_campaign(session, row.campaign_id).status if row is not None else None
    if row is not None:
        reasons.append({"message": t("phone_reported", count=row.hits), "severity": "medium"})
        label, score = "suspicious", 0.6
        if status == "confirmed":
            reasons.append({"message": t("phone_confirmed"), "severity": "high"})
            label, score = "malicious", 0.95
    if phone.is_foreign:
        reasons.append(
            {"message": t("phone_foreign", country=phone.country or "?"), "severity": "low"}
        )
    if not reasons:
        reasons.append({"message": t("phone_unknown")})
    return CheckResult("phone", phone.e164, label, score, reasons)


def run_check(engine: Engine, store: Store, value: str, kind: str, t: Texts) -> CheckResult:
    """Check ``value`` as ``kind`` (``auto`` guesses) and explain in ``t``'s language."""
    kind = guess_kind(value) if kind not in KINDS[1:] else kind
    if kind == "phone":
        return _phone(engine, store, value, t)
    try:
        verdict = engine.detector(kind).analyze(value)
    except ConfigError:
        return CheckResult(kind, value, "unknown")
    except ParseError as exc:
        return CheckResult(kind, value, "unknown", reasons=[{"message": exc.reason}])
    doc = verdict.to_dict(t.lang)
    return CheckResult(
        kind,
        value,
        verdict.verdict,
        verdict.score,
        [r for r in doc["reasons"] if r.get("weight", 0) != 0 or r.get("message")],
        verdict.brand,
        str(verdict.extra["scheme"]) if verdict.extra.get("scheme") else None,
    )
