"""Training and evaluation of the message model (file I/O lives here, not in the detector).

Training data: the public SMS sets under ``../shared/data/messages`` (English UCI + Mishra,
Russian Telegram, Turkish) and the examples written for training in
``qalxan/data/message/written/train.csv`` (``origin=written_for_training``). The held-out
written set (``written/test.csv``) and ``dev_en_uci_mishra.csv`` are never trained on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qalxan.data import read_text
from qalxan.detect.message import TextModel
from qalxan.domain.errors import ConfigError, ParseError
from qalxan.service.message import load_normalizer, save_model

__all__ = [
    "SHARED_TRAIN_FILES",
    "Example",
    "Metrics",
    "evaluate",
    "load_examples",
    "load_shared",
    "load_written",
    "train_model",
]

SHARED_TRAIN_FILES: tuple[str, ...] = (
    "train_en_uci_mishra.csv",
    "telegram_spam_ru_en.csv",
    "turkish_sms.csv",
)
WRITTEN_WEIGHT = 4.0


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text (label 1 = scam or spam)."""

    text: str
    label: int
    lang: str = ""
    source: str = ""


def _label(raw: str, where: str) -> int:
    value = raw.strip().lower()
    if value in ("1", "spam", "scam", "smishing", "fraud", "malicious", "true"):
        return 1
    if value in ("0", "ham", "legit", "benign", "false"):
        return 0
    raise ParseError(f"label {raw!r} is not 0/1 (or ham/spam)", field=where, value=raw)


def _from_rows(rows: Iterable[dict[str, Any]], where: str) -> list[Example]:
    out: list[Example] = []
    for i, row in enumerate(rows, 1):
        text = row.get("text")
        raw = row.get("label", row.get("y"))
        if not isinstance(text, str) or raw is None:
            raise ParseError("each row needs text and label (or y)", field=f"{where}:{i}")
        out.append(
            Example(
                text,
                _label(str(raw), f"{where}:{i}"),
                str(row.get("lang") or ""),
                str(row.get("source") or row.get("origin") or ""),
            )
        )
    return out


def load_examples(path: Path) -> list[Example]:
    """A labelled file: CSV with a header, or JSONL; fields ``text,label[,lang]`` (``y`` is
    accepted for ``label``)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if path.suffix in (".jsonl", ".ndjson") or raw.lstrip().startswith("{"):
        rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
        return _from_rows(rows, str(path))
    return _from_rows(csv.DictReader(io.StringIO(raw)), str(path))


def load_written(name: str = "train") -> list[Example]:
    """The written examples shipped in the package (``train`` or ``test``)."""
    text = read_text(f"message/written/{name}.csv")
    return _from_rows(csv.DictReader(io.StringIO(text)), f"written/{name}.csv")


def load_shared(messages_dir: Path, exclude_sources: Sequence[str] = ()) -> list[Example]:
    """The public training files, without rows whose ``source`` is in ``exclude_sources``."""
    out: list[Example] = []
    for name in SHARED_TRAIN_FILES:
        path = messages_dir / name
        if not path.is_file():
            raise ConfigError(f"training file {path} is missing (is ../shared beside the repo?)")
        out += [e for e in load_examples(path) if e.source not in exclude_sources]
    return out


def train_model(examples: Sequence[Example], *, c: float = 16.0, min_df: int = 2) -> TextModel:
    """Fit the text model; written examples weigh :data:`WRITTEN_WEIGHT` times more."""
    if len({e.label for e in examples}) < 2:
        raise ConfigError("training needs both scam and legitimate examples")
    fast = load_normalizer().fast
    weights = [WRITTEN_WEIGHT if e.source.startswith("written") else 1.0 for e in examples]
    return TextModel(c=c, min_df=min_df).fit(
        [fast(e.text) for e in examples], [e.label for e in examples], weights
    )


@dataclass
class Metrics:
    """Confusion counts with precision, recall, F1 and false-positive rate."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    by_lang: dict[str, Metrics] = field(default_factory=dict)

    def add(self, truth: int, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    def as_dict(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        fpr = self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0
        out: dict[str, Any] = {
            "n": self.tp + self.fp + self.fn + self.tn,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "fpr": round(fpr, 4),
        }
        if self.by_lang:
            out["by_lang"] = {k: v.as_dict() for k, v in sorted(self.by_lang.items())}
        return out


def evaluate(
    examples: Sequence[Example], predict: Callable[[Sequence[str]], Sequence[bool]]
) -> Metrics:
    """Metrics of ``predict`` (texts -> scam?) on labelled examples, per language too."""
    metrics = Metrics()
    predictions = predict([e.text for e in examples])
    for e, pred in zip(examples, predictions, strict=True):
        metrics.add(e.label, pred)
        if e.lang:
            metrics.by_lang.setdefault(e.lang, Metrics()).add(e.label, pred)
    return metrics


def write_artifact(
    model: TextModel, folder: Path, *, sources: dict[str, int], metrics: dict[str, Any]
) -> None:
    """Save the model with its training metadata (the model card reads these figures)."""
    meta = {
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training_rows_by_source": sources,
        "metrics": metrics,
    }
    save_model(model, folder, meta)
