"""Routes: `POST /v1/check/page` (judge a page by URL or HTML), `GET /v1/evidence/{sha256}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qalxan.api.auth import require_scope
from qalxan.api.deps import get_engine, get_store
from qalxan.domain.verdict import Reason
from qalxan.service import Engine
from qalxan.store import Store

__all__ = ["CheckPageBody", "router"]

router = APIRouter(tags=["page"])

MAX_HTML = 5_000_000


class CheckPageBody(BaseModel):
    """A page to check: a URL to fetch safely, or HTML with the address it was found at."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=16_384, description="Address of the page.")
    html: str | None = Field(
        None, max_length=MAX_HTML, description="The page itself (then `url` says where it was)."
    )
    render: bool = Field(False, description="Also render the fetched page in headless chromium.")
    lang: str = Field("en", pattern="^(az|ru|en)$", description="Language of the reasons.")

    @model_validator(mode="after")
    def _one_of(self) -> CheckPageBody:
        if not self.url and self.html is None:
            raise ValueError("give `url`, or `html` (with an optional `url`)")
        return self


@router.post(
    "/v1/check/page",
    summary="Check a web page (phishing, fake payment or benefit page)",
    dependencies=[Depends(require_scope("analyst", "bank", "operator", "isp"))],
)
def check_page(
    body: CheckPageBody,
    engine: Engine = Depends(get_engine),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Fetch (safely) or take the page, judge it and keep its evidence by content hash."""
    from qalxan.service.page import analyze_html, analyze_url, store_evidence

    if body.html is not None:
        kept = store_evidence(engine, store, None, html=body.html, url=body.url)
        extra: dict[str, Any] = {"evidence": kept}
        notes: tuple[Reason, ...] = ()
        if body.render:  # posted HTML is never rendered: its scripts would reach the network
            notes = (engine.reasons.reason("page.render.skipped", 0.0, "posted HTML"),)
            extra["render"] = "skipped"
        verdict = analyze_html(engine, body.html, body.url, notes=notes, extra=extra)
    else:
        assert body.url is not None
        verdict = analyze_url(engine, body.url, render=body.render, store=store)
    return verdict.to_dict(body.lang)


@router.get(
    "/v1/evidence/{sha256}",
    summary="Download a piece of evidence by its SHA-256",
    dependencies=[Depends(require_scope("analyst"))],
    response_class=Response,
)
def get_evidence(
    sha256: str, store: Store = Depends(get_store), engine: Engine = Depends(get_engine)
) -> Response:
    """The stored bytes, with their media type and where/when they were seen in headers."""
    from qalxan.store.evidence import EvidenceRepository

    repo = EvidenceRepository(store, engine.settings.var_dir / "evidence")
    record, data = repo.content(sha256)
    headers = {
        "X-Evidence-Kind": record.kind,
        "X-Evidence-Fetched-At": record.fetched_at.isoformat(),
        "Content-Disposition": f'attachment; filename="{record.sha256}"',
        "X-Content-Type-Options": "nosniff",
    }
    # HTML of a phishing page is served as text, never rendered by the analyst's browser.
    media = (
        "text/plain; charset=utf-8"
        if record.media_type.startswith("text/")
        else (record.media_type)
    )
    return Response(content=data, media_type=media, headers=headers)
