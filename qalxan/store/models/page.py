"""Evidence of the page area: fetched HTML, headers, certificates, DOMs and screenshots.

Each row is one observation (what was seen, where, when); the bytes live once in a file under
``var_dir/evidence`` named by their SHA-256, so identical content is stored once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qalxan.store.base import Base, utcnow

__all__ = ["EVIDENCE_KINDS", "EvidenceItem"]

EVIDENCE_KINDS: tuple[str, ...] = ("html", "screenshot", "dom", "headers", "certificate")


class EvidenceItem(Base):
    """One piece of evidence kept for an analyst or a takedown request."""

    __tablename__ = "page_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    path: Mapped[str] = mapped_column(String(512))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_page_evidence_sha256", "sha256"),
        Index("ix_page_evidence_fetched_at", "fetched_at"),
    )
