"""ddos: the ddos_alerts table.

Revision ID: ddos_0001
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ddos_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ddos_alerts",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("victim", sa.String(200), nullable=False),
        sa.Column("victim_kind", sa.String(10), nullable=False),
        sa.Column("host_group", sa.String(100), nullable=False),
        sa.Column("vector", sa.String(64), nullable=True),
        sa.Column("vectors", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("detected_at", sa.Float(), nullable=False),
        sa.Column("peak_pps", sa.Float(), nullable=False),
        sa.Column("peak_bps", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("mitigation", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ddos_alerts")),
    )
    op.create_index(op.f("ix_ddos_alerts_victim"), "ddos_alerts", ["victim"])
    op.create_index("ix_ddos_alerts_state_start", "ddos_alerts", ["state", "start"])


def downgrade() -> None:
    op.drop_index("ix_ddos_alerts_state_start", table_name="ddos_alerts")
    op.drop_index(op.f("ix_ddos_alerts_victim"), table_name="ddos_alerts")
    op.drop_table("ddos_alerts")
