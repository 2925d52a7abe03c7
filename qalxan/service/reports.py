"""Report intake and enrichment.

:meth:`ReportService.submit` validates a report, then stores it, its e-mail and an
``enrich_report`` job in one transaction, and only then answers: the caller's 202 means the
report is on disk. The same ``client_key`` gives back the same report (a unique constraint
decides races). :meth:`ReportService.enrich` runs later in a worker (see
:mod:`qalxan.service.worker`): the detectors judge the report, the verdicts are stored and the
report joins its campaign.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qalxan.data import read_yaml
from qalxan.domain.errors import ConfigError, ConflictError, FetchError, ParseError
from qalxan.domain.phone import parse_phone
from qalxan.domain.url import parse_url
from qalxan.domain.verdict import LANGUAGES, Indicator, Verdict
from qalxan.intake.eml import ParsedEmail, parse_eml
from qalxan.policy.fingerprint import fingerprint
from qalxan.policy.indicators import KeyPolicy
from qalxan.service import Engine
from qalxan.settings import Settings
from qalxan.store import Store, utcnow
from qalxan.store.campaigns import JoinResult, join_campaign
from qalxan.store.jobs import JobQueue
from qalxan.store.models.reports import Report, ReportEmail

__all__ = [
    "CHANNELS",
    "ENRICH_JOB",
    "NewReport",
    "Receipt",
    "ReportService",
    "localize_verdict",
    "looks_like_markup",
]

CHANNELS: tuple[str, ...] = (
    "sms",
    "call",
    "whatsapp",
    "telegram",
    "messenger",
    "email",
    "web",
    "social",
    "marketplace",
    "other",
)
ENRICH_JOB = "enrich_report"
MAX_EMAIL_LINKS_CHECKED = 5
_LIMITS = {"url": 4096, "text": 10_000, "description": 5_000, "contact": 256, "sender": 64}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MARKUP = re.compile(
    r"<\s*/?\s*(?:script|iframe|img|svg|a|div|span|html|body|style|object|embed|form|input)\b"
    r"|javascript\s*:|\bon[a-z]+\s*=\s*['\"]",
    re.I,
)


def looks_like_markup(text: str) -> bool:
    """True when the text carries HTML or JavaScript (kept as text, always shown escaped)."""
    return bool(_MARKUP.search(text))


@dataclass(frozen=True, slots=True)
class NewReport:
    """A report as submitted (API body, web form or bulk line), before validation."""

    url: str | None = None
    text: str | None = None
    phone: str | None = None
    sender: str | None = None
    description: str | None = None
    contact: str | None = None
    channel: str | None = None
    lang: str | None = None
    client_key: str | None = None
    eml: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, eml: bytes | None = None) -> NewReport:
        """From a JSON object; ``eml`` may be given base64-encoded under that key."""
        raw = data.get("eml")
        if eml is None and raw:
            try:
                eml = base64.b64decode(str(raw), validate=True)
            except (binascii.Error, ValueError):
                raise ParseError("not valid base64", field="eml") from None
        names = ("url", "text", "phone", "sender", "description", "contact", "channel", "lang")
        values = {n: (None if data.get(n) is None else str(data[n])) for n in names}
        key = data.get("client_key")
        return cls(**values, client_key=None if key is None else str(key), eml=eml)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What intake answers: the report id, its status, and whether it is new."""

    id: str
    status: str
    created: bool
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status}
        if not self.created:
            out["duplicate"] = True
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True, slots=True)
class _Valid:
    report: NewReport
    email: ParsedEmail | None
    warnings: tuple[str, ...]
    content_hash: str


def _clean_text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if _SURROGATE.search(value):
        raise ParseError("is not valid UTF-8 text", field=name)
    if _CONTROL.search(value):
        raise ParseError("contains control characters", field=name)
    value = value.strip()
    if len(value) > _LIMITS.get(name, 4096):
        raise ParseError(f"longer than {_LIMITS.get(name, 4096)} characters", field=name)
    return value or None


