"""Tables of the reports area: reports, uploaded e-mails, the job queue, campaigns and their
indicators, text fingerprints, analyst accounts, sessions and decisions (issue 7).

Campaign joining relies on one invariant kept by a unique constraint: an indicator
``(kind, value)`` belongs to exactly one live campaign. Merged campaigns keep their row with
``merged_into`` set so that old links still resolve.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.store.base import Base, utcnow

__all__ = [
    "AnalystSession",
    "AnalystUser",
    "Campaign",
    "CampaignIndicator",
    "Decision",
    "Job",
    "Report",
    "ReportEmail",
    "ReportIndicator",
    "TextBand",
    "TextFingerprint",
]

# Bigint primary keys that still autoincrement on SQLite (where only INTEGER does).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _ts() -> Any:
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class Report(Base):
    """One citizen or partner report, stored before it is acknowledged."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    client_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="api")
    partner: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="other")
    lang: Mapped[str] = mapped_column(String(2), nullable=False, default="az")
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(64))
    sender: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received")
    verdict: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    brand: Mapped[str | None] = mapped_column(String(64))
    scheme: Mapped[str | None] = mapped_column(String(64))
    verdicts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    decision: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = _ts()
    enriched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_reports_created_at", "created_at"),)


class ReportEmail(Base):
    """What was kept of an uploaded .eml: headers, links, text body, attachment hashes."""

    __tablename__ = "report_emails"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    message_id: Mapped[str | None] = mapped_column(String(512))
    subject: Mapped[str | None] = mapped_column(Text)
    from_addr: Mapped[str | None] = mapped_column(String(512))
    reply_to: Mapped[str | None] = mapped_column(String(512))
    to_addr: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(128))
    headers: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    links: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    attachments: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    body_text: Mapped[str | None] = mapped_column(Text)
    raw_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    raw_size: Mapped[int] = mapped_column(Integer, nullable=False)


class Job(Base):
    """A durable job: claimed with a lease, reclaimed when the lease expires."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    run_after: Mapped[datetime] = _ts()
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()

    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)


class Campaign(Base):
    """Reports that share an indicator or a near-duplicate text."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    report_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_seen: Mapped[datetime] = _ts()
    last_seen: Mapped[datetime] = _ts()
    created_at: Mapped[datetime] = _ts()


class CampaignIndicator(Base):
    """An indicator and the one campaign it belongs to."""

    __tablename__ = "campaign_indicators"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    value: Mapped[str] = mapped_column(String(512), nullable=False)
    display: Mapped[str | None] = mapped_column(String(512))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    first_seen: Mapped[datetime] = _ts()
    last_seen: Mapped[datetime] = _ts()
    hits: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __table_args__ = (UniqueConstraint("kind", "value", name="uq_campaign_indicators_kind_value"),)


class ReportIndicator(Base):
    """Which indicators a report carried."""

    __tablename__ = "report_indicators"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_indicators.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TextFingerprint(Base):
    """The MinHash signature of a report's text (for near-duplicate joining)."""

    __tablename__ = "text_fingerprints"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[list[int]] = mapped_column(JSON, nullable=False)


class TextBand(Base):
    """One LSH band of a signature: texts sharing a band are near-duplicate candidates."""

    __tablename__ = "text_bands"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(16), nullable=False)

    __table_args__ = (Index("ix_text_bands_band_hash", "band", "hash"),)


class AnalystUser(Base):
    """An analyst account of the web UI (argon2 password hash)."""

    __tablename__ = "analyst_users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = _ts()
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AnalystSession(Base):
    """A server-side session; the cookie carries the signed id, the row can be revoked."""

    __tablename__ = "analyst_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("analyst_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Decision(Base):
    """An analyst confirmed or rejected a verdict, on a report or a whole campaign."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(16), nullable=False)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    verdict_at_decision: Mapped[str | None] = mapped_column(String(16))
    analyst: Mapped[str] = mapped_column(String(128), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (Index("ix_decisions_created_at", "created_at"),)
