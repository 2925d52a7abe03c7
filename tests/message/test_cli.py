"""Commands: check message (text, --json, --file --jsonl), train message (small slice),
eval message (CSV and JSONL, per language)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qalxan.cli.main import app

runner = CliRunner()


def test_check_message_json() -> None:
    r = runner.invoke(app, ["check", "message", "Kartınız bloklanıb, kodu bizə göndərin", "--json"])
    assert r.exit_code == 0, r.output
    v = json.loads(r.stdout)
    assert v["verdict"] == "malicious" and v["scheme"] == "otp_request"


def test_check_message_plain_output_explains() -> None:
    r = runner.invoke(app, ["check", "message", "Kodunuz: 4821. Heç kimə deməyin.", "--lang", "az"])
    assert r.exit_code == 0, r.output
    assert "benign" in r.output


def test_check_message_file_jsonl_in_order(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"text": "Salam, axşam gəlirsən?"}),
        json.dumps({"text": "Kartınız bloklanıb. SMS kodu deyin", "sender": "+447911123456"}),
        "{not json",
        json.dumps(
            {"text": "Bağlamanız anbara çatdı, ünvanı yeniləyin: azpost-az.top", "channel": "sms"}
        ),
        json.dumps({"text": "x", "channel": "fax"}),
        "plain line: Вы выиграли iPhone, заберите приз по ссылке prize-az.top",
        json.dumps({"sender": "Nar"}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["check", "message", "--file", str(f), "--jsonl"])
    assert r.exit_code == 1  # some lines failed and were reported
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(out) == 7
    assert out[0]["verdict"] == "benign"
    assert out[1]["verdict"] == "malicious"
    assert out[2]["line"] == 3 and "error" in out[2]
    assert out[3]["scheme"] == "delivery_fee"
    assert "error" in out[4]
    assert out[5]["scheme"] == "prize"
    assert out[6]["line"] == 7 and "error" in out[6]


def test_check_message_needs_text_or_file() -> None:
    r = runner.invoke(app, ["check", "message"])
    assert r.exit_code != 0


@pytest.mark.shared_data
def test_train_small_slice_and_eval(tmp_path: Path, shared_dir: Path) -> None:
    out = tmp_path / "model"
    r = runner.invoke(
        app,
        [
            "train",
            "message",
            "--data",
            str(shared_dir / "data" / "messages"),
            "--out",
            str(out),
            "--limit",
            "600",
            "--min-df",
            "1",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    from qalxan.service.message_train import load_written

    assert summary["rows"] == 600 + len(load_written("train"))
    assert summary["sources"]["written_for_training"] == len(load_written("train"))
    assert (out / "model.npz").is_file() and (out / "model.json").is_file()
    data = tmp_path / "eval.jsonl"
    rows = [
        {"text": "Kartınız bloklanıb. SMS kodu deyin", "label": 1, "lang": "az"},
        {"text": "Salam, axşam gəlirsən?", "label": 0, "lang": "az"},
        {
            "text": "Вы выиграли iPhone, заберите приз по ссылке prize-az.top",
            "label": 1,
            "lang": "ru",
        },
        {"text": "Купи хлеба", "label": 0, "lang": "ru"},
    ]
    data.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in rows), encoding="utf-8")
    r = runner.invoke(
        app, ["eval", "message", "--data", str(data), "--model-dir", str(out), "--json"]
    )
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    assert m["n"] == 4 and m["recall"] == 1.0 and m["fpr"] == 0.0
    assert set(m["by_lang"]) == {"az", "ru"}


def test_eval_reads_csv_with_y_column(tmp_path: Path) -> None:
    data = tmp_path / "eval.csv"
    data.write_text(
        'text,y\n"Your code is 4821. Never share this code.",0\n'
        '"Send us the verification code to keep your account active",1\n',
        encoding="utf-8",
    )
    r = runner.invoke(app, ["eval", "message", "--data", str(data), "--json"])
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    assert (m["tp"], m["tn"], m["fp"], m["fn"]) == (1, 1, 0, 0)
    assert "by_lang" not in m


def test_eval_rejects_bad_labels(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("text,label\nhello,maybe\n", encoding="utf-8")
    r = runner.invoke(app, ["eval", "message", "--data", str(data)])
    assert r.exit_code != 0
