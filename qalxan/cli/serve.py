"""``qalxan serve``: migrate, load reference data, serve API and portal."""

from __future__ import annotations

import typer

from qalxan.cli.common import err_console, get_settings

__all__ = ["serve"]


def serve(
    host: str = typer.Option(None, help="Address to listen on (default: QALXAN_HOST)."),
    port: int = typer.Option(None, help="Port to listen on (default: QALXAN_PORT)."),
    workers: int = typer.Option(
        None, min=1, max=64, help="Worker processes on the port (default: QALXAN_WORKERS)."
    ),
) -> None:
    """Apply pending migrations, load reference data (idempotent) and start the server.

    With several workers each process builds its app from the same ``QALXAN_*``
    environment (``qalxan.api.asgi``); the store is prepared once, here, before they start.
    """
    import uvicorn

    from qalxan.api import create_app
    from qalxan.service.bootstrap import prepare
    from qalxan.store import Store

    settings = get_settings()
    given = {"host": host, "port": port, "workers": workers}
    overrides = {k: v for k, v in given.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    store = Store(settings.database_url)
    summary = prepare(settings, store)
    err_console.print(f"store ready: {summary}")
    level = settings.log_level.lower()
    where = f"http://{settings.host}:{settings.port}"
    if settings.workers > 1:
        store.dispose()
        err_console.print(f"Qalxan is serving on {where} ({settings.workers} worker processes)")
        uvicorn.run(
            "qalxan.api.asgi:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=level,
        )
        return
    app = create_app(settings, store=store)
    err_console.print(f"Qalxan is serving on {where}")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=level)
