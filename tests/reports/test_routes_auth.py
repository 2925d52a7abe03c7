"""Every route of this area is either marked public or refuses callers without credentials."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from qalxan.api.routes import reports
from qalxan.web import analyst, routes

ROUTERS = (reports.router, routes.router, analyst.router)


def test_private_routes_answer_401_and_public_ones_carry_the_marker(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(reports_workers=0)
    seen_public, seen_private = 0, 0
    for route in [r for router in ROUTERS for r in router.routes]:
        if not isinstance(route, APIRoute):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        if (route.openapi_extra or {}).get("x-qalxan-public"):
            seen_public += 1
            continue
        seen_private += 1
        for method in route.methods:
            answer = client.request(method, path)
            assert answer.status_code in (401, 403), (method, route.path, answer.status_code)
    assert seen_public >= 8 and seen_private >= 12
