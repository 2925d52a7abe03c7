"""The page model: hashed page tokens -> logistic regression -> probability of phishing.

Tokens come from the extracted features (title and text words, tag names, field kinds, form
and resource shape, count buckets), hashed into ``n_features`` buckets with CRC32. ``fit``
uses scikit-learn; prediction is a numpy dot product, so a loaded model needs no pickle.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from qalxan.detect.page.features import PageFeatures, host_of

__all__ = ["PageModel", "page_tokens"]

_WORD = re.compile(r"[^\W\d_]{2,24}")
_MAX_WORDS = 800


def _bucket(n: int) -> int:
    return 0 if n <= 0 else min(6, int(math.log2(n)) + 1)


def page_tokens(feats: PageFeatures) -> list[str]:
    """The tokens of a page that the model hashes (a set: their order is irrelevant)."""
    toks: set[str] = set()
    toks.update("t:" + w for w in _WORD.findall(feats.title.lower())[:40])
    toks.update("w:" + w for w in _WORD.findall(feats.text[:20_000])[:_MAX_WORDS])
    toks.update("tag:" + t for t in feats.tags)
    toks.update("r:" + w for w in feats.source_words)
    toks.update("k:" + f.kind for f in feats.fields)
    for form in feats.forms:
        act = form.action.lower()
        shape = "empty" if not act or act == "#" else "abs" if "://" in act else "rel"
        toks.add(f"fa:{shape}:{form.method}")
        if ".php" in act:
            toks.add("fa:php")
    for name, value in feats.counts.items():
        toks.add(f"n:{name}:{_bucket(value)}")
    hosts = {host_of(r.url) for r in feats.resources} | {host_of(u) for u in feats.links}
    hosts.discard("")
    toks.add(f"n:hosts:{_bucket(len(hosts))}")
    toks.add(f"n:text:{_bucket(len(feats.text) // 100)}")
    toks.add(f"n:script:{_bucket(len(feats.script_text) // 1000)}")
    if not feats.title:
        toks.add("t:<none>")
    return list(toks)


class PageModel:
    """Hashed-token logistic regression (scikit-learn estimator conventions)."""

    def __init__(self, n_features: int = 1 << 18, C: float = 1.0) -> None:
        self.n_features = n_features
        self.C = C

    def _indices(self, tokens: Sequence[str]) -> np.ndarray[Any, np.dtype[np.int64]]:
        mask = self.n_features - 1
        return np.unique(
            np.fromiter((zlib.crc32(t.encode("utf-8")) & mask for t in tokens), np.int64)
        )

    def fit(self, docs: Sequence[Sequence[str]], labels: Sequence[int]) -> PageModel:
        """Learn ``coef_`` and ``intercept_`` from token lists and 0/1 labels."""
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        rows: list[int] = []
        cols: list[int] = []
        for i, doc in enumerate(docs):
            idx = self._indices(doc)
            rows.extend([i] * len(idx))
            cols.extend(idx.tolist())
        x = csr_matrix(
            (np.ones(len(cols), np.float32), (rows, cols)), shape=(len(docs), self.n_features)
        )
        clf = LogisticRegression(C=self.C, solver="liblinear", max_iter=200)
        clf.fit(x, np.asarray(labels))
        self.coef_ = clf.coef_.ravel().astype(np.float32)
        self.intercept_ = float(clf.intercept_[0])
        return self

    def predict_proba(self, tokens: Sequence[str]) -> float:
        """Probability that the page is phishing."""
        z = float(self.coef_[self._indices(tokens)].sum()) + self.intercept_
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_arrays(self) -> dict[str, Any]:
        """The learned state as arrays (saved with ``numpy.savez_compressed``)."""
        return {
            "coef": self.coef_,
            "intercept": np.asarray([self.intercept_], np.float64),
            "n_features": np.asarray([self.n_features], np.int64),
            "C": np.asarray([self.C], np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> PageModel:
        """Rebuild a fitted model from :meth:`to_arrays` output (or a loaded ``.npz``)."""
        model = cls(n_features=int(arrays["n_features"][0]), C=float(arrays["C"][0]))
        model.coef_ = np.asarray(arrays["coef"], np.float32)
        model.intercept_ = float(arrays["intercept"][0])
        if model.coef_.shape != (model.n_features,):
            raise ValueError("page model: coef has the wrong shape")
        return model
