"""Campaigns: join a report to the campaign of anything it shares, merging campaigns as needed.

The invariant is that an indicator ``(kind, value)`` belongs to one live campaign (a unique
constraint) and that merged campaigns own nothing: their indicators and reports move to the
surviving campaign (the oldest) and the row keeps ``merged_into``. A join is one transaction;
joins are serialised (the store's single writer on SQLite, a transaction-scoped advisory lock
on PostgreSQL), so two reports arriving together that bridge two campaigns cannot leave them
split. The lock is held for the few statements of one join only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, func, select, text, tuple_, update
from sqlalchemy.orm import Session

from qalxan.domain.errors import NotFoundError
from qalxan.store.jobs import as_utc
from qalxan.store.models.reports import (
    Campaign,
    CampaignIndicator,
    Report,
    ReportIndicator,
    TextBand,
)
from qalxan.store.models.reports import TextFingerprint as FingerprintRow

__all__ = [
    "JOIN_LOCK_KEY",
    "JoinResult",
    "campaign_detail",
    "join_campaign",
    "list_campaigns",
    "live_campaign",
]


class CampaignKey(Protocol):
    """A join key as the policy layer makes it (``qalxan.policy.indicators.CampaignKey``)."""

    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def display(self) -> str: ...
    @property
    def key(self) -> tuple[str, str]: ...


class TextFingerprint(Protocol):
    """A MinHash signature with its LSH bands (``qalxan.policy.fingerprint``)."""

    @property
    def signature(self) -> tuple[int, ...]: ...
    @property
    def bands(self) -> tuple[str, ...]: ...


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two MinHash signatures (share of equal positions)."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


JOIN_LOCK_KEY = 0x51A1_7A07  # pg_advisory_xact_lock key of campaign joins
_PROBES = 3  # candidates compared per campaign
_STATUS_RANK = {"confirmed": 3, "rejected": 2, "open": 1, "merged": 0}


@dataclass(frozen=True, slots=True)
class JoinResult:
    """Where a report went and what was merged on the way."""

    campaign_id: int | None
    merged: tuple[int, ...]
    keys: int
    near_duplicates: tuple[str, ...]


def _near_duplicates(
    session: Session, report_id: str, fp: TextFingerprint, threshold: float, known: set[int]
) -> list[str]:
    """Reports with a near-duplicate text in campaigns not already in ``known``.

    Candidates share an LSH band; per campaign only the few candidates sharing the most bands
    are compared, so a join costs the same however big the campaigns grow."""
    pairs = list(enumerate(fp.bands))
    shared = func.count().label("shared")
    rows = session.execute(
        select(TextBand.report_id, Report.campaign_id, shared)
        .join(Report, Report.id == TextBand.report_id)
        .where(tuple_(TextBand.band, TextBand.hash).in_(pairs), TextBand.report_id != report_id)
        .group_by(TextBand.report_id, Report.campaign_id)
        .order_by(shared.desc(), TextBand.report_id)
        .limit(500)
    ).all()
    per_campaign: dict[int | None, list[str]] = {}
    for rid, cid, _ in rows:
        if cid not in known and len(per_campaign.setdefault(cid, [])) < _PROBES:
            per_campaign[cid].append(rid)
    probe = [rid for rids in per_campaign.values() for rid in rids]
    if not probe:
        return []
    signatures = dict(
        session.execute(
            select(FingerprintRow.report_id, FingerprintRow.signature).where(
                FingerprintRow.report_id.in_(probe)
            )
        ).all()
    )
    found: list[str] = []
    for rids in per_campaign.values():
        for rid in rids:
            if similarity(fp.signature, signatures.get(rid, [])) >= threshold:
                found.append(rid)
                break
    return sorted(found)


def _merge(session: Session, target: Campaign, others: Sequence[Campaign]) -> None:
    ids = [c.id for c in others]
    session.execute(
        update(CampaignIndicator)
        .where(CampaignIndicator.campaign_id.in_(ids))
        .values(campaign_id=target.id)
    )
    session.execute(update(Report).where(Report.campaign_id.in_(ids)).values(campaign_id=target.id))
    for other in others:
        if _STATUS_RANK.get(other.status, 0) > _STATUS_RANK.get(target.status, 0):
            target.status = other.status
        target.first_seen = min(as_utc(target.first_seen), as_utc(other.first_seen))
        target.last_seen = max(as_utc(target.last_seen), as_utc(other.last_seen))
        other.merged_into = target.id
        other.status = "merged"
        other.report_count = 0


def _store_fingerprint(session: Session, report_id: str, fp: TextFingerprint | None) -> None:
    session.execute(delete(TextBand).where(TextBand.report_id == report_id))
    session.execute(delete(FingerprintRow).where(FingerprintRow.report_id == report_id))
    if fp is None:
        return
    session.add(FingerprintRow(report_id=report_id, signature=list(fp.signature)))
    session.add_all(TextBand(report_id=report_id, band=i, hash=h) for i, h in enumerate(fp.bands))


def _link_indicators(
    session: Session, report_id: str, target: Campaign, keys: Sequence[CampaignKey], at: datetime
) -> None:
    existing = {
        (row.kind, row.value): row
        for row in session.scalars(
            select(CampaignIndicator).where(
                tuple_(CampaignIndicator.kind, CampaignIndicator.value).in_([k.key for k in keys])
            )
        )
    }
    linked = set(
        session.scalars(
            select(ReportIndicator.indicator_id).where(ReportIndicator.report_id == report_id)
        )
    )
    fresh = [
        CampaignIndicator(
            kind=key.kind,
            value=key.value,
            display=key.display,
            campaign_id=target.id,
            first_seen=at,
            last_seen=at,
            hits=0,
        )
        for key in keys
        if key.key not in existing
    ]
    if fresh:
        session.add_all(fresh)
        session.flush()
        existing.update({(row.kind, row.value): row for row in fresh})
    for key in keys:
        row = existing[key.key]
        if row.id not in linked:
            row.hits += 1
            row.last_seen = max(as_utc(row.last_seen), at)
            session.add(ReportIndicator(report_id=report_id, indicator_id=row.id))


def join_campaign(
    session: Session,
    report: Report,
    keys: Sequence[CampaignKey],
    fp: TextFingerprint | None,
    *,
    threshold: float,
) -> JoinResult:
    """Join ``report`` into the campaign of its keys and near-duplicates (one transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": JOIN_LOCK_KEY})
    at = as_utc(report.created_at)
    ids: set[int] = set()
    if keys:
        ids.update(
            session.scalars(
                select(CampaignIndicator.campaign_id).where(
                    tuple_(CampaignIndicator.kind, CampaignIndicator.value).in_(
                        [k.key for k in keys]
                    )
                )
            )
        )
    if report.campaign_id is not None:
        ids.add(report.campaign_id)
    dups = _near_duplicates(session, report.id, fp, threshold, ids) if fp is not None else []
    if not keys and not dups and fp is None and report.campaign_id is None:
        return JoinResult(None, (), 0, ())
    if dups:
        ids.update(
            c
            for c in session.scalars(select(Report.campaign_id).where(Report.id.in_(dups)))
            if c is not None
        )
    campaigns = sorted(
        session.scalars(select(Campaign).where(Campaign.id.in_(ids))), key=lambda c: c.id
    )
    if campaigns:
        target, others = campaigns[0], campaigns[1:]
        if others:
            _merge(session, target, others)
    else:
        target = Campaign(status="open", report_count=0, first_seen=at, last_seen=at)
        session.add(target)
        session.flush()
        others = []
    _link_indicators(session, report.id, target, keys, at)
    _store_fingerprint(session, report.id, fp)
    report.campaign_id = target.id
    session.flush()
    target.report_count = (
        session.scalar(
            select(func.count()).select_from(Report).where(Report.campaign_id == target.id)
        )
        or 0
    )
    target.first_seen = min(as_utc(target.first_seen), at)
    target.last_seen = max(as_utc(target.last_seen), at)
    return JoinResult(target.id, tuple(c.id for c in others), len(keys), tuple(dups))


def live_campaign(session: Session, campaign_id: int) -> Campaign:
    seen: set[int] = set()
    campaign = session.get(Campaign, campaign_id)
    while campaign is not None and campaign.merged_into is not None and campaign.id not in seen:
        seen.add(campaign.id)
        campaign = session.get(Campaign, campaign.merged_into)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} does not exist")
    return campaign


