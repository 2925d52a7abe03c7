"""Durability against a real server: ``qalxan serve`` killed with SIGKILL loses no report,
and enrichment cut off by the crash completes after restart."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from qalxan.store import Store
from qalxan.store.jobs import JobQueue
from qalxan.store.models.reports import Job, Report

from .support import FAKE_BUYER_SMS

QALXAN = Path(sys.executable).with_name("qalxan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: Path, tmp: Path, workers: int) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "QALXAN_DATABASE_URL": f"sqlite:///{db}",
            "QALXAN_VAR_DIR": str(tmp),
            "QALXAN_REPORTS_WORKERS": str(workers),
            "QALXAN_REPORTS_POLL_INTERVAL_S": "0.1",
            "QALXAN_REPORTS_JOB_LEASE_S": "2",
            "QALXAN_LOG_LEVEL": "warning",
        }
        self.proc = subprocess.Popen(
            [str(QALXAN), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        if s.proc.poll() is None:
            s.kill()


@pytest.mark.slow
def test_acknowledged_report_survives_sigkill_and_is_enriched_after_restart(
    tmp_path: Path, servers: list[Server]
) -> None:
    db = tmp_path / "qalxan.db"
    first = Server(db, tmp_path, workers=0)  # an API node: nothing enriches yet
    servers.append(first)
    body = {"text": FAKE_BUYER_SMS, "client_key": "sigkill-test-0001"}
    answer = httpx.post(first.url + "/v1/reports", json=body, timeout=10)
    assert answer.status_code == 202
    rid = answer.json()["id"]
    other = httpx.post(
        first.url + "/v1/reports", json={"phone": "+994 50 777 66 55"}, timeout=10
    ).json()["id"]
    # A worker elsewhere claims the second job and dies mid-way (its lease is 2 s).
    store = Store(f"sqlite:///{db}")
    claimed = JobQueue(store).claim("doomed-worker", lease_s=2, max_attempts=5)
    assert claimed is not None and claimed.payload["report_id"] == rid
    first.kill()

    with store.read() as session:  # still there after SIGKILL, still waiting for enrichment
        assert session.get(Report, rid).status == "received"  # type: ignore[union-attr]
        assert session.get(Report, other).status == "received"  # type: ignore[union-attr]
        assert {j.state for j in session.scalars(select(Job))} == {"queued", "running"}

    second = Server(db, tmp_path, workers=1)
    servers.append(second)
    replay = httpx.post(second.url + "/v1/reports", json=body, timeout=10)
    assert replay.json()["id"] == rid, "the same client_key still gives the same report"
    deadline = time.monotonic() + 30
    states: set[str] = set()
    while time.monotonic() < deadline:
        with store.read() as session:
            states = {j.state for j in session.scalars(select(Job))}
        if states == {"done"}:
            break
        time.sleep(0.2)
    assert states == {"done"}
    with store.read() as session:
        jobs = {j.payload["report_id"]: j for j in session.scalars(select(Job))}
        assert jobs[rid].attempts == 2, "the dead worker's job was claimed again"
        for report_id in (rid, other):
            report = session.get(Report, report_id)
            assert report is not None and report.status == "enriched"
            assert report.campaign_id is not None
    listing = subprocess.run(
        [str(QALXAN), "reports", "list", "--json"],
        env=second.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    docs = [json.loads(line) for line in listing.stdout.splitlines()]
    assert {d["id"] for d in docs} == {rid, other}
    assert all(d["status"] == "enriched" and d["campaign_id"] for d in docs)
    portal = httpx.get(second.url + "/", timeout=10)
    assert portal.status_code == 200 and '<html lang="az">' in portal.text  # the main page
    second.kill()
    store.dispose()
