"""Commands of the url area, added to the shared `check`, `train` and `eval` groups.

- ``qalxan check url URL [--json] [--fetch]`` / ``--file F --jsonl``
- ``qalxan check domain DOMAIN [--json]`` / ``--file F --jsonl``
- ``qalxan train url --data FILE``
- ``qalxan eval url --data FILE``
"""

from __future__ import annotations

import importlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from qalxan.cli.common import InputLine, emit_json, err_console, get_settings, run_lines
from qalxan.cli.groups import check_app, eval_app, train_app
from qalxan.domain.errors import ParseError, QalxanError
from qalxan.domain.verdict import Verdict

__all__ = ["check_app", "eval_app", "train_app"]

_LANG = typer.Option("en", "--lang", help="Language of the messages: az, ru or en.")
_JSON = typer.Option(False, "--json", help="Print the verdict as one JSON object.")
_JSONL = typer.Option(False, "--jsonl", help="With --file: one JSON verdict per line (default).")


def _engine() -> Any:
    from qalxan.service import Engine

    return Engine(get_settings())


def _print_verdict(out: dict[str, Any]) -> None:
    label = out["verdict"].upper()
    brand = f"  brand: {out['brand']}" if out.get("brand") else ""
    typer.echo(f"{label}  score {out['score']:.3f}{brand}  {out['input']}")
    for reason in out["reasons"]:
        typer.echo(f"  - [{reason['code']}] {reason['message']}")
    if "page" in out:
        page = out["page"]
        if "error" in page:
            typer.echo(f"  page: {page['error']}")
        else:
            typer.echo(f"  page: {page['verdict']} score {page['score']:.3f}")


def _fetch_page(engine: Any, url: str, lang: str) -> dict[str, Any]:
    # Imported lazily (and looked up by name) so that the url commands work without the page
    # area: its service provides ``analyze_url(engine, url, render=, store=) -> Verdict``.
    analyze_url = getattr(importlib.import_module("qalxan.service.page"), "analyze_url", None)
    if analyze_url is None:
        return {"error": "page analysis is not available in this build"}
    try:
        verdict: Verdict = analyze_url(engine, url, render=False, store=None)
    except QalxanError as exc:
        return {"error": str(exc)}
    return verdict.to_dict(lang)


def _run_file(path: Path, field: str, judge: Any, lang: str) -> None:
    def one(item: InputLine) -> dict[str, Any]:
        out: dict[str, Any] = judge(item.value).to_dict(lang)
        return out

    failures = run_lines(path, field, one)
    if failures:
        err_console.print(f"{failures} line(s) could not be checked")


def _fail(exc: ParseError, as_json: bool) -> None:
    if as_json:
        emit_json({"error": {"field": exc.field, "reason": exc.reason, "input": exc.value}})
    else:
        err_console.print(f"error: {exc}")
    raise typer.Exit(2)


@check_app.command("url")
def check_url(
    url: str = typer.Argument(None, help="The URL to check (defanged hxxp/[.] accepted)."),
    file: Path | None = typer.Option(None, "--file", help="Check one URL per line of FILE."),
    as_json: bool = _JSON,
    jsonl: bool = _JSONL,
    fetch: bool = typer.Option(False, "--fetch", help="Also fetch the page and judge it."),
    lang: str = _LANG,
) -> None:
    """Is this URL phishing? Which brand does it imitate, and how?"""
    engine = _engine()
    detector = engine.detector("url")
    if file is not None:
        _run_file(file, "url", detector.analyze, lang)
        return
    if url is None:
        raise typer.BadParameter("give a URL or --file", param_hint="URL")
    try:
        out: dict[str, Any] = detector.analyze(url).to_dict(lang)
    except ParseError as exc:
        _fail(exc, as_json)
        return
    if fetch:
        out["page"] = _fetch_page(engine, out["canonical"], lang)
    if as_json:
        emit_json(out)
    else:
        _print_verdict(out)


@check_app.command("domain")
def check_domain(
    domain: str = typer.Argument(None, help="The domain to check (reverse mode)."),
    file: Path | None = typer.Option(None, "--file", help="Check one domain per line of FILE."),
    as_json: bool = _JSON,
    jsonl: bool = _JSONL,
    lang: str = _LANG,
) -> None:
    """Which brand does this domain imitate, and how?"""
    detector = _engine().detector("url")
    if file is not None:
        _run_file(file, "domain", detector.analyze_domain, lang)
        return
    if domain is None:
        raise typer.BadParameter("give a domain or --file", param_hint="DOMAIN")
    try:
        out: dict[str, Any] = detector.analyze_domain(domain).to_dict(lang)
    except ParseError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        emit_json(out)
    else:
        _print_verdict(out)


def _default_tranco(data: Path) -> Path | None:
    candidate = data.parent / "tranco_top1m.csv.gz"
    return candidate if candidate.is_file() else None


