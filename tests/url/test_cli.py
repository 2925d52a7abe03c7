"""The url commands: check url/domain (one, --file --jsonl), train url, eval url."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qalxan.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from qalxan.cli.common import get_settings

    monkeypatch.setenv("QALXAN_DATABASE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    monkeypatch.setenv("QALXAN_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_check_url_json() -> None:
    result = runner.invoke(app, ["check", "url", "hxxps://kapitalbank-az[.]com/login", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["kind"] == "url" and out["verdict"] == "malicious"
    assert out["brand"] == "kapitalbank"
    assert "lookalike.tld_swap" in [r["code"] for r in out["reasons"]]


def test_check_url_text_in_azerbaijani() -> None:
    result = runner.invoke(app, ["check", "url", "kapitalbank.az", "--lang", "az"])
    assert result.exit_code == 0
    assert "BENIGN" in result.stdout and "rəsmi" in result.stdout


def test_check_domain_reverse_mode() -> None:
    result = runner.invoke(app, ["check", "domain", "kapitalbnak.az", "--json"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["kind"] == "domain"
    assert out["imitates"][0]["technique"] == "typo"
    assert out["imitates"][0]["official"] == "kapitalbank.az"


def test_bad_input_exits_2_with_a_clear_error() -> None:
    result = runner.invoke(app, ["check", "url", "javascript:alert(1)", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["reason"] == "unsupported scheme 'javascript'"


def test_check_url_file_keeps_order_and_survives_garbage(tmp_path: Path) -> None:
    lines = [
        b"kapitalbank.az",
        b"",
        b"\xff\xfe garbage",
        b"javascript:alert(1)",
        b'{"url": "http://birbank-bonus.com"}',
        b"{not json",
        b"http://" + b"a" * 10_000 + b".com",
        b"bit.ly/abc",
    ]
    path = tmp_path / "urls.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = runner.invoke(app, ["check", "url", "--file", str(path), "--jsonl"])
    assert result.exit_code == 0, result.output
    out = _json_lines(result.stdout)
    assert len(out) == len(lines)
    assert out[0]["verdict"] == "benign"
    assert [o.get("line") for o in out[1:4]] == [2, 3, 4]
    assert "error" in out[3] and "error" in out[5] and "error" in out[6]
    assert out[4]["verdict"] == "malicious"
    assert out[7]["verdict"] == "benign"


def test_check_domain_file(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("nar.az\nnar-bonus.com\nhttp://x.com/\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "domain", "--file", str(path), "--jsonl"])
    out = _json_lines(result.stdout)
    assert [o.get("verdict") for o in out[:2]] == ["benign", "malicious"]
    assert "error" in out[2]


def test_check_url_fetch_adds_a_page_object(monkeypatch: pytest.MonkeyPatch) -> None:
    import qalxan.service.page as page_service
    from qalxan.domain.verdict import Verdict

    calls: list[tuple[str, bool]] = []

    def fake_analyze_url(engine: object, url: str, *, render: bool, store: object) -> Verdict:
        calls.append((url, render))
        return Verdict.from_reasons("page", url, [])

    monkeypatch.setattr(page_service, "analyze_url", fake_analyze_url, raising=False)
    result = runner.invoke(app, ["check", "url", "hxxp://example[.]com/a", "--fetch", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["page"]["kind"] == "page"
    assert calls == [("http://example.com/a", False)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_fuzz_check_url_never_crashes(text: str) -> None:
    result = runner.invoke(app, ["check", "url", "--json", "--", text])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _write_csv(path: Path, rows: list[tuple[str, int, str]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("url,label,source,date_or_rank,brand\n")
        for url, label, source in rows:
            fh.write(f"{url},{label},{source},2021,\n")


def test_train_and_eval_url(tmp_path: Path) -> None:
    rows = []
    for i in range(60):
        rows.append((f"http://secure-login-{i}.verify-account.xyz/signin.php", 1, "feedA"))
        rows.append((f"https://www.shop{i}.com/products/item-{i}", 0, "feedA"))
        rows.append((f"http://paypal-update-{i}.info/webscr", 1, "feedB"))
        rows.append((f"https://www.news{i}.org/2021/article-{i}.html", 0, "feedB"))
    data = tmp_path / "train.csv.gz"
    _write_csv(data, rows)
    model = tmp_path / "m.npz"
    result = runner.invoke(
        app,
        ["train", "url", "--data", str(data), "--out", str(model), "--tranco-limit", "0", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 240 and model.stat().st_size < 5_000_000
    result = runner.invoke(
        app, ["eval", "url", "--data", str(data), "--model", str(model), "--model-only", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"]["roc_auc"] > 0.95
    assert set(report["sources"]) == {"feedA", "feedB"}
    result = runner.invoke(app, ["eval", "url", "--data", str(data), "--model", str(model)])
    assert result.exit_code == 0 and "recall_at_fpr_0.1%" in result.stdout


def test_eval_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "url", "--data", str(tmp_path / "none.csv")])
    assert result.exit_code == 2


def _html_set(root: Path, pages: list[tuple[str, int, str, str, str]]) -> Path:
    """A small HTML set in the shared set's layout: (path, label, first_copy, hint, html)."""
    import io
    import tarfile

    with (root / "index.csv").open("w", encoding="utf-8") as fh:
        fh.write("path,label,recommended_split,group_key,first_copy,benign_domain_hint\n")
        for path, label, first, hint, _ in pages:
            fh.write(f"{path},{label},train,g:{path},{first},{hint}\n")
    with tarfile.open(root / "setfit_phishing_html_5394.tar.gz", "w:gz") as tar:
        for path, _, _, _, html in pages:
            data = html.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return root