def localize_verdict(doc: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A stored verdict document with its reason messages in ``lang``."""
    out = dict(doc)
    out["reasons"] = [
        {**r, "message": (r.get("messages") or {}).get(lang) or r.get("message", r.get("code"))}
        for r in doc.get("reasons", [])
    ]
    return out


def _verdict_doc(verdict: Verdict) -> dict[str, Any]:
    doc = verdict.to_dict("en")
    for reason, rdoc in zip(verdict.reasons, doc["reasons"], strict=True):
        rdoc["messages"] = {lang: reason.message(lang) for lang in LANGUAGES}
    return doc


_MESSAGE_CHANNELS = {
    "sms": "sms",
    "whatsapp": "messenger",
    "telegram": "messenger",
    "messenger": "messenger",
    "marketplace": "messenger",
    "social": "social",
    "call": "call_transcript",
}


def _message_input(text: str, report: Report) -> Any:
    """The message detector's ``MessageInput`` (text, sender, channel) when it is there."""
    try:
        module = importlib.import_module("qalxan.detect.message")
    except ImportError:
        return text
    make = getattr(module, "MessageInput", None)
    if make is None:
        return text
    channel = _MESSAGE_CHANNELS.get(report.channel, "sms")
    if channel not in getattr(module, "CHANNELS", ()):
        channel = "sms"
    # lang stays unset: the reporter's interface language is not the message's language
    return make(text=text, sender=report.sender, channel=channel)


class ReportService:
    """Intake, enrichment and campaign joining over one store and one engine."""

    def __init__(self, settings: Settings, store: Store, engine: Engine) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.queue = JobQueue(store)
        self.listeners: list[Callable[[], None]] = []

    @cached_property
    def key_policy(self) -> KeyPolicy:
        doc = read_yaml("reports/shared_domains.yaml") or {}
        shared = [d for group in doc.values() for d in group]
        key = self.settings.secret_key.get_secret_value().encode("utf-8")
        return KeyPolicy(self.engine.brands, shared, key)

    # -- intake -------------------------------------------------------------------------------
    def validate(self, new: NewReport) -> _Valid:
        """Clean and check every field; :class:`ParseError` names the first bad one."""
        cleaned = {
            name: _clean_text(name, getattr(new, name))
            for name in ("url", "text", "phone", "sender", "description", "contact")
        }
        if new.eml is not None and len(new.eml) > self.settings.reports_max_upload_bytes:
            raise ParseError("the e-mail file is too large", field="eml")
        email = parse_eml(new.eml) if new.eml is not None else None
        if not any(cleaned[n] for n in ("url", "text", "phone", "description")) and not email:
            raise ParseError(
                "a report needs at least one of url, text, phone, description or eml",
                field="report",
            )
        if cleaned["url"]:
            cleaned["url"] = parse_url(cleaned["url"]).canonical
        if cleaned["phone"]:
            cleaned["phone"] = parse_phone(cleaned["phone"]).e164
        channel = (new.channel or self._default_channel(cleaned, email)).strip().lower()
        if channel not in CHANNELS:
            raise ParseError(f"must be one of {', '.join(CHANNELS)}", field="channel")
        lang = (new.lang or self.settings.web_default_language).strip().lower()
        if lang not in LANGUAGES:
            raise ParseError(f"must be one of {', '.join(LANGUAGES)}", field="lang")
        key = _clean_text("client_key", new.client_key)
        if key is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{8,128}", key):
            raise ParseError("8-128 of letters, digits, '.', '_', ':', '-'", field="client_key")
        report = replace(
            new,
            url=cleaned["url"],
            text=cleaned["text"],
            phone=cleaned["phone"],
            sender=cleaned["sender"],
            description=cleaned["description"],
            contact=cleaned["contact"],
            channel=channel,
            lang=lang,
            client_key=key,
        )
        warnings = tuple(
            f"{name} contains HTML or JavaScript: it is kept as plain text and shown escaped"
            for name in ("text", "description")
            if cleaned[name] and looks_like_markup(str(cleaned[name]))
        )
        body = {k: v for k, v in asdict(report).items() if k not in ("eml", "client_key")}
        body["eml"] = email.raw_sha256 if email else None
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        return _Valid(report, email, warnings, digest)

    @staticmethod
    def _default_channel(fields: Mapping[str, str | None], email: ParsedEmail | None) -> str:
        if email is not None:
            return "email"
        if fields.get("text"):
            return "sms"
        if fields.get("phone"):
            return "call"
        return "web" if fields.get("url") else "other"

    def _existing(self, valid: _Valid) -> Receipt | None:
        key = valid.report.client_key
        if key is None:
            return None
        with self.store.read() as session:
            row = session.scalar(select(Report).where(Report.client_key == key))
        if row is None:
            return None
        if row.content_hash != valid.content_hash:
            raise ConflictError("this client_key was already used for a different report")
        return Receipt(row.id, row.status, False, valid.warnings)

    def _rows(self, valid: _Valid, source: str, partner: str | None) -> list[Any]:
        r = valid.report
        now = utcnow()
        report = Report(
            id=uuid.uuid4().hex,
            client_key=r.client_key,
            content_hash=valid.content_hash,
            source=source,
            partner=partner,
            channel=r.channel or "other",
            lang=r.lang or "az",
            url=r.url,
            text=r.text,
            phone=r.phone,
            sender=r.sender,
            description=r.description,
            contact=r.contact,
            status="received",
            created_at=now,
        )
        rows: list[Any] = [report]
        e = valid.email
        if e is not None:
            rows.append(
                ReportEmail(
                    report_id=report.id,
                    message_id=e.message_id,
                    subject=e.subject,
                    from_addr=e.from_addr,
                    reply_to=e.reply_to,
                    to_addr=e.to_addr,
                    date=e.date,
                    headers=e.headers,
                    links=e.links,
                    attachments=e.attachments,
                    body_text=e.body_text,
                    raw_sha256=e.raw_sha256,
                    raw_size=e.raw_size,
                )
            )
        return rows

    def submit(self, new: NewReport, *, source: str = "api", partner: str | None = None) -> Receipt:
        """Validate and store a report with its enrichment job; committed before returning."""
        return self.submit_many([new], source=source, partner=partner)[0]

    def submit_many(
        self, items: Sequence[NewReport], *, source: str, partner: str | None = None
    ) -> list[Receipt]:
        """Validate every item first, then store all new ones in one transaction (all or
        nothing). Items whose ``client_key`` is already stored come back as they are."""
        valid: list[_Valid] = []
        for i, item in enumerate(items):
            try:
                valid.append(self.validate(item))
            except ParseError as exc:
                if len(items) > 1:
                    raise ParseError(exc.reason, field=f"reports[{i}].{exc.field}") from None
                raise
        try:
            receipts = self._store_all(valid, source, partner)
        except IntegrityError:
            # Another request stored the same client_key between our look-up and our insert.
            receipts = self._store_all(valid, source, partner)
        for listener in self.listeners:
            listener()
        return receipts

    def _store_all(self, valid: list[_Valid], source: str, partner: str | None) -> list[Receipt]:
        receipts: list[Receipt | None] = [self._existing(v) for v in valid]
        keys_in_batch: dict[str, int] = {}
        with self.store.write() as session:
            for i, v in enumerate(valid):
                if receipts[i] is not None:
                    continue
                key = v.report.client_key
                if key is not None and key in keys_in_batch:
                    receipts[i] = receipts[keys_in_batch[key]]
                    continue
                rows = self._rows(v, source, partner)
                session.add_all(rows)
                session.flush()
                JobQueue.enqueue(session, ENRICH_JOB, {"report_id": rows[0].id})
                receipts[i] = Receipt(rows[0].id, "received", True, v.warnings)
                if key is not None:
                    keys_in_batch[key] = i
        return [r for r in receipts if r is not None]

    # -- enrichment ---------------------------------------------------------------------------
    def _run(self, kind: str, item: Any, notes: dict[str, str]) -> Verdict | None:
        try:
            if kind == "page":
                from qalxan.service import page as page_service

                analyze = getattr(page_service, "analyze_url", None)
                if analyze is None:
                    raise ConfigError("the page service has no analyze_url yet")
                verdict: Verdict = analyze(self.engine, item, render=False, store=None)
            else:
                verdict = self.engine.detector(kind).analyze(item)
        except ConfigError as exc:
            notes[kind] = f"unavailable: {exc}"
            return None
        except (FetchError, ParseError) as exc:
            notes[kind] = f"not judged: {exc}"
            return None
        return verdict

    def _judge(
        self, report: Report, email: ReportEmail | None
    ) -> tuple[dict[str, Any], list[Verdict]]:
        notes: dict[str, str] = {}
        verdicts: dict[str, list[Verdict]] = {"url": [], "message": [], "page": []}
        urls = [report.url] if report.url else []
        if email is not None:
            urls.extend(email.links[:MAX_EMAIL_LINKS_CHECKED])
        for url in dict.fromkeys(urls):
            if (v := self._run("url", url, notes)) is not None:
                verdicts["url"].append(v)
        text = report.text
        if email is not None:
            text = "\n".join(t for t in (email.subject, email.body_text, text) if t)
        if text and (v := self._run("message", _message_input(text, report), notes)) is not None:
            verdicts["message"].append(v)
        fetch = self.settings.reports_fetch_pages and report.url
        if fetch and (v := self._run("page", report.url, notes)) is not None:
            verdicts["page"].append(v)
        flat = [v for vs in verdicts.values() for v in vs]
        doc: dict[str, Any] = {k: [_verdict_doc(v) for v in vs] for k, vs in verdicts.items() if vs}
        if notes:
            doc["notes"] = notes
        return doc, flat

    def enrich(self, report_id: str) -> JoinResult:
        """Judge a stored report, store the verdicts and join it into its campaign."""
        with self.store.read() as session:
            report = session.get(Report, report_id)
            if report is None:
                raise ConfigError(f"report {report_id} vanished from the store")
            email = session.scalar(select(ReportEmail).where(ReportEmail.report_id == report_id))
        doc, verdicts = self._judge(report, email)
        indicators: list[Indicator] = [i for v in verdicts for i in v.indicators]
        fields = {
            "url": report.url,
            "phone": report.phone,
            "sender": report.sender,
            "text": report.text,
            "description": report.description,
            "from_addr": email.from_addr if email else None,
        }
        links = email.links if email else []
        keys = self.key_policy.keys(fields, indicators, links)
        body = report.text or (email.body_text if email else None) or report.description
        fp = fingerprint(body) if body else None
        best = max(verdicts, key=lambda v: v.score, default=None)
        scheme = next((str(v.extra["scheme"]) for v in verdicts if v.extra.get("scheme")), None)
        brand = next((v.brand for v in sorted(verdicts, key=lambda v: -v.score) if v.brand), None)
        with self.store.write() as session:
            row = session.get(Report, report_id)
            if row is None:
                raise ConfigError(f"report {report_id} vanished from the store")
            row.verdicts = doc
            row.verdict = best.verdict if best else None
            row.score = best.score if best else None
            row.brand = brand
            row.scheme = scheme
            row.status = "enriched"
            row.enriched_at = utcnow()
            return join_campaign(
                session, row, keys, fp, threshold=self.settings.reports_near_duplicate
            )

    def mark_failed(self, report_id: str, error: str) -> None:
        """The job gave up: say so on the report (analysts still see it in the queue)."""
        with self.store.write() as session:
            row = session.get(Report, report_id)
            if row is not None:
                row.status = "failed"
                row.verdicts = {**(row.verdicts or {}), "error": error[:500]}
