"""The page commands: check page (file and URL), train page and eval page on a small slice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qalxan.cli.common import get_settings
from qalxan.cli.main import app

from .support import PAGES, LocalServer, read_page

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QALXAN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("QALXAN_DATABASE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    monkeypatch.setenv("QALXAN_FETCH_ALLOW_LOOPBACK", "true")
    get_settings.cache_clear()


def test_check_saved_file_with_url_json() -> None:
    result = runner.invoke(
        app,
        [
            "check",
            "page",
            str(PAGES / "tapaz_safedeal.html"),
            "--url",
            "https://tap-az.shop/",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "malicious" and doc["brand"] == "tapaz"
    assert doc["input"] == "https://tap-az.shop/"


def test_check_saved_file_on_brand_domain_is_benign() -> None:
    result = runner.invoke(
        app,
        [
            "check",
            "page",
            str(PAGES / "kapital_real.html"),
            "--url",
            "https://kapitalbank.az/",
            "--json",
        ],
    )
    assert json.loads(result.stdout)["verdict"] == "benign"


def test_check_url_text_output_and_evidence(server: LocalServer, tmp_path: Path) -> None:
    server.page("/", read_page("abb_card.html"))
    result = runner.invoke(app, ["check", "page", server.url("/"), "--evidence"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("malicious")
    assert "page.brand.credentials" in result.stdout and "fingerprint:" in result.stdout
    assert any(p.is_file() for p in (tmp_path / "evidence").rglob("*"))


def test_check_refused_url_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QALXAN_FETCH_ALLOW_LOOPBACK", "false")
    get_settings.cache_clear()
    result = runner.invoke(app, ["check", "page", "http://2130706433/", "--json"])
    assert result.exit_code == 2
    assert "loopback" in json.loads(result.stdout)["error"]


@pytest.mark.shared_data
def test_train_and_eval_on_a_slice(shared_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    data = shared_dir / "data" / "html"
    result = runner.invoke(
        app, ["train", "page", "--data", str(data), "--out", str(model), "--limit", "300", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["pages"] == 300 and 0 < summary["phishing"] < 300 and model.is_file()
    result = runner.invoke(
        app,
        [
            "eval",
            "page",
            "--data",
            str(data),
            "--model",
            str(model),
            "--limit",
            "150",
            "--no-detector",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout.splitlines()[0])
    assert metrics["name"] == "model" and metrics["n"] == 150
    assert metrics["f1"] > 0.6  # a 300-page slice already learns something
    assert 0.0 < metrics["group_weighted"]["f1"] <= 1.0
    assert all(e["misses"] > 0 for e in metrics["errors_by_group"])


@pytest.mark.shared_data
def test_cross_validation_uses_train_groups_only(shared_dir: Path) -> None:
    from qalxan.service.page_train import cross_validate, load_index

    data = shared_dir / "data" / "html"
    result = cross_validate(data, folds=3, limit=150)
    (metrics,) = result.metrics
    assert metrics.tp + metrics.fp + metrics.fn + metrics.tn == 150
    train = {r.group for r in load_index(data) if r.split == "train"}
    assert {g for g, _, _ in result.errors["model"]} <= train
    assert metrics.f1 > 0.5
