"""DDoS alert events -> the store, a webhook and a notify command.

Each sink receives ``{"event": "start|update|end", "time": ..., "attack": {...}}``. A sink
that fails is logged and counted; it never stops detection.
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpx
from sqlalchemy import select

from qalxan.store import Store
from qalxan.store.models.ddos import DdosAlert

__all__ = [
    "AlertDispatcher",
    "NotifySink",
    "StoreSink",
    "WebhookSink",
    "event_document",
    "list_alerts",
]

log = logging.getLogger(__name__)

Sink = Callable[[dict[str, Any]], None]


def event_document(kind: str, time: float, attack: dict[str, Any]) -> dict[str, Any]:
    """The JSON every sink receives."""
    return {"event": kind, "time": time, "attack": attack}


class StoreSink:
    """Upserts the attack row at each event."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, doc: dict[str, Any]) -> None:
        a = doc["attack"]
        with self.store.write() as session:
            row = session.get(DdosAlert, a["id"])
            if row is None:
                row = DdosAlert(id=a["id"], mitigation=[])
                session.add(row)
            row.victim = a["victim"]
            row.victim_kind = a["victim_kind"]
            row.host_group = a["host_group"]
            row.vector = a.get("vector")
            row.vectors = list(a["vectors"])
            row.state = a["state"] if doc["event"] != "end" else "ended"
            row.start, row.end, row.detected_at = a["start"], a["end"], a["detected_at"]
            row.peak_pps, row.peak_bps = a["peak_pps"], a["peak_bps"]
            row.confidence = a["confidence"]
            row.document = a
            if doc.get("mitigation"):
                row.mitigation = [*(row.mitigation or []), *doc["mitigation"]]


def list_alerts(
    store: Store,
    *,
    state: str | None = None,
    since: float | None = None,
    until: float | None = None,
    victim: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Stored alerts, newest first, filtered by state, attack time and victim."""
    q = select(DdosAlert)
    if state:
        q = q.where(DdosAlert.state == state)
    if since is not None:
        q = q.where(DdosAlert.end >= since)
    if until is not None:
        q = q.where(DdosAlert.start <= until)
    if victim:
        q = q.where(DdosAlert.victim == victim)
    q = q.order_by(DdosAlert.start.desc(), DdosAlert.id).limit(limit)
    with store.read() as session:
        return [
            {**row.document, "state": row.state, "mitigation": row.mitigation or []}
            for row in session.scalars(q)
        ]


class WebhookSink:
    """POSTs each event as JSON to an operator-configured URL."""

    def __init__(
        self, url: str, *, timeout: float = 5.0, client: httpx.Client | None = None
    ) -> None:
        self.url = url
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=False)

    def __call__(self, doc: dict[str, Any]) -> None:
        resp = self.client.post(self.url, json=doc)
        resp.raise_for_status()

    def close(self) -> None:
        self.client.close()


class NotifySink:
    """Runs a command (no shell) with the event JSON on stdin."""

    def __init__(self, command: str | Sequence[str], *, timeout: float = 10.0) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        self.timeout = timeout

    def __call__(self, doc: dict[str, Any]) -> None:
        subprocess.run(
            self.argv,
            input=json.dumps(doc, ensure_ascii=False).encode(),
            timeout=self.timeout,
            check=True,
            capture_output=True,
        )


class AlertDispatcher:
    """Fans each event out to every sink; failures are logged and counted per sink."""

    def __init__(self, sinks: Iterable[Sink]) -> None:
        self.sinks = list(sinks)
        self.failures: dict[str, int] = {}

    def __call__(self, doc: dict[str, Any]) -> None:
        for sink in self.sinks:
            try:
                sink(doc)
            except Exception as exc:  # a sink must never stop detection
                name = type(sink).__name__
                self.failures[name] = self.failures.get(name, 0) + 1
                log.warning("ddos alert sink %s failed: %s", name, exc)
