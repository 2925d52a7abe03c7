"""The lexical URL model: hashed byte n-grams (2-6) plus shape features, logistic regression.

It catches phishing of brands the registry does not list. URLs are normalised before
featurising (lowercase, no scheme, no leading ``www.``, no trailing ``/``): the training data
has a format artifact (benign URLs mostly start with ``www.`` and use another scheme), and a
model that sees them learns the artifact instead of phishing.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.linear_model import LogisticRegression

__all__ = ["UrlModel", "dense_features", "featurise", "normalise_url"]

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_WWW = re.compile(r"^www\d{0,2}\.")
MAX_CHARS = 512


def normalise_url(text: str) -> str:
    """The form the model sees: lowercase, no scheme, no leading ``www.``, no trailing ``/``."""
    out = text.strip().lower()
    out = _SCHEME.sub("", out, count=1)
    out = _WWW.sub("", out, count=1)
    out = out.rstrip("/")
    return out[:MAX_CHARS]


def featurise(text: str, ngram_min: int, ngram_max: int, n_features: int) -> dict[int, float]:
    """L2-normalised counts of hashed byte n-grams of an already normalised URL.

    CRC-32 keeps the buckets stable across processes and machines (Python's ``hash`` of
    strings is salted per process).
    """
    data = text.encode("utf-8")
    counts: dict[int, float] = {}
    for n in range(ngram_min, ngram_max + 1):
        for i in range(len(data) - n + 1):
            h = zlib.crc32(data[i : i + n]) % n_features
            counts[h] = counts.get(h, 0.0) + 1.0
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {h: v / norm for h, v in counts.items()}


_IPV4_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$")
N_DENSE = 12


def dense_features(text: str) -> list[float]:
    """Shape features of a normalised URL: lengths, dots, hyphens, digits, depth, ``@``, IP host.

    They generalise across feeds better than n-grams alone (time-split ROC-AUC 0.92 -> 0.95).
    """
    host, _, rest = text.partition("/")
    path, _, query = rest.partition("?")
    labels = host.split(".")
    return [
        math.log1p(len(text)),
        math.log1p(len(host)),
        float(host.count(".")),
        float(host.count("-")),
        sum(c.isdigit() for c in host) / max(1, len(host)),
        math.log1p(len(path)),
        float(path.count("/")),
        math.log1p(len(query)),
        float("@" in text),
        float(bool(_IPV4_HOST.match(host))),
        sum(c.isdigit() for c in text) / max(1, len(text)),
        len(max(labels, key=len)) / 10.0,
    ]


def _matrix(
    texts: Sequence[str], ngram_min: int, ngram_max: int, n_features: int
) -> sparse.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        feats = featurise(text, ngram_min, ngram_max, n_features)
        indices.extend(feats)
        values.extend(feats.values())
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices), np.asarray(indptr)),
        shape=(len(texts), n_features),
    )


@dataclass(frozen=True, eq=False)
class UrlModel:
    """A fitted model: one weight per hashed n-gram bucket plus an intercept."""

    coef: NDArray[np.float32]
    intercept: float
    ngram_min: int = 2
    ngram_max: int = 6
    dense_mean: NDArray[np.float64] | None = None
    dense_std: NDArray[np.float64] | None = None

    @property
    def n_features(self) -> int:
        """Hashed n-gram buckets (the dense shape features follow them in ``coef``)."""
        extra = 0 if self.dense_mean is None else len(self.dense_mean)
        return int(self.coef.shape[0]) - extra

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weights", self.coef.astype(np.float64).tolist())

    def score_many(self, urls: Sequence[str]) -> NDArray[np.float64]:
        """Phishing probabilities of ``urls`` (raw URLs; normalised here)."""
        return np.array([self.score(u) for u in urls], dtype=np.float64)

    def score(self, url: str) -> float:
        """Phishing probability of one URL."""
        weights: list[float] = self._weights  # type: ignore[attr-defined]
        text = normalise_url(url)
        feats = featurise(text, self.ngram_min, self.ngram_max, self.n_features)
        z = self.intercept + sum(weights[h] * v for h, v in feats.items())
        if self.dense_mean is not None and self.dense_std is not None:
            base = self.n_features
            for k, value in enumerate(dense_features(text)):
                scaled = (value - self.dense_mean[k]) / self.dense_std[k]
                z += weights[base + k] * float(scaled)
        return 1.0 / (1.0 + math.exp(-max(-500.0, min(500.0, z))))

    @classmethod
    def fit(
        cls,
        urls: Sequence[str],
        labels: Sequence[int],
        *,
        n_features: int = 2**18,
        ngram_min: int = 2,
        ngram_max: int = 6,
        c: float = 16.0,
    ) -> UrlModel:
        """Fit on raw URLs and 0/1 labels (1 = phishing)."""
        texts = [normalise_url(u) for u in urls]
        hashed = _matrix(texts, ngram_min, ngram_max, n_features)
        dense = np.array([dense_features(t) for t in texts], dtype=np.float64)
        mean, std = dense.mean(axis=0), dense.std(axis=0) + 1e-6
        x = sparse.hstack([hashed, sparse.csr_matrix((dense - mean) / std)]).tocsr()
        y = np.asarray(labels, dtype=np.int8)
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=200)
        clf.fit(x, y)
        coef = np.asarray(clf.coef_[0], dtype=np.float32)
        return cls(coef, float(clf.intercept_[0]), ngram_min, ngram_max, mean, std)

    def to_arrays(self) -> dict[str, Any]:
        """Arrays to store (``numpy.savez_compressed``); weights kept as float16."""
        return {
            "coef": self.coef.astype(np.float16),
            "intercept": np.array([self.intercept]),
            "ngram": np.array([self.ngram_min, self.ngram_max]),
            **(
                {"dense_mean": self.dense_mean, "dense_std": self.dense_std}
                if self.dense_mean is not None
                else {}
            ),
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> UrlModel:
        """The model stored by :meth:`to_arrays`."""
        return cls(
            coef=np.asarray(arrays["coef"], dtype=np.float32),
            intercept=float(arrays["intercept"][0]),
            ngram_min=int(arrays["ngram"][0]),
            ngram_max=int(arrays["ngram"][1]),
            dense_mean=np.asarray(arrays["dense_mean"]) if "dense_mean" in arrays else None,
            dense_std=np.asarray(arrays["dense_std"]) if "dense_std" in arrays else None,
        )
