"""The app factory: ``create_app(settings)``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from qalxan import __version__
from qalxan.api.routes import ROUTER_MODULES
from qalxan.domain.errors import (
    AuthError,
    ConflictError,
    NotFoundError,
    ParseError,
    QalxanError,
    ScopeError,
)
from qalxan.service import Engine
from qalxan.service.brands import stored_brands
from qalxan.settings import Settings
from qalxan.store import Store

__all__ = ["create_app"]


def _error(status: int, kind: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message, **extra}}, status_code=status)


def _field_error(error: Mapping[str, Any]) -> dict[str, str]:
    """``{"field": "domains.0", "reason": ...}`` from one pydantic/FastAPI error."""
    loc = [str(p) for p in error.get("loc", ())]
    if error.get("type") == "json_invalid":
        return {"field": "body", "reason": f"invalid JSON ({error.get('msg', '')})"}
    where = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    return {"field": ".".join(where) or (loc[0] if loc else "body"), "reason": error.get("msg", "")}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ParseError)
    async def _parse(_: Request, exc: ParseError) -> JSONResponse:
        return _error(422, "invalid_input", str(exc), field=exc.field, reason=exc.reason)

    @app.exception_handler(ScopeError)
    async def _scope(_: Request, exc: ScopeError) -> JSONResponse:
        return _error(403, "forbidden", str(exc))

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        resp = _error(401, "unauthorized", str(exc))
        resp.headers["WWW-Authenticate"] = "Bearer"
        return resp

    @app.exception_handler(NotFoundError)
    async def _missing(_: Request, exc: NotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return _error(409, "conflict", str(exc))

    @app.exception_handler(QalxanError)
    async def _other(_: Request, exc: QalxanError) -> JSONResponse:
        return _error(400, "bad_request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_field_error(e) for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        return _error(
            422,
            "invalid_input",
            f"{first['field']}: {first['reason']}",
            field=first["field"],
            reason=first["reason"],
            errors=errors,
        )


def create_app(
    settings: Settings, *, store: Store | None = None, engine: Engine | None = None
) -> FastAPI:
    """Build the API (and web portal) for ``settings``; nothing reads the environment here."""
    store = store or Store(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in app.state.startup_hooks:
            hook(app)
        yield
        for hook in reversed(app.state.shutdown_hooks):
            hook(app)

    app = FastAPI(
        title="Qalxan",
        version=__version__,
        lifespan=lifespan,
        description="National cyber-security service platform: checks, reports, feeds.",
    )
    app.state.settings = settings
    app.state.store = store
    # Analysts' edits live in the store; a store not yet migrated falls back to the seed.
    app.state.engine = engine or Engine(settings, stored_brands(store))
    app.state.key_resolver = lambda _token: None
    app.state.startup_hooks = []
    app.state.shutdown_hooks = []
    _install_error_handlers(app)
    for name in ROUTER_MODULES:
        module = importlib.import_module(name)
        app.include_router(module.router)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
    return app