@train_app.command("url")
def train_url(
    data: Path = typer.Option(..., "--data", help="CSV(.gz) url,label[,source[,date]]."),
    out: Path = typer.Option(
        Path("qalxan/data/models/url/lexical.npz"), "--out", help="Where to write the model."
    ),
    tranco: Path | None = typer.Option(
        None,
        "--tranco",
        help="Tranco list for benign home pages (default: tranco_top1m.csv.gz beside --data).",
    ),
    tranco_limit: int = typer.Option(40_000, help="Tranco domains used (ranks = 0 mod 4)."),
    holdout_source: list[str] = typer.Option(
        [], "--holdout-source", help="Leave this source out of training (repeatable)."
    ),
    limit: int = typer.Option(0, help="Use only the first N rows (0 = all)."),
    as_json: bool = _JSON,
) -> None:
    """Train the lexical URL model and write it (then commit it with its model card)."""
    from qalxan.service import url as svc

    try:
        rows = [r for r in svc.read_labelled(data) if r.source not in set(holdout_source)]
        if limit:
            rows = rows[:limit]
        tranco_path = tranco if tranco is not None else _default_tranco(data)
        if tranco_path is not None and tranco_limit > 0:
            rows += svc.read_tranco(tranco_path, every=4, offset=0, limit=tranco_limit)
        started = time.monotonic()
        model = svc.train(rows)
    except QalxanError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from None
    svc.save_model(model, out)
    summary = {
        "model": str(out),
        "rows": len(rows),
        "phishing": sum(r.label for r in rows),
        "tranco": str(tranco_path) if tranco_path else None,
        "holdout_sources": holdout_source,
        "seconds": round(time.monotonic() - started, 1),
        "bytes": out.stat().st_size,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ"),
    }
    if as_json:
        emit_json(summary)
    else:
        for key, value in summary.items():
            typer.echo(f"{key}: {value}")


@eval_app.command("url")
def eval_url(
    data: Path = typer.Option(..., "--data", help="CSV(.gz) url,label[,source]."),
    source: list[str] = typer.Option([], "--source", help="Only rows of this source."),
    exclude_source: list[str] = typer.Option([], "--exclude-source", help="Skip this source."),
    tranco: Path | None = typer.Option(
        None, "--tranco", help="Add benign Tranco domains (ranks = 2 mod 4, unseen in training)."
    ),
    tranco_limit: int = typer.Option(20_000, help="How many Tranco domains to add."),
    benign_html: Path | None = typer.Option(
        None,
        "--benign-html",
        help="Add the links of the benign pages of this HTML set (../shared/data/html) as "
        "benign deep pages (source html_links, at most 40 per registered domain).",
    ),
    model: Path | None = typer.Option(None, "--model", help="Evaluate this model file."),
    model_only: bool = typer.Option(False, "--model-only", help="Score with the model alone."),
    limit: int = typer.Option(0, help="Use only the first N rows (0 = all)."),
    as_json: bool = _JSON,
) -> None:
    """ROC-AUC and recall at FPR 0.1% and 1%, overall and per source."""
    from qalxan.service import url as svc

    try:
        rows = [
            r
            for r in svc.read_labelled(data)
            if (not source or r.source in source) and r.source not in exclude_source
        ]
        if limit:
            rows = rows[:limit]
        if tranco is not None and tranco_limit > 0:
            rows += svc.read_tranco(tranco, every=4, offset=2, limit=tranco_limit)
        if benign_html is not None:
            rows += svc.read_html_links(benign_html)
        detector = svc.build(_engine(), model_path=model)
        kept, scores, skipped = svc.score_rows(detector, rows, model_only=model_only)
        if not kept:
            raise QalxanError("no rows to evaluate")
        report = svc.evaluate_scores(kept, scores)
        if not model_only:
            svc.add_verdict_counts(report, kept, scores, detector.thresholds)
    except QalxanError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from None
    report["skipped_unparsable"] = skipped
    report["scorer"] = "model" if model_only else "combined"
    if as_json:
        emit_json(report)
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    def line(name: str, m: dict[str, Any]) -> str:
        parts = [f"{name:<22} n={m['n']:<7} phish={m['phishing']:<6}"]
        for key in ("roc_auc", "recall_at_fpr_0.1%", "recall_at_fpr_1%"):
            if key in m:
                parts.append(f"{key}={m[key]:.4f}")
        for key in sorted(k for k in m if k.startswith(("recall_at_overall", "fpr_at_overall"))):
            parts.append(f"{key}={m[key]}")
        for key in ("verdicts_of_benign", "verdicts_of_phishing"):
            if key in m:
                parts.append(f"{key}=" + ",".join(f"{k}:{v}" for k, v in m[key].items()))
        return "  ".join(parts)

    typer.echo(f"scorer: {report['scorer']}  skipped (unparsable): {report['skipped_unparsable']}")
    typer.echo(line("overall", report["overall"]))
    for name, m in report["sources"].items():
        typer.echo(line(name, m))
    sys.stdout.flush()
