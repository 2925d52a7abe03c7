"""Routes: report intake (public and partner bulk), reports, campaigns, decisions (analyst).

``setup(app)`` creates the report service, limits request bodies, and starts the enrichment
workers on start-up (stopped on shutdown).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from qalxan.api.auth import PUBLIC, Principal, require_scope
from qalxan.api.forms import BodyLimit, parse_json, parse_multipart
from qalxan.api.ratelimit import rate_limited
from qalxan.domain.errors import ParseError
from qalxan.service.reports import NewReport, Receipt, ReportService
from qalxan.service.worker import WorkerPool
from qalxan.store.campaigns import campaign_detail, list_campaigns
from qalxan.store.models.reports import ReportEmail
from qalxan.store.reports import (
    decision_stats,
    get_report,
    list_reports,
    record_decision,
    report_document,
)

__all__ = ["ReportBody", "get_service", "router", "setup"]

router = APIRouter(tags=["reports"])
analyst = require_scope("analyst")
partner = require_scope("bank", "operator", "isp", "analyst")


class ReportBody(BaseModel):
    """A report (JSON). At least one of url, text, phone, description or eml."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=4096, description="The suspicious link.")
    text: str | None = Field(None, max_length=10_000, description="A pasted SMS or chat text.")
    phone: str | None = Field(None, max_length=64, description="A number that called or wrote.")
    sender: str | None = Field(None, max_length=64, description="SMS sender ID, if any.")
    description: str | None = Field(None, max_length=5_000, description="What happened.")
    contact: str | None = Field(None, max_length=256, description="How to reach the reporter.")
    channel: str | None = Field(None, description="sms, call, whatsapp, telegram, email, web...")
    lang: str | None = Field(None, description="az, ru or en: the reporter's language.")
    eml: str | None = Field(None, description="An e-mail file (.eml), base64-encoded.")
    client_key: str | None = Field(
        None, description="Idempotency key: the same key returns the same report."
    )


class BulkBody(BaseModel):
    """Reports from a partner, stored all together or not at all."""

    model_config = ConfigDict(extra="forbid")

    reports: list[ReportBody]


class DecisionBody(BaseModel):
    """An analyst's decision on a verdict."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "reject"]
    note: str | None = Field(None, max_length=2000)


def get_service(request: Request) -> ReportService:
    service: ReportService = request.app.state.reports
    return service


def _receipt_response(receipt: Receipt) -> JSONResponse:
    headers = {} if receipt.created else {"Idempotent-Replayed": "true"}
    return JSONResponse(receipt.to_dict(), status_code=202, headers=headers)


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def _validated(model: type[BaseModel], data: Any) -> BaseModel:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err.get("loc", ())) or "body"
        raise ParseError(str(err.get("msg", "invalid")), field=name) from None


@router.post(
    "/v1/reports",
    status_code=202,
    openapi_extra={**PUBLIC, **_body_schema(ReportBody)},
    dependencies=[Depends(rate_limited)],
    responses={413: {"description": "Body over the upload limit"}},
)
async def submit_report(request: Request) -> JSONResponse:
    """Report a scam: stored durably before the 202 answer; enrichment runs in the
    background. The same ``client_key`` returns the same report (header Idempotent-Replayed)."""
    body = _validated(ReportBody, parse_json(await request.body()))
    new = NewReport.from_mapping(body.model_dump())
    receipt = await run_in_threadpool(get_service(request).submit, new, source="api")
    return _receipt_response(receipt)


@router.post(
    "/v1/reports/eml",
    status_code=202,
    openapi_extra={
        **PUBLIC,
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["eml"],
                        "properties": {
                            "eml": {"type": "string", "format": "binary"},
                            "description": {"type": "string"},
                            "contact": {"type": "string"},
                            "lang": {"type": "string"},
                            "client_key": {"type": "string"},
                        },
                    }
                }
            },
        },
    },
    dependencies=[Depends(rate_limited)],
)
async def submit_eml(request: Request) -> JSONResponse:
    """Report a phishing e-mail by uploading the .eml file (multipart field ``eml``)."""
    form = parse_multipart(await request.body(), request.headers.get("content-type", ""))
    upload = form.files.get("eml")
    if upload is None:
        raise ParseError("upload the e-mail file in the form field 'eml'", field="eml")
    data = {k: v for k, v in form.fields.items() if k in ReportBody.model_fields}
    new = NewReport.from_mapping(data, eml=upload[1])
    receipt = await run_in_threadpool(get_service(request).submit, new, source="api")
    return _receipt_response(receipt)


_BULK_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["reports"],
                    "additionalProperties": False,
                    "properties": {
                        "reports": {"type": "array", "items": ReportBody.model_json_schema()}
                    },
                }
            }
        },
    }
}


@router.post("/v1/reports/bulk", status_code=202, openapi_extra=_BULK_SCHEMA)
async def submit_bulk(request: Request, who: Principal = Depends(partner)) -> JSONResponse:
    """Partner upload (bank, operator, ISP): all reports stored in one transaction or none."""
    service = get_service(request)
    body = _validated(BulkBody, parse_json(await request.body()))
    assert isinstance(body, BulkBody)
    if len(body.reports) > service.settings.reports_bulk_max_items:
        raise ParseError(
            f"at most {service.settings.reports_bulk_max_items} reports per upload",
            field="reports",
        )
    items = [NewReport.from_mapping(r.model_dump()) for r in body.reports]
    receipts = await run_in_threadpool(
        service.submit_many, items, source="partner", partner=who.name
    )
    return JSONResponse({"reports": [r.to_dict() for r in receipts]}, status_code=202)


@router.get("/v1/reports")
def reports_index(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    status: str | None = None,
    _: Principal = Depends(analyst),
) -> dict[str, Any]:
    """Reports, newest first, with their verdict and campaign."""
    with get_service(request).store.read() as session:
        rows = list_reports(session, limit=limit, offset=offset, status=status)
        return {"reports": [report_document(r, full=False) for r in rows]}


@router.get("/v1/reports/stats")
def reports_stats(request: Request, _: Principal = Depends(analyst)) -> dict[str, Any]:
    """Statistics the analysts' decisions feed."""
    with get_service(request).store.read() as session:
        return decision_stats(session)


