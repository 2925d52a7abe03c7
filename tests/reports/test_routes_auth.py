"""Every route of this area obeys the route-auth rule of the core walk: public routes never
answer 401/403/5xx; private ones depend on a scope check and answer 401 without a key or with a
bad key, and 403 with a key of another scope."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from qalxan.api.routes import reports
from qalxan.web import analyst, routes

from .support import BANK_KEY

ROUTERS = (reports.router, routes.router, analyst.router)


def scopes_of(dependant: Dependant) -> frozenset[str] | None:
    for sub in dependant.dependencies:
        found = getattr(sub.call, "__qalxan_scopes__", None)
        if found is not None:
            return frozenset(found)
        deeper = scopes_of(sub)
        if deeper is not None:
            return deeper
    return None


def test_routes_follow_the_auth_rule(make_client: Callable[..., TestClient]) -> None:
    client = make_client(reports_workers=0)
    seen_public, seen_private = 0, 0
    for route in [r for router in ROUTERS for r in router.routes]:
        if not isinstance(route, APIRoute):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            body = {"json": {}} if method == "POST" else {}
            where = (method, route.path)
            if (route.openapi_extra or {}).get("x-qalxan-public"):
                seen_public += 1
                answer = client.request(method, path, **body)  # type: ignore[arg-type]
                assert answer.status_code not in (401, 403) and answer.status_code < 500, where
                continue
            seen_private += 1
            scopes = scopes_of(route.dependant)
            assert scopes is not None, where
            assert client.request(method, path, **body).status_code == 401, where  # type: ignore[arg-type]
            bad = {"X-API-Key": "qx_not-a-real-key"}
            assert client.request(method, path, headers=bad, **body).status_code == 401, where  # type: ignore[arg-type]
            if "bank" not in scopes:
                wrong = {"X-API-Key": BANK_KEY}
                answer = client.request(method, path, headers=wrong, **body)  # type: ignore[arg-type]
                assert answer.status_code == 403, where
    assert seen_public >= 8 and seen_private >= 12


def test_analyst_pages_open_with_an_analyst_key(make_client: Callable[..., TestClient]) -> None:
    from .support import ANALYST_KEY

    client = make_client(reports_workers=0)
    page = client.get("/analyst/stats", headers={"X-API-Key": ANALYST_KEY})
    assert page.status_code == 200 and "key:analyst-1" in page.text
