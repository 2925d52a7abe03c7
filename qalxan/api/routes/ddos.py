"""Routes: ``GET /v1/ddos/alerts`` (scopes analyst, isp)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from qalxan.api.auth import require_scope
from qalxan.api.deps import get_store
from qalxan.policy.ddos_alerts import list_alerts
from qalxan.store import Store

router = APIRouter()


@router.get(
    "/v1/ddos/alerts",
    dependencies=[Depends(require_scope("analyst", "isp"))],
    tags=["ddos"],
)
def ddos_alerts(
    state: Literal["active", "ended"] | None = Query(None, description="Lifecycle state."),
    since: float | None = Query(None, description="Attacks still going at/after (epoch s)."),
    until: float | None = Query(None, description="Attacks started at/before (epoch s)."),
    victim: str | None = Query(None, description="Victim IP or prefix."),
    limit: int = Query(100, ge=1, le=1000),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """DDoS alerts, newest first: victim, vectors, peaks, evidence, mitigation."""
    return {
        "alerts": list_alerts(
            store, state=state, since=since, until=until, victim=victim, limit=limit
        )
    }