@router.get("/v1/reports/{report_id}")
def report_show(
    report_id: str, request: Request, _: Principal = Depends(analyst)
) -> dict[str, Any]:
    """One report with its fields, e-mail data and verdicts."""
    from sqlalchemy import select

    with get_service(request).store.read() as session:
        report = get_report(session, report_id)
        email = session.scalar(select(ReportEmail).where(ReportEmail.report_id == report_id))
        return report_document(report, email)


@router.post("/v1/reports/{report_id}/decision")
def report_decision(
    report_id: str, body: DecisionBody, request: Request, who: Principal = Depends(analyst)
) -> dict[str, Any]:
    """Confirm or reject a report's verdict (who and when are recorded)."""
    with get_service(request).store.write() as session:
        row = record_decision(
            session,
            target="report",
            target_id=report_id,
            decision=body.decision,
            analyst=f"key:{who.name}",
            note=body.note,
        )
        return {"id": row.id, "decision": row.decision, "analyst": row.analyst}


@router.get("/v1/campaigns")
def campaigns_index(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    _: Principal = Depends(analyst),
) -> dict[str, Any]:
    """Live campaigns, most recently active first."""
    with get_service(request).store.read() as session:
        return {"campaigns": list_campaigns(session, limit=limit, offset=offset)}


@router.get("/v1/campaigns/{campaign_id}")
def campaign_show(
    campaign_id: int, request: Request, _: Principal = Depends(analyst)
) -> dict[str, Any]:
    """A campaign: indicators, reports, first/last seen, brands and channels. A merged
    campaign answers with the campaign it was merged into."""
    with get_service(request).store.read() as session:
        return campaign_detail(session, campaign_id)


@router.post("/v1/campaigns/{campaign_id}/decision")
def campaign_decision(
    campaign_id: int, body: DecisionBody, request: Request, who: Principal = Depends(analyst)
) -> dict[str, Any]:
    """Confirm or reject a whole campaign (and so every report in it)."""
    with get_service(request).store.write() as session:
        row = record_decision(
            session,
            target="campaign",
            target_id=str(campaign_id),
            decision=body.decision,
            analyst=f"key:{who.name}",
            note=body.note,
        )
        return {"id": row.id, "decision": row.decision, "campaign_id": row.campaign_id}


def setup(app: FastAPI) -> None:
    """Create the service, limit bodies, run the workers between start-up and shutdown."""
    settings = app.state.settings
    service = ReportService(settings, app.state.store, app.state.engine)
    app.state.reports = service
    app.add_middleware(
        BodyLimit,
        limit=settings.reports_max_upload_bytes,
        prefixes=("/v1/reports", "/report", "/check", "/analyst"),
    )
    pool = WorkerPool(service, settings.reports_workers)
    app.state.report_workers = pool

    def start(_: FastAPI) -> None:
        if pool.count > 0:
            pool.start()

    def stop(_: FastAPI) -> None:
        pool.stop()

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)
