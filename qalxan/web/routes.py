"""The public portal: check, report, advice (public routes), plus the analyst pages.

Public pages carry ``openapi_extra=PUBLIC`` and are left out of the OpenAPI schema. Analyst
pages are *not* marked public: without a valid session they answer 401 with the login form
(the :class:`LoginRequired` handler), which is what the route-walking auth test expects of
every private route. Every form carries a CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from qalxan.api.auth import PUBLIC
from qalxan.api.forms import FormData, parse_body
from qalxan.api.ratelimit import rate_limited
from qalxan.domain.errors import ParseError
from qalxan.service.reports import CHANNELS, NewReport, ReportService
from qalxan.store.analysts import AnalystDirectory
from qalxan.web import analyst
from qalxan.web.check import KINDS, run_check
from qalxan.web.render import WebContext, language, render, web_context
from qalxan.web.security import CsrfError, LoginRequired, WebSecurity

__all__ = ["router", "setup"]

router = APIRouter(include_in_schema=False)


async def read_form(request: Request) -> FormData:
    return parse_body(await request.body(), request.headers.get("content-type", ""))


def _bad_form(request: Request, exc: ParseError) -> HTMLResponse:
    """A form the browser sent that cannot be read (not UTF-8...): a page, not JSON."""
    message = f"{exc.field}: {exc.reason}"
    return render(
        request, "error.html", {"message_key": "error_input", "message": message}, status=422
    )


def _reporting(
    request: Request, lang: str, prefill: dict[str, str] | None = None
) -> dict[str, Any]:
    """Context of the report form: channels, a fresh idempotency key, the prefilled fields."""
    return {
        "channels": CHANNELS,
        "client_key": "web-" + secrets.token_urlsafe(18),
        "prefill": prefill or {},
        "lang": lang,
    }


@router.get("/", response_class=HTMLResponse, openapi_extra=PUBLIC)
def home(request: Request) -> HTMLResponse:
    """The main page: check something, report a scam, what a bank never asks for."""
    return render(request, "home.html", {"kinds": KINDS})


@router.get("/check", openapi_extra=PUBLIC)
def check_get(request: Request) -> Response:
    """Checks are posted (messages may be private); a bare GET goes to the main page."""
    return RedirectResponse("/", status_code=303)


@router.post(
    "/check",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limited)],
    openapi_extra=PUBLIC,
)
async def check_post(request: Request) -> HTMLResponse:
    """Check a link, a message or a phone number and explain the answer."""
    web = web_context(request)
    try:
        form = await read_form(request)
    except ParseError as exc:
        return _bad_form(request, exc)
    web.security.check_anon(request, form.get("csrf"))
    lang = language(request, form.get("lang"))
    value = (form.get("q") or "").strip()
    if not value:
        return render(request, "home.html", {"kinds": KINDS, "error": True}, status=422, lang=lang)
    if len(value) > 10_000:
        raise ParseError("longer than 10000 characters", field="q")
    result = await run_in_threadpool(
        run_check,
        request.app.state.engine,
        request.app.state.store,
        value,
        form.get("kind") or "auto",
        web.texts[lang],
    )
    field = {"url": "url", "phone": "phone"}.get(result.kind, "text")
    ctx = {"result": result, **_reporting(request, lang, {field: value})}
    return render(request, "result.html", ctx, lang=lang)


@router.get("/report", response_class=HTMLResponse, openapi_extra=PUBLIC)
def report_form(request: Request) -> HTMLResponse:
    """The report form (one field is enough)."""
    prefill = {k: v for k in ("text", "url", "phone") if (v := request.query_params.get(k))}
    return render(request, "report.html", _reporting(request, language(request), prefill))


@router.post(
    "/report",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limited)],
    openapi_extra=PUBLIC,
)
async def report_post(request: Request) -> Response:
    """Store the report (before answering) and show its reference."""
    web = web_context(request)
    try:
        form = await read_form(request)
    except ParseError as exc:
        return _bad_form(request, exc)
    web.security.check_anon(request, form.get("csrf"))
    lang = language(request, form.get("lang"))
    upload = form.files.get("eml")
    eml = upload[1] if upload is not None and upload[1] else None
    fields = {k: form.get(k) for k in ("url", "text", "phone", "description", "contact")}
    new = NewReport(
        **fields, channel=form.get("channel"), lang=lang, client_key=form.get("client_key"), eml=eml
    )
    service: ReportService = request.app.state.reports
    try:
        receipt = await run_in_threadpool(service.submit, new, source="web")
    except ParseError as exc:
        ctx = {
            **_reporting(request, lang, {k: v for k, v in fields.items() if v}),
            "error": exc.reason if exc.field == "report" else f"{exc.field}: {exc.reason}",
        }
        return render(request, "report.html", ctx, status=422, lang=lang)
    return RedirectResponse(f"/report/done?ref={receipt.id}&lang={lang}", status_code=303)


@router.get("/report/done", response_class=HTMLResponse, openapi_extra=PUBLIC)
def report_done(request: Request) -> HTMLResponse:
    """Thank the reporter and give the reference."""
    ref = request.query_params.get("ref", "")
    return render(request, "thanks.html", {"ref": ref if ref.isalnum() else ""})


@router.get("/advice", response_class=HTMLResponse, openapi_extra=PUBLIC)
def advice(request: Request) -> HTMLResponse:
    """Advisories and awareness tips; what a bank never asks for."""
    return render(request, "advice.html")


router.include_router(analyst.router)


def _csrf_failed(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", {"message_key": "error_csrf"}, status=403)


def _login_required(request: Request, exc: Exception) -> Response:
    nxt = request.url.path if request.method == "GET" else "/analyst"
    return render(request, "login.html", {"next": nxt, "notice": "login_required"}, status=401)


def setup(app: FastAPI) -> None:
    """Templates, security, static files and the handlers that answer in HTML."""
    settings = app.state.settings
    directory = AnalystDirectory(app.state.store)
    app.state.analysts = directory
    app.state.web = WebContext.build(settings, WebSecurity(settings, directory))
    from importlib import resources

    static = str(resources.files("qalxan.web").joinpath("static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfError, _csrf_failed)
