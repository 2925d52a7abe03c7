"""Cookies of the portal: CSRF tokens for every form, and the analysts' signed session cookie.

- Public forms: a random ``qx_anon`` cookie; the form's token is an HMAC of it under the
  secret key (double submit, nothing stored).
- Analyst forms: the token stored with the server-side session row.
- The session cookie carries the session id signed with ``settings.secret_key``
  (itsdangerous); the row decides whether it is still valid, so logout revokes it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer

from qalxan.domain.errors import AuthError
from qalxan.settings import Settings
from qalxan.store.analysts import AnalystDirectory, SessionInfo

__all__ = ["ANON_COOKIE", "SESSION_COOKIE", "CsrfError", "LoginRequired", "WebSecurity"]

ANON_COOKIE = "qx_anon"
SESSION_COOKIE = "qx_session"


class LoginRequired(AuthError):
    """An analyst page was asked for without a valid session (answered 401 + login form)."""


class CsrfError(AuthError):
    """A form came back without the token of the page that showed it."""


class WebSecurity:
    """Signs and checks the portal's cookies and tokens."""

    def __init__(self, settings: Settings, directory: AnalystDirectory) -> None:
        self.settings = settings
        self.directory = directory
        secret = settings.secret_key.get_secret_value()
        self._key = hashlib.sha256(("qalxan-web-csrf:" + secret).encode()).digest()
        self._sessions = URLSafeSerializer(secret, salt="qalxan-analyst-session")
        self.ttl = timedelta(hours=settings.web_session_hours)

    # -- public forms -------------------------------------------------------------------------
    def anon_id(self, request: Request) -> tuple[str, bool]:
        """The visitor's anonymous id and whether it is new (then the cookie must be set)."""
        current = request.cookies.get(ANON_COOKIE)
        if current and 16 <= len(current) <= 64 and current.isascii():
            return current, False
        return secrets.token_urlsafe(24), True

    def anon_token(self, anon: str) -> str:
        return hmac.new(self._key, anon.encode(), hashlib.sha256).hexdigest()

    def check_anon(self, request: Request, token: str | None) -> None:
        anon = request.cookies.get(ANON_COOKIE)
        if not anon or not token or not hmac.compare_digest(self.anon_token(anon), token):
            raise CsrfError("the form's CSRF token is missing or wrong")

    def set_anon(self, response: Response, anon: str) -> None:
        response.set_cookie(
            ANON_COOKIE,
            anon,
            max_age=30 * 86400,
            httponly=True,
            samesite="lax",
            secure=self.settings.web_secure_cookies,
        )

    # -- analyst sessions ---------------------------------------------------------------------
    def session(self, request: Request) -> SessionInfo | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            sid = self._sessions.loads(cookie)
        except BadSignature:
            return None
        return self.directory.lookup(str(sid)) if isinstance(sid, str) else None

    def require(self, request: Request) -> SessionInfo:
        info = self.session(request)
        if info is None:
            raise LoginRequired("log in as an analyst to open this page")
        return info

    @staticmethod
    def check_session_csrf(info: SessionInfo, token: str | None) -> None:
        if info.via_key:
            return  # no cookie, no cross-site forgery: the key travels in a header
        if not token or not hmac.compare_digest(info.csrf_token, token):
            raise CsrfError("the form's CSRF token is missing or wrong")

    def set_session(self, response: Response, info: SessionInfo) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self._sessions.dumps(info.session_id),
            max_age=int(self.ttl.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=self.settings.web_secure_cookies,
            path="/",
        )

    @staticmethod
    def clear_session(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")
