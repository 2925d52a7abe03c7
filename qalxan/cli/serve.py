"""``qalxan serve``: migrate, load reference data, serve API and portal."""

from __future__ import annotations

import typer

from qalxan.cli.common import err_console, get_settings

__all__ = ["serve"]


def serve(
    host: str = typer.Option(None, help="Address to listen on (default: QALXAN_HOST)."),
    port: int = typer.Option(None, help="Port to listen on (default: QALXAN_PORT)."),
) -> None:
    """Apply pending migrations, load reference data (idempotent) and start the server."""
    import uvicorn

    from qalxan.api import create_app
    from qalxan.service.bootstrap import prepare
    from qalxan.store import Store

    settings = get_settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    store = Store(settings.database_url)
    summary = prepare(settings, store)
    err_console.print(f"store ready: {summary}")
    app = create_app(settings, store=store)
    err_console.print(f"Qalxan is serving on http://{settings.host}:{settings.port}")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())
