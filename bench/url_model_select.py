"""Model selection of the lexical URL model on the training side only, and its scoring cost.

Run: ``python -m bench url_model_select`` (about 10 minutes on a free core;
``QX_BENCH_URL_CONFIGS=tok1c16,base`` for some configurations only, ``=none`` for the timing
only). Data: ``../shared/data/urls`` (``QX_BENCH_URL_DATA=DIR``).

Validation: the 2020 side (Hannousse 2021, PhishTank 2020-05, Tranco ranks 0 mod 4, first
40,000), split 75/25 grouped by registered name (CRC-32 of the name mod 4 == 0 is validation);
no 2021 row is read. Prints ROC-AUC and recall at FPR 0.1% / 1% on all validation rows and
without the Tranco home pages. The figures are in ``qalxan/data/models/url/lexical.md``.
Timing: mean time of ``UrlModel.score`` on 3,000 random rows of the training file (best of
3 rounds) for the committed model.
"""

from __future__ import annotations

import os
import random
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve

from qalxan.detect.url.model import _matrix, _token_matrix, dense_features, normalise_url
from qalxan.detect.url.tokens import _split_host
from qalxan.service.url import load_model, read_labelled, read_tranco, token_lists

# name: (shape features used, token scale (0 = no tokens), C)
CONFIGS: dict[str, tuple[int, float, float]] = {
    "base": (12, 0.0, 4.0),
    "base_c16": (12, 0.0, 16.0),
    "dense18": (18, 0.0, 4.0),
    "tok05": (18, 0.5, 4.0),
    "tok1": (18, 1.0, 4.0),
    "tok1_dense12": (12, 1.0, 4.0),
    "tok2": (18, 2.0, 4.0),
    "tok1c16": (18, 1.0, 16.0),
    "tok2c16": (18, 2.0, 16.0),
}


def _group(text: str) -> str:
    host = text.split("/")[0].split("?")[0].rpartition("@")[2].partition(":")[0]
    return _split_host(host)[0]


def _recall(y: Any, s: Any, fpr_max: float) -> float:
    fpr, tpr, _ = roc_curve(y, s)
    return float(tpr[fpr <= fpr_max].max())


def _metrics(y: Any, s: Any) -> str:
    auc = roc_auc_score(y, s)
    return f"{auc:.4f} / {_recall(y, s, 0.001):.4f} / {_recall(y, s, 0.01):.4f}"


def _design(
    blocks: tuple[Any, Any, Any],
    mask: Any,
    n_dense: int,
    scale: float,
    mean: Any = None,
    std: Any = None,
) -> tuple[Any, Any, Any]:
    """Rows ``mask`` of [n-grams | tokens * scale | standardised shape features]."""
    ngrams, tokens, dense = blocks
    d = dense[mask, :n_dense]
    if mean is None:
        mean, std = d.mean(0), d.std(0) + 1e-6
    parts = [ngrams[mask]] + ([tokens[mask] * scale] if scale else [])
    parts.append(sparse.csr_matrix((d - mean) / std))
    return sparse.hstack(parts).tocsr(), mean, std


def _select(data: Path, names: list[str]) -> None:
    rows = [
        r
        for r in read_labelled(data / "train_dev_urls.csv.gz")
        if r.source in ("hannousse2021", "phishtank2020-05")
    ]
    rows += read_tranco(data / "tranco_top1m.csv.gz", every=4, offset=0, limit=40_000)
    texts = [normalise_url(r.url) for r in rows]
    y = np.array([r.label for r in rows])
    val = np.array([zlib.crc32(_group(t).encode()) % 4 == 0 for t in texts])
    not_tranco = np.array([r.source != "tranco" for r in rows])[val]
    ngrams = _matrix(texts, 2, 6, 2**18)
    tokens = _token_matrix(texts, token_lists(), 2**16, 1.0)
    dense = np.array([dense_features(t) for t in texts])
    print("config: validation all (AUC / R@0.1% / R@1%) | without Tranco", flush=True)
    for name in names:
        n_dense, scale, c = CONFIGS[name]

        blocks = (ngrams, tokens, dense)
        x, mean, std = _design(blocks, ~val, n_dense, scale)
        xv, _, _ = _design(blocks, val, n_dense, scale, mean, std)
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=200).fit(x, y[~val])
        p = clf.decision_function(xv)
        yv = y[val]
        print(f"{name}: {_metrics(yv, p)} | {_metrics(yv[not_tranco], p[not_tranco])}", flush=True)


def _timing(data: Path) -> None:
    model = load_model()
    assert model is not None
    urls = [r.url for r in read_labelled(data / "train_dev_urls.csv.gz")]
    sample = random.Random(0).sample(urls, 3000)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for url in sample:
            model.score(url)
        best = min(best, time.perf_counter() - started)
    print(f"committed model: {best / len(sample) * 1e6:.1f} us per URL (best of 3)")


def main() -> None:
    data = Path(os.environ.get("QX_BENCH_URL_DATA", "../shared/data/urls"))
    chosen = os.environ.get("QX_BENCH_URL_CONFIGS", ",".join(CONFIGS))
    names = [] if chosen == "none" else [n for n in chosen.split(",") if n]
    if names:
        _select(data, names)
    _timing(data)
