"""A durable job queue in the store: enqueue in the caller's transaction, claim with a lease.

A job is ``queued`` until a worker claims it: the claim sets ``state='running'``, a lease
(``locked_until``) and the worker's id, and counts the attempt. A worker that dies (crash,
SIGKILL) leaves the job ``running`` with a lease that runs out; the next claim takes it back.
Completion and failure only count when the worker still holds the lease. On PostgreSQL
claims use ``FOR UPDATE SKIP LOCKED`` so that many workers share the queue; on SQLite the
store's single writer serialises them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from qalxan.store.base import utcnow
from qalxan.store.db import Store
from qalxan.store.models.reports import Job

__all__ = ["ClaimedJob", "JobQueue", "as_utc"]


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job a worker holds the lease of."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class JobQueue:
    """Jobs of one store. ``clock`` is injectable so that tests can move time."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def enqueue(session: Session, kind: str, payload: dict[str, Any]) -> Job:
        """Add a job inside the caller's transaction (committed with the caller's rows)."""
        now = utcnow()
        job = Job(
            kind=kind,
            payload=payload,
            state="queued",
            attempts=0,
            run_after=now,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        return job

    def claim(self, worker: str, lease_s: float, max_attempts: int) -> ClaimedJob | None:
        """Take the oldest runnable job (queued and due, or running with an expired lease)."""
        now = self.clock()
        with self.store.write() as session:
            stmt = (
                select(Job)
                .where(
                    or_(
                        and_(Job.state == "queued", Job.run_after <= now),
                        and_(Job.state == "running", Job.locked_until < now),
                    )
                )
                .order_by(Job.run_after, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            job = session.scalars(stmt).first()
            if job is None:
                return None
            if job.attempts >= max_attempts:
                job.state = "failed"
                job.last_error = (job.last_error or "") + " (lease lost too often)"
                job.locked_until = None
                job.updated_at = now
                return None
            job.state = "running"
            job.attempts += 1
            job.locked_by = worker
            job.locked_until = now + timedelta(seconds=lease_s)
            job.updated_at = now
            return ClaimedJob(job.id, job.kind, dict(job.payload), job.attempts)

    def complete(self, job_id: int, worker: str) -> bool:
        """Mark done; False when the lease was lost to another worker."""
        with self.store.write() as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.locked_by == worker, Job.state == "running")
                .values(state="done", locked_until=None, updated_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def fail(self, job_id: int, worker: str, error: str, *, retry_in_s: float, final: bool) -> bool:
        """Record an error; requeue after ``retry_in_s`` unless ``final``."""
        now = self.clock()
        with self.store.write() as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.locked_by == worker, Job.state == "running")
                .values(
                    state="failed" if final else "queued",
                    last_error=error[:2000],
                    locked_until=None,
                    run_after=now + timedelta(seconds=retry_in_s),
                    updated_at=now,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def counts(self) -> dict[str, int]:
        """Jobs per state."""
        with self.store.read() as session:
            rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        return {state: int(n) for state, n in rows}
