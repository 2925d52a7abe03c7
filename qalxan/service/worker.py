"""Background workers over the durable job queue (threads in the server process).

Each worker claims one job at a time with a lease, runs its handler and marks it done. An
error requeues the job with a growing delay until ``reports_job_max_attempts``; a crash leaves
the lease to run out, and the job is claimed again after restart. Handlers must therefore be
idempotent (enrichment is: it recomputes and rewrites the same rows).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from qalxan.service.reports import ENRICH_JOB, ReportService
from qalxan.store.jobs import ClaimedJob, JobQueue

__all__ = ["WorkerPool"]

log = logging.getLogger(__name__)


class WorkerPool:
    """``count`` threads working the job queue of a :class:`ReportService`."""

    def __init__(self, service: ReportService, count: int) -> None:
        self.service = service
        self.settings = service.settings
        self.queue: JobQueue = service.queue
        self.count = count
        self.handlers: dict[str, Callable[[dict[str, Any]], object]] = {
            ENRICH_JOB: lambda payload: service.enrich(str(payload["report_id"])),
        }
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.name = f"w-{uuid.uuid4().hex[:8]}"
        service.listeners.append(self.wake)

    def wake(self) -> None:
        """New work arrived: stop waiting for the next poll."""
        self._wake.set()

    def run_once(self, worker: str | None = None) -> bool:
        """Claim and run one job; False when none was due."""
        worker = worker or self.name
        job = self.queue.claim(
            worker, self.settings.reports_job_lease_s, self.settings.reports_job_max_attempts
        )
        if job is None:
            return False
        self._execute(job, worker)
        return True

    def _execute(self, job: ClaimedJob, worker: str) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(job.payload)
        except Exception as exc:  # a failed job must not kill the worker
            final = job.attempts >= self.settings.reports_job_max_attempts
            log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
            self.queue.fail(
                job.id,
                worker,
                f"{type(exc).__name__}: {exc}",
                retry_in_s=2.0**job.attempts,
                final=final,
            )
            if final and job.kind == ENRICH_JOB:
                self.service.mark_failed(str(job.payload.get("report_id")), str(exc))
            return
        self.queue.complete(job.id, worker)

    def _loop(self, worker: str) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once(worker)
            except Exception:  # the store may be briefly unavailable; try again later
                log.exception("worker %s could not claim a job", worker)
                busy = False
            if not busy:
                self._wake.wait(self.settings.reports_poll_interval_s)
                self._wake.clear()

    def start(self) -> None:
        for i in range(self.count):
            worker = f"{self.name}-{i}"
            thread = threading.Thread(target=self._loop, args=(worker,), name=worker, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
