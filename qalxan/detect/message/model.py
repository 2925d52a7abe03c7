"""A small multilingual text model: stem n-grams and a logistic regression.

Input is the folded skeleton of :meth:`~qalxan.detect.message.normalize.Normalizer.fast`
(so Azerbaijani with or without diacritics, and Cyrillic, meet in one space), with digits
read as ``0``. Tokens are the first six characters of each word (a cheap stemmer that suits
agglutinative Azerbaijani and Turkish) plus money and punctuation signs; features are the
distinct unigrams and bigrams, binary, L2-normalised.

Training uses scikit-learn (``CountVectorizer`` + ``LogisticRegression``). Scoring needs no
sparse matrix: the learned weights are a ``feature -> weight`` dict, and a message's score
is the sum of the weights of its distinct known features divided by the square root of their
number, plus the intercept: the same number the scikit-learn pipeline gives, at the cost of
one regex pass and a few dict look-ups per message.

The learned state is saved as arrays (``.npz``: feature strings, weights, intercept) with a
JSON config: no pickles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

__all__ = ["TOKEN_PATTERN", "TextModel"]

TOKEN_PATTERN = r"(?u)\b\w{1,6}|[£$€₼%!?@]"
_TOKENS = re.compile(TOKEN_PATTERN)
_DIGITS = str.maketrans("123456789", "000000000")


def _key(name: str) -> Any:
    """Dict key of a feature: the token, or a (token, token) tuple for a bigram (tuples are
    built without string formatting when scoring)."""
    a, sep, b = name.partition(" ")
    return (a, b) if sep else a


def _name(key: Any) -> str:
    return " ".join(key) if isinstance(key, tuple) else str(key)


class TextModel:
    """Stem n-grams + logistic regression (scikit-learn estimator conventions)."""

    def __init__(self, *, c: float = 16.0, min_df: int = 2, max_iter: int = 300) -> None:
        self.c = c
        self.min_df = min_df
        self.max_iter = max_iter

    @staticmethod
    def prepare(folded: str) -> str:
        """Model input from a folded text: digits are read as 0."""
        return folded.translate(_DIGITS)

    def fit(
        self, folded: Sequence[str], labels: Sequence[int], weights: Sequence[float] | None = None
    ) -> TextModel:
        """Learn from folded texts and 0/1 labels (optional sample weights); returns self."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import normalize

        vec = CountVectorizer(
            token_pattern=TOKEN_PATTERN,
            ngram_range=(1, 2),
            lowercase=False,
            binary=True,
            min_df=self.min_df,
            dtype=np.float64,
        )
        x = normalize(vec.fit_transform([self.prepare(t) for t in folded]))
        clf = LogisticRegression(C=self.c, max_iter=self.max_iter, solver="liblinear")
        clf.fit(x, np.asarray(labels), sample_weight=weights)
        names = vec.get_feature_names_out()
        coef = clf.coef_.ravel()
        self.weights_: dict[Any, float] = {
            _key(str(n)): float(w) for n, w in zip(names, coef, strict=True) if w != 0.0
        }
        self.intercept_ = float(clf.intercept_[0])
        return self

    def decision_one(self, folded: str) -> float:
        """Log-odds of one folded text."""
        toks = _TOKENS.findall(folded.translate(_DIGITS))
        feats: set[Any] = set(toks)
        feats.update(pairwise(toks))
        known = [w for w in map(self.weights_.get, feats) if w is not None]
        if not known:
            return self.intercept_
        return math.fsum(known) / math.sqrt(len(known)) + self.intercept_

    def predict_proba(self, folded: Sequence[str]) -> list[float]:
        """Probability that each folded text is a scam or spam."""
        out = []
        for text in folded:
            z = self.decision_one(text)
            out.append(1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0)
        return out

    # -- persistence (arrays + config; the caller does the file I/O) ----------------------

    def config(self) -> dict[str, Any]:
        return {"c": self.c, "min_df": self.min_df, "max_iter": self.max_iter}

    def arrays(self) -> dict[str, np.ndarray]:
        """Learned state as arrays: feature strings, their weights, the intercept."""
        items = sorted((_name(k), w) for k, w in self.weights_.items())
        return {
            "features": np.asarray([n for n, _ in items], dtype=np.str_),
            "coef": np.asarray([w for _, w in items], dtype=np.float32),
            "intercept": np.asarray([self.intercept_], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, config: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> TextModel:
        """Rebuild a fitted model from :meth:`config` and :meth:`arrays`."""
        model = cls(
            c=float(config.get("c", 16.0)),
            min_df=int(config.get("min_df", 2)),
            max_iter=int(config.get("max_iter", 300)),
        )
        names, coef = arrays["features"].tolist(), arrays["coef"].tolist()
        if len(names) != len(coef):
            raise ValueError("model arrays do not match: features and weights differ in length")
        model.weights_ = {_key(n): w for n, w in zip(names, coef, strict=True)}
        model.intercept_ = float(np.asarray(arrays["intercept"]).ravel()[0])
        return model
