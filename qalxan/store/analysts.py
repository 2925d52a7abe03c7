"""Analyst accounts (argon2id password hashes) and server-side sessions of the web UI."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qalxan.domain.errors import AuthError, ConflictError, ParseError
from qalxan.store.base import utcnow
from qalxan.store.db import Store
from qalxan.store.jobs import as_utc
from qalxan.store.models.reports import AnalystSession, AnalystUser

__all__ = ["AnalystDirectory", "SessionInfo"]

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live session: who it belongs to and the CSRF token of its forms."""

    session_id: str
    user_id: int
    username: str
    csrf_token: str
    via_key: bool = False  # an API key with the analyst scope, not a browser session


class AnalystDirectory:
    """Create analysts, check passwords, open and close sessions."""

    def __init__(self, store: Store, *, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.hasher = hasher or PasswordHasher()

    @cached_property
    def _dummy(self) -> str:
        # Verifying against a dummy hash for unknown users keeps timing the same for both.
        return self.hasher.hash(secrets.token_hex(16))

    def create_user(self, username: str, password: str) -> int:
        username = username.strip().lower()
        if not _USERNAME.match(username):
            raise ParseError("2-64 of a-z, 0-9, '.', '_', '-'", field="username")
        if len(password) < MIN_PASSWORD:
            raise ParseError(f"at least {MIN_PASSWORD} characters", field="password")
        try:
            with self.store.write() as session:
                user = AnalystUser(
                    username=username,
                    password_hash=self.hasher.hash(password),
                    active=True,
                    created_at=utcnow(),
                )
                session.add(user)
                session.flush()
                return user.id
        except IntegrityError:
            raise ConflictError(f"analyst {username!r} already exists") from None

    def authenticate(self, username: str, password: str) -> AnalystUser:
        """The user for these credentials; :class:`AuthError` otherwise (same for both cases)."""
        with self.store.read() as session:
            user = session.scalar(
                select(AnalystUser).where(AnalystUser.username == username.strip().lower())
            )
        try:
            self.hasher.verify(user.password_hash if user else self._dummy, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong username or password") from None
        if user is None or not user.active:
            raise AuthError("wrong username or password")
        return user

    def open_session(self, user: AnalystUser, ttl: timedelta) -> SessionInfo:
        now = utcnow()
        sid = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.store.write() as session:
            session.add(
                AnalystSession(
                    id=sid, user_id=user.id, csrf_token=csrf, created_at=now, expires_at=now + ttl
                )
            )
            row = session.get(AnalystUser, user.id)
            if row is not None:
                row.last_login = now
            session.execute(delete(AnalystSession).where(AnalystSession.expires_at < now))
        return SessionInfo(sid, user.id, user.username, csrf)

    def lookup(self, session_id: str) -> SessionInfo | None:
        with self.store.read() as session:
            row = session.execute(
                select(AnalystSession, AnalystUser)
                .join(AnalystUser, AnalystUser.id == AnalystSession.user_id)
                .where(AnalystSession.id == session_id)
            ).first()
        if row is None:
            return None
        sess, user = row
        if as_utc(sess.expires_at) < utcnow() or not user.active:
            return None
        return SessionInfo(sess.id, user.id, user.username, sess.csrf_token)

    def close_session(self, session_id: str) -> None:
        with self.store.write() as session:
            session.execute(delete(AnalystSession).where(AnalystSession.id == session_id))

    @staticmethod
    def usernames(session: Session) -> list[str]:
        return list(session.scalars(select(AnalystUser.username).order_by(AnalystUser.username)))
