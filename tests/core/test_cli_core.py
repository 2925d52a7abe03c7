"""``qalxan brands`` and ``qalxan keys`` against a temporary store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qalxan.cli.common import get_settings
from qalxan.cli.main import app
from qalxan.data import load_brands
from qalxan.domain import Brand
from qalxan.store import Store
from qalxan.store.brands import BrandStore
from qalxan.store.keys import KeyStore

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("QALXAN_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_brands_list_and_show(db_url: str) -> None:
    brands = _json(["brands", "list", "--json"])
    assert isinstance(brands, list) and len(brands) == len(load_brands())
    by_id = {b["id"]: b for b in brands}
    assert "kapitalbank.az" in by_id["kapitalbank"]["domains"]
    assert _json(["brands", "list", "--json"]) == brands  # twice: nothing duplicated
    shown = _json(["brands", "show", "Azərpoçt", "--json"])
    assert isinstance(shown, dict) and shown["id"] == "azerpost"
    assert _json(["brands", "show", "tap.az", "--json"])["id"] == "tapaz"  # type: ignore[index]
    table = runner.invoke(app, ["brands", "list", "--category", "operator"])
    assert table.exit_code == 0 and "azercell" in table.stdout
    missing = runner.invoke(app, ["brands", "show", "nope"])
    assert missing.exit_code == 1


def test_brands_show_reflects_analyst_edit(db_url: str) -> None:
    _json(["brands", "list", "--json"])
    store = Store(db_url)
    try:
        kapital = load_brands().get("kapitalbank")
        assert kapital is not None
        edited = Brand.from_dict({**kapital.to_dict(), "notes": "edited by analyst"})
        BrandStore(store).replace(edited, actor="key:k1")
    finally:
        store.dispose()
    shown = _json(["brands", "show", "kapitalbank", "--json"])
    assert shown["notes"] == "edited by analyst" and shown["source"] == "analyst"  # type: ignore[index]


def test_keys_create_list_revoke(db_url: str) -> None:
    result = runner.invoke(app, ["keys", "create", "--scope", "operator", "--name", "smsc"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("qx_") and len(token) > 40
    created = _json(
        ["keys", "create", "--scope", "bank", "--scope", "isp", "--name", "b", "--json"]
    )
    assert isinstance(created, dict) and created["scopes"] == ["bank", "isp"]
    listed = _json(["keys", "list", "--json"])
    assert isinstance(listed, list) and len(listed) == 2 and token not in json.dumps(listed)
    store = Store(db_url)
    try:
        key = KeyStore(store).lookup(token)
        assert key is not None and key.scopes == {"operator"}
        revoked = _json(["keys", "revoke", key.id, "--json"])
        assert revoked["revoked_at"]  # type: ignore[index]
        assert KeyStore(store).lookup(token) is None
    finally:
        store.dispose()
    assert runner.invoke(app, ["keys", "revoke", "missing"]).exit_code == 1
    bad = runner.invoke(app, ["keys", "create", "--scope", "root", "--name", "x"])
    assert bad.exit_code != 0


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["--help"])
    assert "qalxan brands list --json" in result.stdout
    assert "qalxan keys create" in result.stdout
