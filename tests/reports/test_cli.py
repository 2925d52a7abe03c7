"""``qalxan users create`` and ``qalxan reports list``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qalxan.cli import common
from qalxan.cli.main import app
from qalxan.service import Engine
from qalxan.service.reports import NewReport, ReportService
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.analysts import AnalystDirectory


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("QALXAN_DATABASE_URL", settings.database_url)
    common.get_settings.cache_clear()
    yield settings  # type: ignore[misc]
    common.get_settings.cache_clear()


def test_users_create_hashes_the_password(env: Settings) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["users", "create", "--username", "Leyla", "--password-stdin", "--json"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": 1, "username": "leyla"}
    store = Store(env.database_url)
    user = AnalystDirectory(store).authenticate("leyla", "a long enough password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    again = runner.invoke(
        app,
        ["users", "create", "--username", "leyla", "--password-stdin"],
        input="another pass 12\n",
    )
    assert again.exit_code == 2
    short = runner.invoke(
        app, ["users", "create", "--username", "x2", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2
    store.dispose()


def test_reports_list_json(env: Settings) -> None:
    store = Store(env.database_url)
    store.migrate()
    service = ReportService(env, store, Engine(env))
    rid = service.submit(NewReport(url="https://azerpost-pay.site/x")).id
    service.enrich(rid)
    result = CliRunner().invoke(app, ["reports", "list", "--json"])
    assert result.exit_code == 0, result.output
    (doc,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert doc["id"] == rid and doc["status"] == "enriched" and doc["campaign_id"] == 1
    table = CliRunner().invoke(app, ["reports", "list"])
    assert table.exit_code == 0 and "enriched" in table.stdout
    store.dispose()
