"""The audit log: who changed what, when. Summaries never hold personal data or secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.store.db import Store
from qalxan.store.models.core import AuditRow

__all__ = ["AuditEntry", "AuditLog", "aware", "record_audit"]


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "summary": self.summary,
        }


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: dict[str, Any] | None = None,
) -> None:
    """Add an audit line inside the caller's write transaction (so both land or neither)."""
    session.add(
        AuditRow(
            at=datetime.now(UTC),
            actor=actor[:100],
            action=action[:64],
            object_type=object_type[:64],
            object_id=object_id[:200],
            summary=summary or {},
        )
    )


class AuditLog:
    """Reads the audit log."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def entries(
        self, *, object_type: str | None = None, object_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Newest first."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if object_type is not None:
            query = query.where(AuditRow.object_type == object_type)
        if object_id is not None:
            query = query.where(AuditRow.object_id == object_id)
        with self.store.read() as session:
            return [
                AuditEntry(
                    r.id, aware(r.at), r.actor, r.action, r.object_type, r.object_id, r.summary
                )
                for r in session.scalars(query)
            ]
