"""The migrations end in one head, so `alembic upgrade head` and autogenerate work."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from qalxan.store import Store


def test_single_head(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    heads = ScriptDirectory.from_config(store.alembic_config()).get_heads()
    assert heads == ["0002"], heads
