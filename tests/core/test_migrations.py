"""The hand-written core migration matches the models (no drift), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from qalxan.store import Base, Store

CORE_TABLES = {"brands", "api_keys", "audit_log"}


def _table_of(diff: Any) -> str | None:
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return _table_of(diff[0])
    for item in diff[1:]:
        name = getattr(item, "name", None) if not isinstance(item, str) else None
        table = getattr(item, "table", None)
        if table is not None:
            return str(table.name)
        if name in CORE_TABLES:
            return str(name)
        if isinstance(item, str) and item in CORE_TABLES:
            return item
    return None


def test_core_tables_exist_and_match_models(store: Store) -> None:
    assert set(inspect(store.engine).get_table_names()) >= CORE_TABLES
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, Base.metadata) if _table_of(d) in CORE_TABLES]
    assert diffs == []


def test_migrate_is_idempotent(store: Store) -> None:
    store.migrate()
    store.migrate()
    assert set(inspect(store.engine).get_table_names()) >= CORE_TABLES