def _summary(c: Campaign, brands: Iterable[str], channels: Iterable[str]) -> dict[str, Any]:
    return {
        "id": c.id,
        "status": c.status,
        "reports": c.report_count,
        "first_seen": as_utc(c.first_seen).isoformat(),
        "last_seen": as_utc(c.last_seen).isoformat(),
        "brands": sorted(set(brands)),
        "channels": sorted(set(channels)),
    }


def list_campaigns(session: Session, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Live campaigns, most recently active first, with brands and channels."""
    rows = list(
        session.scalars(
            select(Campaign)
            .where(Campaign.merged_into.is_(None))
            .order_by(Campaign.last_seen.desc(), Campaign.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    ids = [c.id for c in rows]
    tags: dict[int, tuple[set[str], set[str]]] = {i: (set(), set()) for i in ids}
    for cid, brand, channel in session.execute(
        select(Report.campaign_id, Report.brand, Report.channel)
        .where(Report.campaign_id.in_(ids))
        .distinct()
    ):
        if cid is None:
            continue
        if brand:
            tags[cid][0].add(brand)
        tags[cid][1].add(channel)
    return [_summary(c, *tags[c.id]) for c in rows]


def campaign_detail(session: Session, campaign_id: int) -> dict[str, Any]:
    """A campaign with its indicators (and which reports carry each) and its reports."""
    campaign = live_campaign(session, campaign_id)
    reports = list(
        session.scalars(
            select(Report).where(Report.campaign_id == campaign.id).order_by(Report.created_at)
        )
    )
    indicators = list(
        session.scalars(
            select(CampaignIndicator)
            .where(CampaignIndicator.campaign_id == campaign.id)
            .order_by(CampaignIndicator.kind, CampaignIndicator.value)
        )
    )
    links = session.execute(
        select(ReportIndicator.report_id, ReportIndicator.indicator_id).where(
            ReportIndicator.indicator_id.in_([i.id for i in indicators])
        )
    ).all()
    by_indicator: dict[int, list[str]] = {}
    for rid, iid in links:
        by_indicator.setdefault(iid, []).append(rid)
    out = _summary(
        campaign,
        (r.brand for r in reports if r.brand),
        (r.channel for r in reports),
    )
    out["requested_id"] = campaign_id
    out["schemes"] = sorted({r.scheme for r in reports if r.scheme})
    out["indicators"] = [
        {
            "id": i.id,
            "kind": i.kind,
            "value": i.display or i.value,
            "hits": i.hits,
            "first_seen": as_utc(i.first_seen).isoformat(),
            "last_seen": as_utc(i.last_seen).isoformat(),
            "reports": sorted(by_indicator.get(i.id, [])),
        }
        for i in indicators
    ]
    out["report_list"] = [
        {
            "id": r.id,
            "created_at": as_utc(r.created_at).isoformat(),
            "channel": r.channel,
            "status": r.status,
            "verdict": r.verdict,
            "score": r.score,
            "brand": r.brand,
            "scheme": r.scheme,
            "decision": r.decision,
            "summary": (r.text or r.url or r.phone or r.description or "")[:160],
        }
        for r in reports
    ]
    return out
