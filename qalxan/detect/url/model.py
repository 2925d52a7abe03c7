"""The lexical URL model: hashed character n-grams and a logistic regression.

It catches phishing of brands the registry does not list. URLs are normalised before
featurising (lowercase, no scheme, no leading ``www.``, no trailing ``/``): the training data
has a format artifact (benign URLs mostly start with ``www.`` and use another scheme), and a
model that sees them learns the artifact instead of phishing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

__all__ = ["UrlModel", "normalise_url"]

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


def _vectorizer(n_features: int, ngram_min: int, ngram_max: int) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char",
        ngram_range=(ngram_min, ngram_max),
        n_features=n_features,
        alternate_sign=False,
        norm="l2",
        lowercase=False,
        dtype=np.float32,
    )


@dataclass(frozen=True, eq=False)
class UrlModel:
    """A fitted model: one weight per hashed n-gram bucket plus an intercept."""

    coef: NDArray[np.float32]
    intercept: float
    ngram_min: int = 2
    ngram_max: int = 6

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[0])

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_vec", _vectorizer(self.n_features, self.ngram_min, self.ngram_max)
        )

    def score_many(self, urls: Sequence[str]) -> NDArray[np.float64]:
        """Phishing probabilities of ``urls`` (raw URLs; normalised here)."""
        if not urls:
            return np.zeros(0)
        x = self._vec.transform([normalise_url(u) for u in urls])  # type: ignore[attr-defined]
        z = np.asarray(x @ self.coef, dtype=np.float64) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def score(self, url: str) -> float:
        """Phishing probability of one URL."""
        return float(self.score_many([url])[0])

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
        vec = _vectorizer(n_features, ngram_min, ngram_max)
        x = vec.transform([normalise_url(u) for u in urls])
        y = np.asarray(labels, dtype=np.int8)
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=200)
        clf.fit(x, y)
        coef = np.asarray(clf.coef_[0], dtype=np.float32)
        return cls(coef, float(clf.intercept_[0]), ngram_min, ngram_max)

    def to_arrays(self) -> dict[str, Any]:
        """Arrays to store (``numpy.savez_compressed``); weights kept as float16."""
        return {
            "coef": self.coef.astype(np.float16),
            "intercept": np.array([self.intercept]),
            "ngram": np.array([self.ngram_min, self.ngram_max]),
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> UrlModel:
        """The model stored by :meth:`to_arrays`."""
        return cls(
            coef=np.asarray(arrays["coef"], dtype=np.float32),
            intercept=float(arrays["intercept"][0]),
            ngram_min=int(arrays["ngram"][0]),
            ngram_max=int(arrays["ngram"][1]),
        )
