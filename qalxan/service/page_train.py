"""Training and evaluation of the page model on the shared HTML set (group-disjoint split).

The set is ``setfit_phishing_html_5394.tar.gz`` with ``index.csv``; rows carry
``recommended_split`` (train/test) and ``group_key`` (pages of one kit, one brand homepage or
one exact copy share a key). Training uses the ``train`` groups, evaluation the ``test``
groups (first copies only, so exact duplicates do not count twice); no group is on both sides.
"""

from __future__ import annotations

import csv
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from qalxan.detect.page import PageInput, PageModel, extract, page_tokens
from qalxan.domain.errors import ConfigError
from qalxan.service.page import load_lexicon

__all__ = ["Metrics", "PageRow", "evaluate", "iter_pages", "load_index", "train"]

TARBALL = "setfit_phishing_html_5394.tar.gz"


@dataclass(frozen=True, slots=True)
class PageRow:
    """One row of ``index.csv``."""

    path: str
    label: int
    split: str
    group: str
    first_copy: bool


@dataclass(frozen=True, slots=True)
class Metrics:
    """Precision, recall and F1 of one classifier on one labelled set."""

    name: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": self.tp + self.fp + self.fn + self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
        }


def load_index(data_dir: Path) -> list[PageRow]:
    """The rows of ``index.csv``; a missing file or column is a ConfigError."""
    path = data_dir / "index.csv"
    if not path.is_file():
        raise ConfigError(f"{path} does not exist (expected ../shared/data/html)")
    with path.open(encoding="utf-8", newline="") as fh:
        try:
            return [
                PageRow(
                    r["path"],
                    int(r["label"]),
                    r["recommended_split"],
                    r["group_key"],
                    r["first_copy"] == "1",
                )
                for r in csv.DictReader(fh)
            ]
        except KeyError as exc:
            raise ConfigError(f"{path} lacks column {exc}") from None


def iter_pages(data_dir: Path, rows: list[PageRow]) -> Iterator[tuple[PageRow, str]]:
    """(row, html) for the wanted rows, read from the tarball in one pass."""
    wanted = {r.path: r for r in rows}
    with tarfile.open(data_dir / TARBALL, "r:gz") as tar:
        for member in tar:
            row = wanted.get(member.name)
            if row is None or not member.isfile():
                continue
            fh = tar.extractfile(member)
            if fh is not None:
                yield row, fh.read().decode("utf-8", errors="replace")


def _tokens(html: str) -> list[str]:
    return page_tokens(extract(html, None, load_lexicon()))


def _select(rows: list[PageRow], split: str, limit: int | None, unique: bool) -> list[PageRow]:
    chosen = [r for r in rows if r.split == split and (r.first_copy or not unique)]
    if limit is not None and len(chosen) > limit:
        # A deterministic spread over the split, so a slice keeps both labels.
        step = len(chosen) / limit
        chosen = [chosen[int(i * step)] for i in range(limit)]
    return chosen


def train(
    data_dir: Path,
    out: Path,
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Fit the model on the ``train`` groups, save it to ``out`` (.npz); return a summary."""
    rows = load_index(data_dir)
    chosen = _select(rows, "train", limit, unique=False)
    docs: list[list[str]] = []
    labels: list[int] = []
    for row, html in iter_pages(data_dir, chosen):
        docs.append(_tokens(html))
        labels.append(row.label)
        if progress is not None:
            progress(1)
    if len(set(labels)) < 2:
        raise ConfigError("training needs pages of both labels")
    model = PageModel().fit(docs, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **model.to_arrays())
    groups = {r.group for r in chosen}
    return {
        "pages": len(docs),
        "phishing": sum(labels),
        "groups": len(groups),
        "artifact": str(out),
        "bytes": out.stat().st_size,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def evaluate(
    data_dir: Path,
    model: PageModel,
    judge: Callable[[PageInput], float] | None = None,
    *,
    limit: int | None = None,
    threshold: float = 0.5,
    verdict_threshold: float = 0.4,
) -> list[Metrics]:
    """Metrics on the held-out ``test`` groups: the model alone and, with ``judge`` (page ->
    verdict score), the whole detector (suspicious or malicious counts as phishing)."""
    rows = load_index(data_dir)
    test_groups = {r.group for r in rows if r.split == "test"}
    train_groups = {r.group for r in rows if r.split == "train"}
    if test_groups & train_groups:
        raise ConfigError("index.csv split is not group-disjoint")
    counts = {"model": [0, 0, 0, 0], "detector": [0, 0, 0, 0]}
    for row, html in iter_pages(data_dir, _select(rows, "test", limit, unique=True)):
        p = model.predict_proba(_tokens(html))
        _count(counts["model"], row.label, p >= threshold)
        if judge is not None:
            _count(counts["detector"], row.label, judge(PageInput(html)) >= verdict_threshold)
    names = ["model"] + (["detector"] if judge is not None else [])
    return [Metrics(n, *counts[n]) for n in names]


def _count(cell: list[int], label: int, predicted: bool) -> None:
    if predicted and label:
        cell[0] += 1
    elif predicted:
        cell[1] += 1
    elif label:
        cell[2] += 1
    else:
        cell[3] += 1
