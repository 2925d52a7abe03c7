"""The protected-brand registry: read it (public), add and edit brands (analyst scope).

An edit is stored, audited, and swapped into the running engine
(``app.state.engine = engine.with_brands(...)``) so the detectors see it at once.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from qalxan.api.auth import PUBLIC, Principal, require_scope
from qalxan.api.deps import get_engine, get_store
from qalxan.api.ratelimit import rate_limited
from qalxan.domain.brands import CATEGORIES, Brand
from qalxan.domain.errors import NotFoundError, ParseError
from qalxan.domain.identifiers import parse_sender_id
from qalxan.domain.phone import parse_phone
from qalxan.domain.url import parse_domain
from qalxan.service import Engine
from qalxan.store import Store
from qalxan.store.brands import BrandRecord, BrandStore

__all__ = ["BrandBody", "BrandCreate", "router"]

router = APIRouter(prefix="/v1/brands", tags=["brands"])
BRAND_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_KEYWORD = re.compile(r"^[^\s]{2,63}$")


class BrandBody(BaseModel):
    """A brand's registry document (``PUT /v1/brands/{id}``); see docs/brands.md."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    category: str = Field(description=f"One of: {', '.join(CATEGORIES)}.")
    names: dict[str, list[str]] = Field(
        default_factory=dict, description="Spellings by language: az, ru, en."
    )
    keywords: list[str] = Field(default_factory=list, max_length=50)
    domains: list[str] = Field(default_factory=list, max_length=200)
    sender_ids: list[str] = Field(default_factory=list, max_length=100)
    phones: list[str] = Field(default_factory=list, max_length=100)
    short_codes: list[str] = Field(default_factory=list, max_length=100)
    unverified: bool = False
    notes: str = Field("", max_length=2000)


class BrandCreate(BrandBody):
    """Body of ``POST /v1/brands``: the document plus its new id."""

    id: str = Field(pattern=BRAND_ID, description="Stable id, lower-case: kapitalbank.")


def _validated(brand_id: str, body: BrandBody) -> Brand:
    """Normalise every value through the domain parsers; errors name the field (422)."""
    if body.category not in CATEGORIES:
        raise ParseError(f"unknown category; use one of {', '.join(CATEGORIES)}", field="category")
    for lang in body.names:
        if lang not in ("az", "ru", "en"):
            raise ParseError("languages are az, ru and en", field=f"names.{lang}")
    for i, kw in enumerate(body.keywords):
        if not _KEYWORD.match(kw):
            raise ParseError("2 to 63 characters without spaces", field=f"keywords.{i}")
    domains = []
    for i, text in enumerate(body.domains):
        domain = parse_domain(text, field=f"domains.{i}")
        if domain.is_ip:
            raise ParseError("a domain name, not an IP address", field=f"domains.{i}")
        domains.append(domain.host)
    senders = [
        parse_sender_id(s, field=f"sender_ids.{i}").value for i, s in enumerate(body.sender_ids)
    ]
    phones = [parse_phone(p, field=f"phones.{i}").e164 for i, p in enumerate(body.phones)]
    for i, code in enumerate(body.short_codes):
        if not (code.isascii() and code.isdigit() and 3 <= len(code) <= 6):
            raise ParseError("a short code has 3 to 6 digits", field=f"short_codes.{i}")
    doc = body.model_dump()
    doc.update(id=brand_id, domains=domains, sender_ids=senders, phones=phones)
    return Brand.from_dict(doc)


def _swap_engine(request: Request, store: Store) -> None:
    engine: Engine = request.app.state.engine
    request.app.state.engine = engine.with_brands(BrandStore(store).registry())


@router.get("", openapi_extra=PUBLIC, dependencies=[Depends(rate_limited)])
def list_brands(
    engine: Engine = Depends(get_engine),
    category: str | None = Query(None, description="Only brands of this category."),
) -> dict[str, Any]:
    """The protected brands the detectors use, with their official domains and senders."""
    brands = sorted(engine.brands, key=lambda b: b.id)
    return {"brands": [b.to_dict() for b in brands if category is None or b.category == category]}


@router.get("/{brand_id}", openapi_extra=PUBLIC, dependencies=[Depends(rate_limited)])
def get_brand(brand_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    """One protected brand."""
    brand = engine.brands.get(brand_id)
    if brand is None:
        raise NotFoundError(f"no brand {brand_id!r}")
    return brand.to_dict()


@router.post("", status_code=201)
def create_brand(
    body: BrandCreate,
    request: Request,
    principal: Principal = Depends(require_scope("analyst")),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Add a brand (409 when the id exists). Audited; the detectors see it at once."""
    brand = _validated(body.id, body)
    record: BrandRecord = BrandStore(store).create(brand, actor=f"key:{principal.key_id}")
    _swap_engine(request, store)
    return record.to_dict()


@router.put("/{brand_id}")
def replace_brand(
    body: BrandBody,
    request: Request,
    brand_id: str = Path(pattern=BRAND_ID),
    principal: Principal = Depends(require_scope("analyst")),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Replace a brand's document (404 when absent). Audited; seeding never undoes it."""
    brand = _validated(brand_id, body)
    record = BrandStore(store).replace(brand, actor=f"key:{principal.key_id}")
    _swap_engine(request, store)
    return record.to_dict()
