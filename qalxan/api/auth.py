"""API keys with scopes, and the dependencies that guard routes.

Every route is private unless its decorator passes ``openapi_extra=PUBLIC``; private routes
depend on :func:`require_scope`. A test walks every route of the app to prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from qalxan.domain.errors import AuthError, ScopeError

__all__ = ["PUBLIC", "SCOPES", "Principal", "require_scope"]

PUBLIC: dict[str, Any] = {"x-qalxan-public": True}
SCOPES: tuple[str, ...] = ("analyst", "operator", "bank", "isp")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, its name and scopes."""

    key_id: str
    name: str
    scopes: frozenset[str]


def require_scope(*scopes: str) -> Callable[[Request], Principal]:
    """Dependency: the request must carry an API key (``X-API-Key`` or ``Authorization:
    Bearer``) with one of ``scopes``; 401 without a valid key, 403 with the wrong scope."""
    wanted = frozenset(scopes)
    unknown = wanted - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}")

    def dependency(request: Request) -> Principal:
        token = request.headers.get("x-api-key")
        if token is None:
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                token = auth[7:].strip()
        if not token:
            raise AuthError("an API key is required")
        resolver = request.app.state.key_resolver
        principal: Principal | None = resolver(token)
        if principal is None:
            raise AuthError("unknown or revoked API key")
        if not principal.scopes & wanted:
            raise ScopeError(f"this route needs one of the scopes: {', '.join(sorted(wanted))}")
        request.state.principal = principal
        return principal

    dependency.__qalxan_scopes__ = wanted  # type: ignore[attr-defined]
    return dependency
