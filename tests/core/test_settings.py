"""Every setting has a default, help text, and a line in docs/settings.md."""

from __future__ import annotations

from pathlib import Path

from qalxan.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_has_help_and_default() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert not field.is_required(), f"setting {name} has no default"


def test_every_setting_is_documented() -> None:
    """Regenerate with: .venv/bin/qalxan settings --markdown > docs/settings.md"""
    from qalxan.cli.settings_doc import settings_markdown

    assert DOC.read_text(encoding="utf-8") == settings_markdown()


def test_settings_read_from_prefixed_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QALXAN_DATABASE_URL", "sqlite:///x.db")
    assert Settings().database_url == "sqlite:///x.db"