def test_benign_html_links(tmp_path: Path) -> None:
    from qalxan.service import url as svc

    many = "".join(f'<a href="/news/{i}">n</a>' for i in range(45))
    root = _html_set(
        tmp_path,
        [
            (
                "html/b/shop.html",
                0,
                "1",
                "shop.example.com",
                '<a href="/cart">c</a><a href="/cart">again</a><a href="mailto:x@y.z">m</a>'
                '<a href="javascript:void(0)">j</a><a href="#top">t</a>'
                '<a href="https://www.reddit.com/submit?url=https://shop.example.com/">s</a>'
                + many,
            ),
            ("html/b/copy.html", 0, "0", "copy.example.org", '<a href="/dup">d</a>'),
            # A hint that holds a path (site.org/en/events): only absolute links are read.
            (
                "html/b/path.html",
                0,
                "1",
                "site.org.en.events",
                '<a href="/wrong">w</a><a href="https://other.example.net/y">o</a>',
            ),
            ("html/p/kit.html", 1, "1", "", '<a href="https://www.kapitalbank.az/">k</a>'),
        ],
    )
    rows = svc.read_html_links(root)
    urls = [r.url for r in rows]
    assert urls[0] == "https://shop.example.com/cart"
    assert "https://www.reddit.com/submit?url=https://shop.example.com/" in urls
    assert "https://other.example.net/y" in urls and not any("wrong" in u for u in urls)
    assert len(urls) == len(set(urls)) == 42  # 40 of example.com, reddit.com, example.net
    assert all(r.label == 0 and r.source == "html_links" for r in rows)
    assert not any("kapitalbank" in u or "dup" in u or "mailto" in u for u in urls)

    data = tmp_path / "one.csv.gz"
    _write_csv(data, [("http://kapitalbank-giris.online/", 1, "feed")])
    result = runner.invoke(app, ["eval", "url", "--data", str(data), "--benign-html", str(root)])
    assert result.exit_code == 0, result.output
    assert "html_links" in result.stdout
    assert "verdicts_of_benign=benign:" in result.stdout
    assert "verdicts_of_phishing=benign:0,suspicious:0,malicious:1" in result.stdout
    result = runner.invoke(
        app, ["eval", "url", "--data", str(data), "--benign-html", str(root), "--json"]
    )
    report = json.loads(result.stdout)
    links = report["sources"]["html_links"]
    assert sum(links["verdicts_of_benign"].values()) == links["n"] == 42
    assert "verdicts_of_phishing" not in links
    result = runner.invoke(
        app, ["eval", "url", "--data", str(data), "--benign-html", str(tmp_path / "none")]
    )
    assert result.exit_code == 2
