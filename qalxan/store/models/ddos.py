"""DDoS alerts: one row per attack, updated at each lifecycle event (issue 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.store.base import Base, utcnow

__all__ = ["DdosAlert"]


class DdosAlert(Base):
    """An attack as last reported: state, victim, vectors, peaks and the full document."""

    __tablename__ = "ddos_alerts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    victim: Mapped[str] = mapped_column(String(200), index=True)
    victim_kind: Mapped[str] = mapped_column(String(10))
    host_group: Mapped[str] = mapped_column(String(100))
    vector: Mapped[str | None] = mapped_column(String(64), nullable=True)
    vectors: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[float] = mapped_column(Float)
    peak_pps: Mapped[float] = mapped_column(Float)
    peak_bps: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    mitigation: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (Index("ix_ddos_alerts_state_start", "state", "start"),)
