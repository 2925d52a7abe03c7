"""API keys: random tokens shown once; the store keeps their SHA-256 and a short prefix.

A token is ``qx_`` plus 43 URL-safe characters (256 random bits), so a plain SHA-256 is
enough: there is nothing to brute-force, unlike a password.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from qalxan.domain.errors import NotFoundError
from qalxan.store.audit import aware, record_audit
from qalxan.store.db import Store
from qalxan.store.models.core import ApiKeyRow

__all__ = ["ApiKey", "KeyStore", "hash_token"]

TOKEN_PREFIX = "qx_"


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key, without its token."""

    id: str
    name: str
    scopes: frozenset[str]
    prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "scopes": sorted(self.scopes),
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


def _key(row: ApiKeyRow) -> ApiKey:
    revoked = None if row.revoked_at is None else aware(row.revoked_at)
    return ApiKey(
        row.id, row.name, frozenset(row.scopes), row.prefix, aware(row.created_at), revoked
    )


class KeyStore:
    """Repository of API keys."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, name: str, scopes: Iterable[str], *, actor: str) -> tuple[ApiKey, str]:
        """Make a key; returns it with its token, which is shown once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            id="k" + secrets.token_hex(6),
            name=name,
            scopes=sorted(set(scopes)),
            key_hash=hash_token(token),
            prefix=token[:10],
            created_at=datetime.now(UTC),
        )
        with self.store.write() as session:
            session.add(row)
            record_audit(
                session,
                actor=actor,
                action="key.create",
                object_type="api_key",
                object_id=row.id,
                summary={"name": name, "scopes": row.scopes},
            )
        return _key(row), token

    def all(self) -> list[ApiKey]:
        with self.store.read() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at))
            return [_key(r) for r in rows]

    def get(self, key_id: str) -> ApiKey | None:
        with self.store.read() as session:
            row = session.get(ApiKeyRow, key_id)
            return None if row is None else _key(row)

    def revoke(self, key_id: str, *, actor: str) -> ApiKey:
        """Revoke a key (idempotent); unknown ids are a NotFoundError."""
        with self.store.write() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFoundError(f"no API key {key_id!r}")
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
                record_audit(
                    session,
                    actor=actor,
                    action="key.revoke",
                    object_type="api_key",
                    object_id=key_id,
                    summary={"name": row.name},
                )
            return _key(row)

    def lookup(self, token: str) -> ApiKey | None:
        """The active key for ``token``, or None (unknown or revoked)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = hash_token(token)
        with self.store.read() as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest))
            if row is None or row.revoked_at is not None:
                return None
            return _key(row)
