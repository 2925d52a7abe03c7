"""Merge the first migrations of each area into one head.

Revision ID: 0002
Revises: core_0001, ddos_0001, page_0001, reports_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0002"
down_revision: str | Sequence[str] | None = ("core_0001", "ddos_0001", "page_0001", "reports_0001")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
