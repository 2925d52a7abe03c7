"""Commands of the message area, added to the shared `check`, `train` and `eval` groups.

- ``qalxan check message TEXT [--json]`` and ``--file F [--jsonl]``;
- ``qalxan train message`` (public SMS sets + written examples -> model artifact);
- ``qalxan eval message --data FILE`` (precision, recall, F1, FPR, per language).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import typer

from qalxan.cli.common import InputLine, emit_json, err_console, get_settings, run_lines
from qalxan.cli.groups import check_app, eval_app, train_app
from qalxan.detect.message import CHANNELS, MessageDetector, MessageInput
from qalxan.service import Engine

__all__ = ["check_app", "eval_app", "train_app"]

DEFAULT_SHARED = Path("../shared/data/messages")


def _detector(model_dir: Path | None = None) -> MessageDetector:
    from qalxan.service.message import build

    engine = Engine(get_settings())
    if model_dir is None:
        det: MessageDetector = engine.detector("message")
        return det
    return build(engine, model_dir=model_dir)


def _input(text: str, fields: dict[str, Any], sender: str | None, channel: str) -> MessageInput:
    chan = str(fields.get("channel") or channel)
    if chan not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    snd = fields.get("sender", sender)
    lang = fields.get("lang")
    return MessageInput(
        text,
        sender=str(snd) if snd is not None else None,
        channel=chan,
        lang=str(lang) if lang else None,
    )


def _print_verdict(v: dict[str, Any]) -> None:
    colour = {"malicious": "red", "suspicious": "yellow", "benign": "green"}[v["verdict"]]
    scheme = f" scheme={v['scheme']}" if v.get("scheme") else ""
    brand = f" brand={v['brand']}" if v.get("brand") else ""
    err_console.print(f"[{colour}]{v['verdict']}[/] score={v['score']:.2f}{scheme}{brand}")
    for r in v["reasons"]:
        err_console.print(f"  - {r['code']} ({r['weight']:+.2f}): {r['message']}")
    for i in v["indicators"]:
        err_console.print(f"  * {i['kind']}: {i['value']}")


@check_app.command("message")
def check_message(
    text: str = typer.Argument(None, help="The message text (or use --file)."),
    file: Path | None = typer.Option(None, "--file", "-f", help="One message per line, or JSONL."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Lines of --file are JSON objects."),
    sender: str | None = typer.Option(None, help="SMS sender ID or number."),
    channel: str = typer.Option("sms", help="sms, messenger, social or call_transcript."),
    lang: str = typer.Option("en", help="Language of the explanations: az, ru or en."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Check a message (SMS, messenger or social post, call transcript) for scams.

    JSONL lines carry ``text`` and optional ``sender`` and ``channel``; the output has one
    verdict per line, in input order, and a line that cannot be judged is reported.
    """
    detector = _detector()
    if file is not None:

        def judge(item: InputLine) -> dict[str, Any]:
            msg = _input(item.value or "", item.fields, sender, channel)
            return detector.analyze(msg).to_dict(lang)

        failures = run_lines(file, "text", judge)
        raise typer.Exit(1 if failures else 0)
    if text is None:
        raise typer.BadParameter("give a TEXT or --file", param_hint="TEXT")
    try:
        msg = _input(text, {}, sender, channel)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--channel") from None
    verdict = detector.analyze(msg).to_dict(lang)
    if as_json or jsonl:
        emit_json(verdict)
    else:
        _print_verdict(verdict)


def _package_model_dir() -> Path:
    return Path(str(resources.files("qalxan.data").joinpath("models/message")))


@train_app.command("message")
def train_message(
    data: Path = typer.Option(DEFAULT_SHARED, help="Folder with the public SMS datasets."),
    out: Path | None = typer.Option(None, help="Where to write the model (default: package)."),
    exclude_source: list[str] = typer.Option(
        [], help="Leave out rows of this source (e.g. uci_sms_spam for a cross-source test)."
    ),
    limit: int | None = typer.Option(None, help="Use at most this many public rows (tests)."),
    c: float = typer.Option(16.0, help="Inverse regularisation of the logistic regression."),
    min_df: int = typer.Option(2, help="Keep features seen in at least this many messages."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Train the message model on ../shared/data/messages plus the written examples."""
    from qalxan.service import message_train as mt
    from qalxan.service.message import load_normalizer

    public = mt.load_shared(data, exclude_source)
    if limit is not None:
        public = public[:: max(1, len(public) // limit)][:limit]
    written = mt.load_written("train")
    examples = public + written
    model = mt.train_model(examples, c=c, min_df=min_df)
    sources: dict[str, int] = {}
    for e in examples:
        sources[e.source or "?"] = sources.get(e.source or "?", 0) + 1
    fast = load_normalizer().fast
    metrics: dict[str, Any] = {}
    dev = data / "dev_en_uci_mishra.csv"
    held: dict[str, list[mt.Example]] = {"written_test": mt.load_written("test")}
    if dev.is_file():
        held["dev_en_uci_mishra"] = mt.load_examples(dev)
    for name, rows in held.items():
        m = mt.evaluate(
            rows, lambda ts: [p >= 0.5 for p in model.predict_proba([fast(t) for t in ts])]
        )
        metrics[f"model_only:{name}"] = m.as_dict()
    target = out or _package_model_dir()
    mt.write_artifact(model, target, sources=sources, metrics=metrics)
    summary = {"out": str(target), "rows": len(examples), "sources": sources, "metrics": metrics}
    if as_json:
        emit_json(summary)
    else:
        err_console.print(json.dumps(summary, indent=2, ensure_ascii=False))


@eval_app.command("message")
def eval_message(
    data: list[Path] = typer.Option(..., help="CSV or JSONL with text,label[,lang] (repeatable)."),
    source: str | None = typer.Option(None, help="Only rows whose source column is this."),
    model_dir: Path | None = typer.Option(None, help="Model folder to use instead of the default."),
    model_only: bool = typer.Option(False, help="Score with the model alone (p >= 0.5)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Precision, recall, F1 and false-positive rate of the detector on a labelled file.

    A message counts as flagged when its verdict is suspicious or malicious.
    """
    from qalxan.service import message_train as mt

    rows = [e for path in data for e in mt.load_examples(path)]
    if source is not None:
        rows = [e for e in rows if e.source == source]
    if not rows:
        raise typer.BadParameter("no rows to evaluate", param_hint="--data")
    detector = _detector(model_dir)
    if model_only:
        if detector.model is None:
            raise typer.BadParameter("no model is installed", param_hint="--model-only")
        model, fast = detector.model, detector.normalizer.fast

        def predict(texts: Any) -> list[bool]:
            return [p >= 0.5 for p in model.predict_proba([fast(t) for t in texts])]
    else:

        def predict(texts: Any) -> list[bool]:
            return [v.verdict != "benign" for v in detector.analyze_batch(texts)]

    result = {"rows": len(rows), **mt.evaluate(rows, predict).as_dict()}
    if as_json:
        emit_json(result)
    else:
        err_console.print(json.dumps(result, indent=2, ensure_ascii=False))
