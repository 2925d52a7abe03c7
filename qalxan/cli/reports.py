"""``qalxan reports``: list reports with their verdict and campaign; run enrichment workers."""

from __future__ import annotations

import typer

from qalxan.cli.common import emit_json, err_console, get_settings

__all__ = ["app"]

app = typer.Typer(help="Citizen and partner reports.", no_args_is_help=True)


@app.command("list")
def list_command(
    json_out: bool = typer.Option(False, "--json", help="One JSON object per report and line."),
    limit: int = typer.Option(100, help="How many reports (newest first)."),
    status: str = typer.Option(None, help="Only reports in this status (received, enriched...)."),
) -> None:
    """List reports, newest first, with verdict, score and campaign."""
    from qalxan.store import Store
    from qalxan.store.reports import list_reports, report_document

    store = Store(get_settings().database_url)
    store.migrate()
    with store.read() as session:
        docs = [
            report_document(r, full=False)
            for r in list_reports(session, limit=limit, status=status)
        ]
    if json_out:
        for doc in docs:
            emit_json(doc)
        return
    from rich.table import Table

    table = Table("id", "received", "channel", "status", "verdict", "score", "campaign")
    for d in docs:
        score = "" if d["score"] is None else f"{d['score']:.2f}"
        table.add_row(
            d["id"],
            d["created_at"][:19],
            d["channel"],
            d["status"],
            d["verdict"] or "",
            score,
            str(d["campaign_id"] or ""),
        )
    from rich.console import Console

    Console().print(table)


@app.command("work")
def work_command(
    once: bool = typer.Option(False, "--once", help="Work until the queue is empty, then stop."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary at the end."),
) -> None:
    """Work the enrichment queue in this process (a worker node at scale)."""
    from qalxan.service import Engine
    from qalxan.service.reports import ReportService
    from qalxan.service.worker import WorkerPool
    from qalxan.store import Store

    settings = get_settings()
    store = Store(settings.database_url)
    store.migrate()
    service = ReportService(settings, store, Engine(settings))
    pool = WorkerPool(service, max(1, settings.reports_workers))
    done = 0
    if once:
        while pool.run_once():
            done += 1
    else:
        pool.start()
        err_console.print("working the report queue; Ctrl-C stops")
        try:
            import threading

            threading.Event().wait()
        except KeyboardInterrupt:
            pool.stop()
    if json_out:
        emit_json({"jobs": done, "queue": service.queue.counts()})
    else:
        typer.echo(f"{done} jobs done; queue: {service.queue.counts()}")
