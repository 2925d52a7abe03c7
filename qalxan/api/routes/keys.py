"""API keys and the audit log: ``/v1/keys`` and ``/v1/audit`` (analyst scope).

:func:`setup` installs the key resolver the auth dependency uses: a look-up of the hashed
token in the store, cached for ``api_key_cache_seconds``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from qalxan.api.auth import SCOPES, Principal, require_scope
from qalxan.api.deps import get_store
from qalxan.domain.errors import ParseError
from qalxan.store import Store
from qalxan.store.audit import AuditLog
from qalxan.store.keys import KeyStore, hash_token

__all__ = ["KeyResolver", "router", "setup"]

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["keys"])
_MAX_CACHED = 10_000


class KeyResolver:
    """``token -> Principal | None`` from the store, with a small time-bounded cache."""

    def __init__(self, store: Store, ttl: float) -> None:
        self.keys = KeyStore(store)
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, token: str) -> Principal | None:
        digest = hash_token(token)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            key = self.keys.lookup(token)
        except SQLAlchemyError:
            log.exception("API key look-up failed (is the store migrated?)")
            return None
        principal = None if key is None else Principal(key.id, key.name, key.scopes)
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[digest] = (now + self.ttl, principal)
        return principal

    def forget(self) -> None:
        """Drop cached look-ups (after a revocation in this process)."""
        with self._lock:
            self._cache.clear()


def setup(app: FastAPI) -> None:
    """Install the store-backed key resolver."""
    app.state.key_resolver = KeyResolver(app.state.store, app.state.settings.api_key_cache_seconds)


class KeyCreate(BaseModel):
    """Body of ``POST /v1/keys``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Who the key is for.")
    scopes: list[str] = Field(min_length=1, description=f"Any of {', '.join(SCOPES)}.")


def _check_scopes(scopes: list[str]) -> list[str]:
    for i, scope in enumerate(scopes):
        if scope not in SCOPES:
            raise ParseError(f"unknown scope {scope!r}", field=f"scopes.{i}", value=scope)
    return scopes


@router.get("/keys")
def list_keys(
    _: Principal = Depends(require_scope("analyst")), store: Store = Depends(get_store)
) -> dict[str, Any]:
    """List API keys (never their tokens)."""
    return {"keys": [k.to_dict() for k in KeyStore(store).all()]}


@router.post("/keys", status_code=201)
def create_key(
    body: KeyCreate,
    principal: Principal = Depends(require_scope("analyst")),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Create a key; the token is in this answer only."""
    key, token = KeyStore(store).create(
        body.name, _check_scopes(body.scopes), actor=f"key:{principal.key_id}"
    )
    return {**key.to_dict(), "token": token}


@router.delete("/keys/{key_id}")
def revoke_key(
    key_id: str,
    request: Request,
    principal: Principal = Depends(require_scope("analyst")),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Revoke a key (other processes notice within ``api_key_cache_seconds``)."""
    key = KeyStore(store).revoke(key_id, actor=f"key:{principal.key_id}")
    resolver = request.app.state.key_resolver
    if isinstance(resolver, KeyResolver):
        resolver.forget()
    return key.to_dict()


@router.get("/audit")
def audit_log(
    _: Principal = Depends(require_scope("analyst")),
    store: Store = Depends(get_store),
    object_type: str | None = Query(None, max_length=64),
    object_id: str | None = Query(None, max_length=200),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Who changed what, newest first."""
    entries = AuditLog(store).entries(object_type=object_type, object_id=object_id, limit=limit)
    return {"entries": [e.to_dict() for e in entries]}
