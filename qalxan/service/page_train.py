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

from qalxan.detect.page import PageFeatures, PageInput, PageModel, extract, page_tokens
from qalxan.detect.page.model import page_dense
from qalxan.domain.errors import ConfigError
from qalxan.service.page import load_lexicon

__all__ = [
    "Evaluation",
    "Metrics",
    "PageRow",
    "cross_validate",
    "evaluate",
    "iter_pages",
    "load_index",
    "train",
]

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


def _features(html: str) -> PageFeatures:
    return extract(html, None, load_lexicon())


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
    dense: list[list[float]] = []
    labels: list[int] = []
    groups: list[str] = []
    for row, html in iter_pages(data_dir, chosen):
        feats = _features(html)
        docs.append(page_tokens(feats))
        dense.append(page_dense(feats))
        labels.append(row.label)
        groups.append(row.group)
        if progress is not None:
            progress(1)
    if len(set(labels)) < 2:
        raise ConfigError("training needs pages of both labels")
    folds = min(5, len(set(groups)))
    model = PageModel().fit(docs, labels, dense, groups, folds=folds)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **model.to_arrays())
    return {
        "pages": len(docs),
        "phishing": sum(labels),
        "groups": len(set(groups)),
        "artifact": str(out),
        "bytes": out.stat().st_size,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@dataclass
class Evaluation:
    """Metrics on the held-out groups, group-weighted metrics and the misses per group."""

    metrics: list[Metrics]
    weighted: dict[str, dict[str, float]]  # name -> precision/recall/f1, each group weight 1
    errors: dict[str, list[tuple[str, int, int]]]  # name -> (group, label, misses), worst first


def cross_validate(
    data_dir: Path, *, folds: int = 5, limit: int | None = None, stage2: bool = True
) -> Evaluation:
    """GroupKFold cross-validation on the ``train`` groups only (every train page; no group
    on both sides of a fold): how model choices are compared without touching the test
    groups. Metrics of the model at p >= 0.5, plain and group-weighted."""
    from sklearn.model_selection import GroupKFold

    rows = _select(load_index(data_dir), "train", limit, unique=False)
    docs: list[list[str]] = []
    dense: list[list[float]] = []
    labels: list[int] = []
    groups: list[str] = []
    for row, html in iter_pages(data_dir, rows):
        feats = _features(html)
        docs.append(page_tokens(feats))
        dense.append(page_dense(feats))
        labels.append(row.label)
        groups.append(row.group)
    said = [False] * len(docs)
    for a, b in GroupKFold(folds).split(docs, labels, groups):
        model = PageModel().fit(
            [docs[i] for i in a],
            [labels[i] for i in a],
            [dense[i] for i in a] if stage2 else None,
            [groups[i] for i in a],
            folds=folds,
        )
        for i in b:
            said[i] = model.score_parts(docs[i], dense[i]) >= 0.5
    return _summarise(
        ["model"], [(g, lab, {"model": s}) for g, lab, s in zip(groups, labels, said, strict=True)]
    )


def evaluate(
    data_dir: Path,
    model: PageModel,
    judge: Callable[[PageInput], float] | None = None,
    *,
    limit: int | None = None,
    threshold: float = 0.5,
    verdict_threshold: float = 0.4,
) -> Evaluation:
    """Metrics on the held-out ``test`` groups: the model alone and, with ``judge`` (page ->
    verdict score), the whole detector (suspicious or malicious counts as phishing). Each
    first-copy page counts once; the group-weighted figures give each group a total weight
    of 1, so a large group of near-identical pages does not decide the score."""
    rows = load_index(data_dir)
    test_groups = {r.group for r in rows if r.split == "test"}
    train_groups = {r.group for r in rows if r.split == "train"}
    if test_groups & train_groups:
        raise ConfigError("index.csv split is not group-disjoint")
    names = ["model"] + (["detector"] if judge is not None else [])
    seen: list[tuple[str, int, dict[str, bool]]] = []
    for row, html in iter_pages(data_dir, _select(rows, "test", limit, unique=True)):
        said = {"model": model.score(_features(html)) >= threshold}
        if judge is not None:
            said["detector"] = judge(PageInput(html)) >= verdict_threshold
        seen.append((row.group, row.label, said))
    return _summarise(names, seen)


def _summarise(names: list[str], seen: list[tuple[str, int, dict[str, bool]]]) -> Evaluation:
    size: dict[str, int] = {}
    for group, _, _ in seen:
        size[group] = size.get(group, 0) + 1
    metrics: list[Metrics] = []
    weighted: dict[str, dict[str, float]] = {}
    errors: dict[str, list[tuple[str, int, int]]] = {}
    for name in names:
        cell = [0, 0, 0, 0]
        wcell = [0.0, 0.0, 0.0, 0.0]
        misses: dict[tuple[str, int], int] = {}
        for group, label, said in seen:
            k = _cell(label, said[name])
            cell[k] += 1
            wcell[k] += 1.0 / size[group]
            if k in (1, 2):
                misses[group, label] = misses.get((group, label), 0) + 1
        metrics.append(Metrics(name, *cell))
        weighted[name] = _prf(*wcell[:3])
        errors[name] = sorted(
            ((g, lab, n) for (g, lab), n in misses.items()), key=lambda e: (-e[2], e[0])
        )
    return Evaluation(metrics, weighted, errors)


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _cell(label: int, predicted: bool) -> int:
    """0 tp, 1 fp, 2 fn, 3 tn."""
    if predicted:
        return 0 if label else 1
    return 2 if label else 3
