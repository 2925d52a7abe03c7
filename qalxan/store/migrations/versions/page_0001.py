"""page: evidence items (HTML, screenshot, DOM, headers, certificate) by content hash.

Revision ID: page_0001
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "page_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "page_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_page_evidence"),
    )
    op.create_index("ix_page_evidence_sha256", "page_evidence", ["sha256"])
    op.create_index("ix_page_evidence_fetched_at", "page_evidence", ["fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_page_evidence_fetched_at", table_name="page_evidence")
    op.drop_index("ix_page_evidence_sha256", table_name="page_evidence")
    op.drop_table("page_evidence")
