"""Analyst pages: login, the report queue, reports, campaigns with their graph, decisions, stats.

Every page but the login form depends on :func:`analyst_page`, which raises
:class:`~qalxan.web.security.LoginRequired` (401 + login form) without a valid session.
Decisions record the analyst's username and the time, and feed ``/analyst/stats``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from qalxan.api.auth import PUBLIC, require_scope
from qalxan.api.forms import FormData, parse_body
from qalxan.api.ratelimit import rate_limited
from qalxan.domain.errors import AuthError
from qalxan.service.reports import localize_verdict
from qalxan.store.analysts import AnalystDirectory, SessionInfo
from qalxan.store.campaigns import campaign_detail, list_campaigns
from qalxan.store.models.reports import ReportEmail
from qalxan.store.reports import (
    decision_stats,
    get_report,
    list_reports,
    record_decision,
    report_document,
)
from qalxan.web.graph import layout
from qalxan.web.render import language, render, web_context

__all__ = ["analyst_page", "router"]

router = APIRouter(prefix="/analyst", include_in_schema=False)


_analyst_key = require_scope("analyst")


def analyst_page(request: Request) -> SessionInfo:
    """Dependency of every analyst page: a browser session, or 401 with the login form.

    A request that carries an API key is judged like the JSON API instead (401 for a bad key,
    403 for a key without the analyst scope), so the pages obey the same route-auth rule."""
    if request.headers.get("x-api-key") or request.headers.get("authorization"):
        principal = _analyst_key(request)
        return SessionInfo("", 0, f"key:{principal.name}", "", via_key=True)
    return web_context(request).security.require(request)


analyst_page.__qalxan_scopes__ = frozenset({"analyst"})  # type: ignore[attr-defined]


async def _form(request: Request) -> FormData:
    return parse_body(await request.body(), request.headers.get("content-type", ""))


def _page(request: Request, name: str, who: SessionInfo, ctx: dict[str, Any]) -> HTMLResponse:
    return render(request, name, {"who": who, "csrf": who.csrf_token, **ctx})


@router.get("/login", response_class=HTMLResponse, openapi_extra=PUBLIC)
def login_form(request: Request) -> HTMLResponse:
    """The login form."""
    nxt = request.query_params.get("next", "/analyst")
    return render(request, "login.html", {"next": nxt})


@router.post("/login", openapi_extra=PUBLIC, dependencies=[Depends(rate_limited)])
async def login(request: Request) -> Response:
    """Check the password (argon2), open a server-side session, set the signed cookie."""
    web = web_context(request)
    form = await _form(request)
    web.security.check_anon(request, form.get("csrf"))
    nxt = form.get("next") or "/analyst"
    if not nxt.startswith("/analyst") or nxt.startswith("/analyst/login"):
        nxt = "/analyst"
    directory: AnalystDirectory = request.app.state.analysts
    try:
        user = await run_in_threadpool(
            directory.authenticate, form.get("username") or "", form.get("password") or ""
        )
    except AuthError:
        ctx = {"next": nxt, "notice": "login_failed"}
        return render(request, "login.html", ctx, status=401)
    info = await run_in_threadpool(directory.open_session, user, web.security.ttl)
    response = RedirectResponse(nxt, status_code=303)
    web.security.set_session(response, info)
    return response


@router.post("/logout")
async def logout(request: Request, who: SessionInfo = Depends(analyst_page)) -> Response:
    """Close the session (the row is deleted: the cookie stops working everywhere)."""
    web = web_context(request)
    form = await _form(request)
    web.security.check_session_csrf(who, form.get("csrf"))
    directory: AnalystDirectory = request.app.state.analysts
    await run_in_threadpool(directory.close_session, who.session_id)
    response = RedirectResponse("/analyst/login", status_code=303)
    web.security.clear_session(response)
    return response


@router.get("", response_class=HTMLResponse)
def queue(request: Request, who: SessionInfo = Depends(analyst_page)) -> HTMLResponse:
    """The report queue: newest first, with verdicts, campaigns and decisions."""
    status = request.query_params.get("status") or None
    with request.app.state.store.read() as session:
        rows = [report_document(r) for r in list_reports(session, limit=200, status=status)]
    return _page(request, "analyst/queue.html", who, {"reports": rows, "status": status})


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    report_id: str, request: Request, who: SessionInfo = Depends(analyst_page)
) -> HTMLResponse:
    """One report: its fields (escaped), e-mail data, verdicts with reasons, decision form."""
    lang = language(request)
    with request.app.state.store.read() as session:
        report = get_report(session, report_id)
        email = session.scalar(select(ReportEmail).where(ReportEmail.report_id == report_id))
        doc = report_document(report, email)
    verdicts = {
        kind: [localize_verdict(v, lang) for v in items]
        for kind, items in doc["verdicts"].items()
        if isinstance(items, list)
    }
    return _page(request, "analyst/report.html", who, {"report": doc, "verdicts": verdicts})


async def _decide(
    request: Request, who: SessionInfo, target: Literal["report", "campaign"], target_id: str
) -> Response:
    web = web_context(request)
    form = await _form(request)
    web.security.check_session_csrf(who, form.get("csrf"))
    store = request.app.state.store

    def write() -> None:
        with store.write() as session:
            record_decision(
                session,
                target=target,
                target_id=target_id,
                decision=form.get("decision") or "",
                analyst=who.username,
                note=form.get("note"),
            )

    await run_in_threadpool(write)
    back = f"/analyst/{'reports' if target == 'report' else 'campaigns'}/{target_id}"
    return RedirectResponse(back, status_code=303)


@router.post("/reports/{report_id}/decision")
async def report_decision(
    report_id: str, request: Request, who: SessionInfo = Depends(analyst_page)
) -> Response:
    """Confirm or reject a report's verdict."""
    return await _decide(request, who, "report", report_id)


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns(request: Request, who: SessionInfo = Depends(analyst_page)) -> HTMLResponse:
    """Live campaigns, most recently active first."""
    with request.app.state.store.read() as session:
        rows = list_campaigns(session, limit=200)
    return _page(request, "analyst/campaigns.html", who, {"campaigns": rows})


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    campaign_id: int, request: Request, who: SessionInfo = Depends(analyst_page)
) -> HTMLResponse:
    """A campaign: indicator graph (SVG), indicators, reports, decision form."""
    with request.app.state.store.read() as session:
        detail = campaign_detail(session, campaign_id)
    ctx = {"c": detail, "graph": layout(detail)}
    return _page(request, "analyst/campaign.html", who, ctx)


@router.post("/campaigns/{campaign_id}/decision")
async def campaign_decision(
    campaign_id: int, request: Request, who: SessionInfo = Depends(analyst_page)
) -> Response:
    """Confirm or reject a whole campaign."""
    return await _decide(request, who, "campaign", str(campaign_id))


@router.get("/stats", response_class=HTMLResponse)
def stats(request: Request, who: SessionInfo = Depends(analyst_page)) -> HTMLResponse:
    """What decisions say about the automatic verdicts."""
    with request.app.state.store.read() as session:
        data = decision_stats(session)
    return _page(request, "analyst/stats.html", who, {"stats": data})
