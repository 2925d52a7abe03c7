"""Reports area: reports, e-mails, jobs, campaigns, indicators, fingerprints, analysts.

Revision ID: reports_0001
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reports_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        _id(),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into", BigId, nullable=True),
        sa.Column("report_count", sa.Integer, nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["campaigns.id"], name="fk_campaigns_merged_into_campaigns"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("client_key", sa.String(128), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("partner", sa.String(128), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("sender", sa.String(64), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("contact", sa.String(256), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("brand", sa.String(64), nullable=True),
        sa.Column("scheme", sa.String(64), nullable=True),
        sa.Column("verdicts", sa.JSON, nullable=True),
        sa.Column("campaign_id", BigId, nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        _ts("created_at"),
        _ts("enriched_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_reports_campaign_id_campaigns"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("client_key", name="uq_reports_client_key"),
    )
    op.create_index("ix_reports_campaign_id", "reports", ["campaign_id"])
    op.create_index("ix_reports_created_at", "reports", ["created_at"])
    op.create_table(
        "report_emails",
        _id(),
        sa.Column("report_id", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(512), nullable=True),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("from_addr", sa.String(512), nullable=True),
        sa.Column("reply_to", sa.String(512), nullable=True),
        sa.Column("to_addr", sa.Text, nullable=True),
        sa.Column("date", sa.String(128), nullable=True),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("links", sa.JSON, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("body_text", sa.Text, nullable=True),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("raw_size", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_report_emails_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_emails"),
        sa.UniqueConstraint("report_id", name="uq_report_emails_report_id"),
    )
    op.create_table(
        "jobs",
        _id(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _ts("run_after"),
        _ts("locked_until", nullable=True),
        sa.Column("locked_by", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"])
    op.create_table(
        "campaign_indicators",
        _id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        sa.Column("display", sa.String(512), nullable=True),
        sa.Column("campaign_id", BigId, nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_campaign_indicators_campaign_id_campaigns"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_indicators"),
        sa.UniqueConstraint("kind", "value", name="uq_campaign_indicators_kind_value"),
    )
    op.create_index("ix_campaign_indicators_campaign_id", "campaign_indicators", ["campaign_id"])
    op.create_table(
        "report_indicators",
        sa.Column("report_id", sa.String(32), nullable=False),
        sa.Column("indicator_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_report_indicators_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["campaign_indicators.id"],
            name="fk_report_indicators_indicator_id_campaign_indicators",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "indicator_id", name="pk_report_indicators"),
    )
    op.create_index("ix_report_indicators_indicator_id", "report_indicators", ["indicator_id"])
    op.create_table(
        "text_fingerprints",
        sa.Column("report_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_text_fingerprints_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name="pk_text_fingerprints"),
    )
    op.create_table(
        "text_bands",
        sa.Column("report_id", sa.String(32), nullable=False),
        sa.Column("band", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_text_bands_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "band", name="pk_text_bands"),
    )
    op.create_index("ix_text_bands_band_hash", "text_bands", ["band", "hash"])
    op.create_table(
        "analyst_users",
        _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        _ts("created_at"),
        _ts("last_login", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_analyst_users"),
        sa.UniqueConstraint("username", name="uq_analyst_users_username"),
    )
    op.create_table(
        "analyst_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["analyst_users.id"],
            name="fk_analyst_sessions_user_id_analyst_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_analyst_sessions"),
    )
    op.create_index("ix_analyst_sessions_user_id", "analyst_sessions", ["user_id"])
    op.create_table(
        "decisions",
        _id(),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("report_id", sa.String(32), nullable=True),
        sa.Column("campaign_id", BigId, nullable=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("verdict_at_decision", sa.String(16), nullable=True),
        sa.Column("analyst", sa.String(128), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_decisions_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_decisions_campaign_id_campaigns"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
    )
    op.create_index("ix_decisions_created_at", "decisions", ["created_at"])


def downgrade() -> None:
    for table in (
        "decisions",
        "analyst_sessions",
        "analyst_users",
        "text_bands",
        "text_fingerprints",
        "report_indicators",
        "campaign_indicators",
        "jobs",
        "report_emails",
        "reports",
        "campaigns",
    ):
        op.drop_table(table)
