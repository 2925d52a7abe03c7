"""Rendering: the language of the visit, the CSRF token of its forms, and the templates."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from qalxan.settings import Settings
from qalxan.web.i18n import LANG_COOKIE, Texts, load_texts, pick_language
from qalxan.web.security import WebSecurity

__all__ = ["WebContext", "language", "render", "web_context"]


@dataclass
class WebContext:
    """What the web routes share (kept on ``app.state.web``)."""

    settings: Settings
    templates: Jinja2Templates
    security: WebSecurity
    texts: dict[str, Texts]

    @classmethod
    def build(cls, settings: Settings, security: WebSecurity) -> WebContext:
        folder = str(resources.files("qalxan.web").joinpath("templates"))
        # Autoescape everything: report texts are attacker-controlled (HTML/JS shown as text).
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True)
        templates = Jinja2Templates(env=env)
        return cls(settings, templates, security, load_texts())


def web_context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def language(request: Request, chosen: str | None = None) -> str:
    web = web_context(request)
    return pick_language(
        chosen or request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        web.settings.web_default_language,
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    """Render ``name`` in the visit's language, with a CSRF token for its forms."""
    web = web_context(request)
    lang = language(request, lang)
    anon, new_anon = web.security.anon_id(request)
    values: dict[str, Any] = {
        "t": web.texts[lang],
        "lang": lang,
        "languages": [(code, web.texts[code]("lang_name")) for code in web.texts],
        "csrf": web.security.anon_token(anon),
        "path": request.url.path,
    }
    values.update(context or {})
    response = web.templates.TemplateResponse(request, name, values, status_code=status)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if new_anon:
        web.security.set_anon(response, anon)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
