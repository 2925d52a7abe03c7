"""Every route of the app: public ones answer without a key (never 500); every other one
answers 401 without a key and 403 with a key of the wrong scope.

The walk is generic: routes added by any area are covered as soon as they are in
ROUTER_MODULES. A private route must depend (directly or through another dependency) on a
callable carrying ``__qalxan_scopes__`` (``require_scope(...)`` does).
"""

from __future__ import annotations

import uuid
from typing import Any

import fastapi.routing
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.convertors import FloatConvertor, IntegerConvertor, UUIDConvertor

from qalxan.api.auth import PUBLIC, SCOPES, require_scope
from qalxan.settings import Settings

BODY_METHODS = {"POST", "PUT", "PATCH"}


def api_routes(app: FastAPI) -> list[Any]:
    """Every APIRoute of the app, with the path and dependencies it has once included.

    FastAPI >= 0.16x wraps included routers (``app.routes`` holds the wrappers); its
    ``iter_route_contexts`` flattens them. Older versions list the APIRoutes directly.
    """
    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if iter_contexts is None:
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return [rc for rc in iter_contexts(app.routes) if isinstance(rc.original_route, APIRoute)]


def accepted_scopes(dependant: Dependant) -> frozenset[str] | None:
    """Scopes of the first scope-checking dependency in the tree, or None if there is none."""
    for sub in dependant.dependencies:
        scopes = getattr(sub.call, "__qalxan_scopes__", None)
        if scopes is not None:
            return frozenset(scopes)
        found = accepted_scopes(sub)
        if found is not None:
            return found
    return None


def dummy_path(route: Any) -> str:
    values: dict[str, str] = {}
    for name, convertor in route.param_convertors.items():
        if isinstance(convertor, IntegerConvertor):
            values[name] = "1"
        elif isinstance(convertor, FloatConvertor):
            values[name] = "1.0"
        elif isinstance(convertor, UUIDConvertor):
            values[name] = str(uuid.UUID(int=1))
        else:
            values[name] = "x1"
    return route.path_format.format(**values)


def _send(client: TestClient, method: str, path: str, headers: dict[str, str] | None = None) -> Any:
    body = {"json": {}} if method in BODY_METHODS else {}
    return client.request(method, path, headers=headers or {}, **body)


def walk(app: FastAPI, client: TestClient, tokens: dict[str, str]) -> list[str]:
    """Problems found over every APIRoute of ``app`` (empty when all is well)."""
    problems: list[str] = []
    for route in api_routes(app):
        path = dummy_path(route)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            where = f"{method} {route.path}"
            if (route.openapi_extra or {}).get("x-qalxan-public"):
                resp = _send(client, method, path)
                if resp.status_code in (401, 403) or resp.status_code >= 500:
                    problems.append(f"{where}: public route answered {resp.status_code}")
                continue
            scopes = accepted_scopes(route.dependant)
            if scopes is None:
                problems.append(f"{where}: private route without require_scope")
                continue
            resp = _send(client, method, path)
            if resp.status_code != 401:
                problems.append(f"{where}: {resp.status_code} without a key, expected 401")
            resp = _send(client, method, path, {"X-API-Key": "qx_not-a-real-key"})
            if resp.status_code != 401:
                problems.append(f"{where}: {resp.status_code} with a bad key, expected 401")
            wrong = sorted(set(SCOPES) - scopes)
            if wrong:
                auth = {"Authorization": f"Bearer {tokens[wrong[0]]}"}
                resp = _send(client, method, path, auth)
                if resp.status_code != 403:
                    problems.append(f"{where}: {resp.status_code} with scope {wrong[0]}, not 403")
    return problems


def test_every_route_is_guarded(app: FastAPI, client: TestClient, tokens: dict[str, str]) -> None:
    routes = api_routes(app)
    assert {"/healthz", "/v1/brands", "/v1/keys"} <= {r.path for r in routes}
    assert any((r.openapi_extra or {}).get("x-qalxan-public") for r in routes)
    assert any(accepted_scopes(r.dependant) for r in routes)
    assert walk(app, client, tokens) == []


def test_walk_catches_an_unguarded_route(settings: Settings, tokens: dict[str, str]) -> None:
    """The walk itself can fail: an unguarded private route and a leaky one are reported."""
    from qalxan.api import create_app

    app = create_app(settings)
    router = APIRouter()

    @router.get("/v1/forgotten/{item}")
    def forgotten(item: str) -> dict[str, str]:
        return {"item": item}

    def lenient(_: object = Depends(require_scope("analyst", "operator", "bank", "isp"))) -> None:
        return None

    @router.post("/v1/sloppy")
    def sloppy(_: None = Depends(lenient)) -> dict[str, str]:
        return {}

    def fake_guard() -> None:  # claims scopes but checks nothing
        return None

    fake_guard.__qalxan_scopes__ = frozenset({"analyst"})  # type: ignore[attr-defined]

    @router.delete("/v1/fake/{n:int}", dependencies=[Depends(fake_guard)])
    def fake(n: int) -> dict[str, int]:
        return {"n": n}

    @router.get("/v1/open", openapi_extra=PUBLIC)
    def broken() -> dict[str, str]:
        raise RuntimeError("boom")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        problems = walk(app, client, tokens)
    assert "GET /v1/forgotten/{item}: private route without require_scope" in problems
    assert "GET /v1/open: public route answered 500" in problems
    assert "DELETE /v1/fake/{n:int}: 200 without a key, expected 401" in problems
    assert "DELETE /v1/fake/{n:int}: 200 with scope bank, not 403" in problems
    assert not [p for p in problems if "/v1/sloppy" in p]  # nested dependency is found
