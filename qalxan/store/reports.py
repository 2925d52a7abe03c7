"""Reports repository: documents of reports, analyst decisions and the statistics they feed."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qalxan.domain.errors import NotFoundError, ParseError
from qalxan.store.base import utcnow
from qalxan.store.campaigns import live_campaign
from qalxan.store.jobs import as_utc
from qalxan.store.models.reports import Campaign, Decision, Report, ReportEmail

__all__ = [
    "DECISIONS",
    "decision_stats",
    "get_report",
    "list_reports",
    "record_decision",
    "report_document",
]

DECISIONS: tuple[str, ...] = ("confirm", "reject")
_STATE = {"confirm": "confirmed", "reject": "rejected"}


def get_report(session: Session, report_id: str) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} does not exist")
    return report


def report_document(
    report: Report, email: ReportEmail | None = None, *, full: bool = True
) -> dict[str, Any]:
    """The JSON document of a report (``full`` adds the fields and stored verdicts)."""
    out: dict[str, Any] = {
        "id": report.id,
        "status": report.status,
        "created_at": as_utc(report.created_at).isoformat(),
        "channel": report.channel,
        "source": report.source,
        "verdict": report.verdict,
        "score": report.score,
        "brand": report.brand,
        "scheme": report.scheme,
        "campaign_id": report.campaign_id,
        "decision": report.decision,
    }
    if full:
        out.update(
            url=report.url,
            text=report.text,
            phone=report.phone,
            sender=report.sender,
            description=report.description,
            lang=report.lang,
            partner=report.partner,
            enriched_at=as_utc(report.enriched_at).isoformat() if report.enriched_at else None,
            verdicts=report.verdicts or {},
        )
        if email is not None:
            out["email"] = {
                "subject": email.subject,
                "from": email.from_addr,
                "reply_to": email.reply_to,
                "date": email.date,
                "message_id": email.message_id,
                "links": email.links,
                "attachments": email.attachments,
                "headers": email.headers,
            }
    return out


def list_reports(
    session: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    status: str | None = None,
    campaign_id: int | None = None,
) -> list[Report]:
    """Reports, newest first."""
    stmt = select(Report).order_by(Report.created_at.desc(), Report.id)
    if status:
        stmt = stmt.where(Report.status == status)
    if campaign_id is not None:
        stmt = stmt.where(Report.campaign_id == campaign_id)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def record_decision(
    session: Session,
    *,
    target: Literal["report", "campaign"],
    target_id: str,
    decision: str,
    analyst: str,
    note: str | None = None,
) -> Decision:
    """Confirm or reject the verdict of a report, or of a campaign and all its reports."""
    if decision not in DECISIONS:
        raise ParseError(f"must be one of {', '.join(DECISIONS)}", field="decision")
    now = utcnow()
    if target == "report":
        report = get_report(session, target_id)
        report.decision = _STATE[decision]
        row = Decision(
            target="report",
            report_id=report.id,
            campaign_id=report.campaign_id,
            decision=decision,
            verdict_at_decision=report.verdict,
            analyst=analyst,
            note=note,
            created_at=now,
        )
    else:
        try:
            campaign = live_campaign(session, int(target_id))
        except ValueError:
            raise NotFoundError(f"campaign {target_id} does not exist") from None
        campaign.status = _STATE[decision]
        for report in session.scalars(select(Report).where(Report.campaign_id == campaign.id)):
            report.decision = _STATE[decision]
        row = Decision(
            target="campaign",
            campaign_id=campaign.id,
            decision=decision,
            verdict_at_decision=None,
            analyst=analyst,
            note=note,
            created_at=now,
        )
    session.add(row)
    session.flush()
    return row


def decision_stats(session: Session) -> dict[str, Any]:
    """Counts that decisions feed: reports by status and verdict, decisions per verdict label,
    and the share of automatic verdicts analysts confirmed (precision as analysts see it)."""
    by_status = dict(
        session.execute(select(Report.status, func.count()).group_by(Report.status)).all()
    )
    by_verdict = {
        verdict or "none": n
        for verdict, n in session.execute(
            select(Report.verdict, func.count()).group_by(Report.verdict)
        ).all()
    }
    rows = session.execute(
        select(Decision.verdict_at_decision, Decision.decision, func.count())
        .where(Decision.target == "report")
        .group_by(Decision.verdict_at_decision, Decision.decision)
    ).all()
    table: dict[str, dict[str, int]] = {}
    for verdict, decision, n in rows:
        table.setdefault(verdict or "none", {"confirm": 0, "reject": 0})[decision] = int(n)
    flagged = [table.get(v, {"confirm": 0, "reject": 0}) for v in ("malicious", "suspicious")]
    confirmed = sum(t["confirm"] for t in flagged)
    decided = confirmed + sum(t["reject"] for t in flagged)
    campaigns = dict(
        session.execute(
            select(Campaign.status, func.count())
            .where(Campaign.merged_into.is_(None))
            .group_by(Campaign.status)
        ).all()
    )
    last = session.execute(
        select(Decision.analyst, Decision.created_at).order_by(Decision.id.desc()).limit(1)
    ).first()
    return {
        "reports_by_status": {k: int(v) for k, v in by_status.items()},
        "reports_by_verdict": {k: int(v) for k, v in by_verdict.items()},
        "campaigns_by_status": {k: int(v) for k, v in campaigns.items()},
        "decisions_by_verdict": table,
        "flagged_confirmed_share": round(confirmed / decided, 4) if decided else None,
        "decisions_total": int(session.scalar(select(func.count()).select_from(Decision)) or 0),
        "last_decision": (
            {"analyst": last[0], "at": as_utc(last[1]).isoformat()} if last is not None else None
        ),
    }
