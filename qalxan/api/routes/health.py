"""Liveness: ``GET /healthz`` (public)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from qalxan import __version__
from qalxan.api.auth import PUBLIC

router = APIRouter(tags=["health"])


@router.get("/healthz", openapi_extra=PUBLIC)
def healthz() -> dict[str, Any]:
    """Answer that the server is up, with its version."""
    return {"status": "ok", "version": __version__}
