"""Commands of the page area, added to the shared `check`, `train` and `eval` groups.

- ``qalxan check page URL|FILE.html [--url URL] [--render] [--evidence] [--json]``
- ``qalxan train page [--data DIR] [--out FILE] [--limit N]``
- ``qalxan eval page [--data DIR] [--model FILE] [--limit N]``
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qalxan.cli.common import emit_json, err_console, get_settings
from qalxan.cli.groups import check_app, eval_app, train_app
from qalxan.domain.errors import FetchError
from qalxan.domain.verdict import Reason, Verdict

if TYPE_CHECKING:
    from qalxan.service.page_train import Evaluation

__all__ = ["check_app", "eval_app", "train_app"]

DEFAULT_DATA = Path("../shared/data/html")
DEFAULT_MODEL = Path("qalxan/data/models/page/page_model.npz")


def _print_verdict(verdict: Verdict, as_json: bool) -> None:
    if as_json:
        emit_json(verdict.to_dict())
        return
    brand = f"  brand: {verdict.brand}" if verdict.brand else ""
    typer.echo(f"{verdict.verdict}  score {verdict.score:.2f}{brand}  {verdict.input}")
    for reason in verdict.reasons:
        typer.echo(f"  [{reason.severity}] {reason.code}: {reason.message('en')}")
    fp = verdict.extra.get("fingerprint")
    if isinstance(fp, dict):
        typer.echo(
            f"  fingerprint: dom {fp['dom']} forms {fp['forms'] or '-'} simhash {fp['simhash']}"
        )


@check_app.command("page")
def check_page(
    target: Annotated[str, typer.Argument(help="A URL to fetch safely, or a saved .html file.")],
    url: Annotated[
        str | None, typer.Option("--url", help="Where a saved page was found (its address).")
    ] = None,
    render: Annotated[
        bool, typer.Option("--render", help="Also render the page in headless chromium.")
    ] = False,
    evidence: Annotated[
        bool, typer.Option("--evidence", help="Keep the evidence in the configured store.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Check a web page: fetch it safely (or read a saved file) and judge it."""
    from qalxan.service import Engine
    from qalxan.service.page import analyze_html, analyze_url, store_evidence

    settings = get_settings()
    engine = Engine(settings)
    store = _store(settings) if evidence else None
    path = Path(target)
    try:
        if path.is_file():
            html = path.read_bytes().decode("utf-8", errors="replace")
            extra: dict[str, Any] = {"render": "skipped" if render else "not requested"}
            notes: tuple[Reason, ...] = ()
            if render:  # a saved file is never rendered: its scripts would reach the network
                notes = (engine.reasons.reason("page.render.skipped", 0.0, "saved file"),)
            verdict = analyze_html(engine, html, url, notes=notes, extra=extra)
            if store is not None:
                kept = store_evidence(engine, store, None, html=html, url=url)
                verdict = analyze_html(
                    engine, html, url, notes=notes, extra={**extra, "evidence": kept}
                )
        else:
            verdict = analyze_url(engine, target, render=render, store=store)
    except FetchError as exc:
        if as_json:
            emit_json({"kind": "page", "input": target, "error": str(exc)})
        else:
            err_console.print(f"cannot fetch: {exc}")
        raise typer.Exit(2) from None
    _print_verdict(verdict, as_json)


def _store(settings: Any) -> Any:
    from qalxan.store import Store

    store = Store(settings.database_url)
    store.migrate()
    return store


@train_app.command("page")
def train_page(
    data: Annotated[Path, typer.Option(help="Folder with index.csv and the tarball.")] = (
        DEFAULT_DATA
    ),
    out: Annotated[Path, typer.Option(help="Where to write the model (.npz).")] = DEFAULT_MODEL,
    limit: Annotated[int | None, typer.Option(help="Train on at most N pages.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Train the page model on the train groups of the shared HTML set."""
    from rich.progress import Progress

    from qalxan.service.page_train import train

    with Progress(console=err_console, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("pages", total=limit)
        summary = train(data, out, limit=limit, progress=lambda n: progress.advance(task, n))
    if as_json:
        emit_json(summary)
    else:
        for key, value in summary.items():
            typer.echo(f"{key}: {value}")


@eval_app.command("page")
def eval_page(
    data: Annotated[Path, typer.Option(help="Folder with index.csv and the tarball.")] = (
        DEFAULT_DATA
    ),
    model: Annotated[
        Path | None, typer.Option(help="Model to evaluate (default: the packaged one).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Evaluate on at most N pages.")] = None,
    detector: Annotated[
        bool, typer.Option(help="Also score the whole detector (rules + model).")
    ] = True,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv", help="Instead: 5-fold GroupKFold cross-validation on the train groups only."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Precision, recall and F1 on the held-out groups of the shared HTML set."""
    from qalxan.detect.page import PageInput
    from qalxan.domain.errors import ConfigError
    from qalxan.service import Engine
    from qalxan.service.page import load_model
    from qalxan.service.page_train import cross_validate, evaluate

    settings = get_settings()
    if cv:
        _print_evaluation(cross_validate(data, limit=limit), as_json)
        return
    fitted = load_model(model or settings.page_model_path)
    if fitted is None:
        raise ConfigError("no page model: run `qalxan train page` first")
    engine = Engine(settings)
    page_detector = engine.detector("page")

    def judge(page: PageInput) -> float:
        score: float = page_detector.analyze(page).score
        return score

    results = evaluate(data, fitted, judge if detector else None, limit=limit)
    _print_evaluation(results, as_json)


def _print_evaluation(results: Evaluation, as_json: bool) -> None:
    for metrics in results.metrics:
        d = metrics.to_dict()
        w = results.weighted[metrics.name]
        worst = results.errors[metrics.name][:10]
        if as_json:
            emit_json(
                {
                    **d,
                    "group_weighted": w,
                    "errors_by_group": [
                        {"group": g, "label": lab, "misses": n} for g, lab, n in worst
                    ],
                }
            )
            continue
        typer.echo(
            f"{d['name']:9s} n={d['n']} precision={d['precision']:.4f} "
            f"recall={d['recall']:.4f} f1={d['f1']:.4f}  group-weighted: "
            f"precision={w['precision']:.4f} recall={w['recall']:.4f} f1={w['f1']:.4f}"
        )
        for g, lab, n in worst:
            typer.echo(f"    {n:3d} missed {'phishing' if lab else 'benign  '} {g[:90]}")
