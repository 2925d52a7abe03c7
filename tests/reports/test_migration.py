"""The hand-written reports migration matches the models (no drift), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from qalxan.store import Base, Store

TABLES = {
    "reports",
    "report_emails",
    "jobs",
    "campaigns",
    "campaign_indicators",
    "report_indicators",
    "text_fingerprints",
    "text_bands",
    "analyst_users",
    "analyst_sessions",
    "decisions",
}


def _tables(diff: Any) -> set[str]:
    if isinstance(diff, list):
        return set().union(*(_tables(d) for d in diff))
    found: set[str] = set()
    for item in diff[1:]:
        table = getattr(item, "table", None)
        if table is not None:
            found.add(str(table.name))
        elif getattr(item, "name", None) in TABLES:
            found.add(str(item.name))
        elif isinstance(item, str) and item in TABLES:
            found.add(item)
    return found


def test_reports_tables_match_models(store: Store) -> None:
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, Base.metadata) if _tables(d) & TABLES]
    assert diffs == []


def test_downgrade_and_upgrade_again(store: Store) -> None:
    from alembic import command

    cfg = store.alembic_config()
    command.downgrade(cfg, "0001")
    assert not set(inspect(store.engine).get_table_names()) & TABLES
    store.migrate()
    assert set(inspect(store.engine).get_table_names()) >= TABLES
