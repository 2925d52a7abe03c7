"""Routes: check a URL or a domain (public, rate-limited), and a batch of URLs (partners).

- ``POST /v1/check/url`` ``{"url": "...", "lang": "az"}`` -> verdict (public)
- ``POST /v1/check/domain`` ``{"domain": "...", "lang": "az"}`` -> verdict (public)
- ``POST /v1/check/urls`` ``{"urls": [...], "lang": "az"}`` -> ``{"results": [...]}``, one per
  item in order, an ``error`` object in place of a bad item (API key: analyst, bank,
  operator or isp; up to 1,000 items)
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from qalxan.api.auth import PUBLIC, require_scope
from qalxan.api.deps import get_engine
from qalxan.api.ratelimit import rate_limited
from qalxan.domain.errors import ParseError
from qalxan.service import Engine

__all__ = ["router"]

router = APIRouter(tags=["check"])

Lang = Literal["az", "ru", "en"]
MAX_BATCH = 1000


class UrlBody(BaseModel):
    """One URL to check."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=20_000, description="The URL (defanged hxxp/[.] accepted).")
    lang: Lang = Field("az", description="Language of the reason messages.")


class DomainBody(BaseModel):
    """One domain to check (reverse mode: which brand it imitates)."""

    model_config = ConfigDict(extra="forbid")
    domain: str = Field(..., max_length=2_000, description="The domain name.")
    lang: Lang = Field("az", description="Language of the reason messages.")


class UrlBatchBody(BaseModel):
    """Up to 1,000 URLs checked in one call."""

    model_config = ConfigDict(extra="forbid")
    urls: list[str] = Field(..., max_length=MAX_BATCH, description="URLs, at most 1,000.")
    lang: Lang = Field("en", description="Language of the reason messages.")


@router.post(
    "/v1/check/url",
    openapi_extra=PUBLIC,
    dependencies=[Depends(rate_limited)],
    summary="Check a URL: phishing, lookalike of a protected brand",
)
def check_url(body: UrlBody, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    verdict = engine.detector("url").analyze(body.url)
    out: dict[str, Any] = verdict.to_dict(body.lang)
    return out


@router.post(
    "/v1/check/domain",
    openapi_extra=PUBLIC,
    dependencies=[Depends(rate_limited)],
    summary="Check a domain: which brand it imitates, and how",
)
def check_domain(body: DomainBody, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    verdict = engine.detector("url").analyze_domain(body.domain)
    out: dict[str, Any] = verdict.to_dict(body.lang)
    return out


@router.post(
    "/v1/check/urls",
    dependencies=[Depends(require_scope("analyst", "bank", "operator", "isp"))],
    summary="Check up to 1,000 URLs (partners)",
)
def check_urls(body: UrlBatchBody, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    detector = engine.detector("url")
    results: list[dict[str, Any]] = []
    for index, url in enumerate(body.urls):
        try:
            results.append(detector.analyze(url).to_dict(body.lang))
        except ParseError as exc:
            results.append(
                {
                    "index": index,
                    "input": url[:200],
                    "error": {"field": exc.field, "reason": exc.reason},
                }
            )
    return {"count": len(results), "results": results}
