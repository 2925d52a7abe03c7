"""Intake, job queue and campaigns on the real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from qalxan.domain.errors import ConflictError
from qalxan.service import Engine
from qalxan.service.reports import NewReport, ReportService
from qalxan.service.worker import WorkerPool
from qalxan.settings import Settings
from qalxan.store import Store, utcnow
from qalxan.store.campaigns import campaign_detail, list_campaigns
from qalxan.store.jobs import JobQueue
from qalxan.store.models.reports import Campaign, CampaignIndicator, Job, Report
from qalxan.store.reports import decision_stats, record_decision

from .support import FAKE_BUYER_SMS, scam_message_detector, scam_url_detector


def service_for(store: Store, **overrides: object) -> ReportService:
    settings = Settings(database_url=store.url, **overrides)  # type: ignore[arg-type]
    engine = Engine(settings)
    engine.register("message", scam_message_detector())
    engine.register("url", scam_url_detector())
    return ReportService(settings, store, engine)


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_same_client_key_gives_the_same_report(store: Store) -> None:
    service = service_for(store)
    new = NewReport(text=FAKE_BUYER_SMS, client_key="client-key-0001")
    first = service.submit(new)
    again = service.submit(new)
    assert first.created and not again.created
    assert again.id == first.id
    with pytest.raises(ConflictError):
        service.submit(NewReport(text="another text entirely", client_key="client-key-0001"))
    assert count(store, Report) == 1
    assert count(store, Job) == 1


def test_concurrent_submissions_with_one_key_store_one_report(store: Store) -> None:
    service = service_for(store)
    new = NewReport(url="https://azerpost-pay.site/x", client_key="race-key-000042")
    ids: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        barrier.wait()
        try:
            ids.append(service.submit(new).id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(ids)) == 1 and len(ids) == 6
    assert count(store, Report) == 1 and count(store, Job) == 1


def test_expired_lease_is_reclaimed_after_a_crash(store: Store) -> None:
    with store.write() as session:
        JobQueue.enqueue(session, "enrich_report", {"report_id": "x"})
    now = [utcnow()]
    queue = JobQueue(store, clock=lambda: now[0])
    job = queue.claim("worker-a", lease_s=30, max_attempts=5)
    assert job is not None and job.attempts == 1
    # worker-a dies (no complete); before the lease runs out nobody else can take the job
    assert queue.claim("worker-b", lease_s=30, max_attempts=5) is None
    now[0] += timedelta(seconds=31)
    again = queue.claim("worker-b", lease_s=30, max_attempts=5)
    assert again is not None and again.id == job.id and again.attempts == 2
    assert not queue.complete(job.id, "worker-a"), "a lost lease must not complete the job"
    assert queue.complete(job.id, "worker-b")
    assert queue.counts() == {"done": 1}


def test_reports_join_and_campaigns_merge(store: Store) -> None:
    service = service_for(store)
    a = service.submit(NewReport(url="https://azerpost-odenis.site/a"))
    b = service.submit(NewReport(phone="+994 50 555 12 34", channel="call"))
    ra, rb = service.enrich(a.id), service.enrich(b.id)
    assert ra.campaign_id != rb.campaign_id
    c = service.submit(
        NewReport(text="Pulu almaq üçün https://azerpost-odenis.site/b açın, sual olsa 0505551234")
    )
    rc = service.enrich(c.id)
    assert rc.campaign_id == min(ra.campaign_id or 0, rb.campaign_id or 0)
    assert rc.merged == (max(ra.campaign_id or 0, rb.campaign_id or 0),)
    with store.read() as session:
        detail = campaign_detail(session, rc.merged[0])  # a merged id resolves to the survivor
        assert detail["id"] == rc.campaign_id and detail["reports"] == 3
        kinds = {i["kind"] for i in detail["indicators"]}
        assert {"domain", "host", "url", "phone"} <= kinds
        assert detail["channels"] == ["call", "sms", "web"]
        assert detail["brands"] == ["azerpost"]
        assert [c["id"] for c in list_campaigns(session)] == [rc.campaign_id]


def test_near_duplicate_texts_join_without_shared_indicators(store: Store) -> None:
    service = service_for(store)
    text = "Təbriklər! Siz 500 AZN bonus qazandınız. Bonusu almaq üçün bu gün qeydiyyatdan keçin"
    r1 = service.enrich(service.submit(NewReport(text=text)).id)
    r2 = service.enrich(service.submit(NewReport(text=text.replace("500", "700") + "!!")).id)
    r3 = service.enrich(
        service.submit(NewReport(text="Sabah görüşək, kitabı da gətir zəhmət olmasa, unutma")).id
    )
    assert r1.campaign_id == r2.campaign_id
    assert r2.near_duplicates
    assert r3.campaign_id != r1.campaign_id


def test_enrichment_is_idempotent(store: Store) -> None:
    service = service_for(store)
    rid = service.submit(NewReport(text=FAKE_BUYER_SMS)).id
    first = service.enrich(rid)
    second = service.enrich(rid)
    assert first.campaign_id == second.campaign_id
    with store.read() as session:
        hits = session.scalars(select(CampaignIndicator.hits)).all()
        report = session.get(Report, rid)
        assert report is not None and report.verdict == "malicious"
        assert report.scheme == "fake_buyer" and report.brand == "azerpost"
    assert set(hits) == {1}


def test_concurrent_intake_merges_a_chain_into_one_campaign(store: Store) -> None:
    """Report i carries number i and number i+1: every report links to the next, so the
    chain is one campaign whatever order the workers join them in."""
    service = service_for(store, reports_job_lease_s=60)
    n = 24
    numbers = [f"+99450{7000000 + i:07d}" for i in range(n + 1)]
    order = list(range(n))
    random.Random(7).shuffle(order)
    intake_errors: list[BaseException] = []

    def intake(part: list[int]) -> None:
        try:
            for i in part:
                service.submit(
                    NewReport(
                        phone=numbers[i],
                        description=f"yazan nömrə {numbers[i + 1]}",
                        channel="call",
                    )
                )
        except BaseException as exc:  # pragma: no cover
            intake_errors.append(exc)

    pool = WorkerPool(service, 4)
    pool.start()
    try:
        writers = [threading.Thread(target=intake, args=(order[k::3],)) for k in range(3)]
        for t in writers:
            t.start()
        for t in writers:
            t.join()
        assert not intake_errors
        deadline = utcnow() + timedelta(seconds=60)
        while service.queue.counts().get("done", 0) < n and utcnow() < deadline:
            threading.Event().wait(0.1)
    finally:
        pool.stop()
    assert service.queue.counts() == {"done": n}
    with store.read() as session:
        live = session.scalars(select(Campaign).where(Campaign.merged_into.is_(None))).all()
        assert len(live) == 1
        target = live[0]
        assert target.report_count == n
        owners = set(session.scalars(select(CampaignIndicator.campaign_id)))
        assert owners == {target.id}
        assert set(session.scalars(select(Report.campaign_id))) == {target.id}
        assert session.scalar(select(func.count()).select_from(CampaignIndicator)) == n + 1


def test_decisions_record_who_and_feed_statistics(store: Store) -> None:
    service = service_for(store)
    rid = service.submit(NewReport(text=FAKE_BUYER_SMS)).id
    cid = service.enrich(rid).campaign_id
    with store.write() as session:
        row = record_decision(
            session, target="report", target_id=rid, decision="confirm", analyst="aysel"
        )
        assert row.analyst == "aysel" and row.created_at is not None
        record_decision(
            session, target="campaign", target_id=str(cid), decision="confirm", analyst="aysel"
        )
    with store.read() as session:
        stats = decision_stats(session)
        assert session.get(Campaign, cid).status == "confirmed"  # type: ignore[union-attr]
    assert stats["decisions_total"] == 2
    assert stats["decisions_by_verdict"]["malicious"] == {"confirm": 1, "reject": 0}
    assert stats["flagged_confirmed_share"] == 1.0
    assert stats["last_decision"]["analyst"] == "aysel"


def test_page_detector_runs_only_when_fetching_is_allowed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two lures on different domains serving the same kit join through the page fingerprint."""
    from qalxan.domain.verdict import Indicator, Reason, Verdict
    from qalxan.service import page as page_service

    fetched: list[str] = []

    def analyze_url(
        engine: object, url: str, render: bool = False, store: object = None
    ) -> Verdict:
        assert render is False
        fetched.append(url)
        reason = Reason("page.card_form", 0.9, "form[action]", {"en": "asks for a card"})
        kit = Indicator("fingerprint", "kit:azerpost-v3")
        return Verdict.from_reasons("page", url, [reason], indicators=[kit], brand="azerpost")

    monkeypatch.setattr(page_service, "analyze_url", analyze_url, raising=False)
    off = service_for(store)
    off.enrich(off.submit(NewReport(url="https://first-lure.site/pay")).id)
    assert fetched == [], "fetching is off by default"
    on = service_for(store, reports_fetch_pages=True)
    a = on.enrich(on.submit(NewReport(url="https://second-lure.site/pay")).id)
    b = on.enrich(on.submit(NewReport(url="https://third-lure.online/p")).id)
    assert fetched == ["https://second-lure.site/pay", "https://third-lure.online/p"]
    assert a.campaign_id == b.campaign_id
    with store.read() as session:
        detail = campaign_detail(session, a.campaign_id or 0)
    assert {"kind": "fingerprint", "value": "kit:azerpost-v3"}.items() <= {
        k: v for i in detail["indicators"] if i["kind"] == "fingerprint" for k, v in i.items()
    }.items()
    assert detail["brands"] == ["azerpost"]
