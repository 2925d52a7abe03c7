"""A small multilingual text model: hashed stem n-grams and a logistic regression.

Input is the folded skeleton of :class:`~qalxan.detect.message.normalize.Normalizer.fast`
(so Azerbaijani with or without diacritics, and Cyrillic, meet in one space), with digits
read as ``0``. Tokens are the first six characters of each word (a cheap stemmer that suits
agglutinative Azerbaijani and Turkish) plus money and punctuation signs, in unigrams and
bigrams, hashed into ``2**n_bits`` columns. Vectorising is one C-level regex pass per text,
which keeps batch scoring fast.

The learned state is two arrays (``coef_``, ``intercept_``), saved as ``.npz`` with a JSON
config: no pickles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

__all__ = ["TextModel"]

TOKEN_PATTERN = r"(?u)\b\w{1,6}|[£$€₼%!?@]"
_DIGITS = str.maketrans("123456789", "000000000")


class TextModel:
    """Hashed stem n-grams + logistic regression (scikit-learn estimator conventions)."""

    def __init__(self, *, n_bits: int = 18, c: float = 4.0, max_iter: int = 200) -> None:
        self.n_bits = n_bits
        self.c = c
        self.max_iter = max_iter
        self._vectorizer = HashingVectorizer(
            analyzer="word",
            token_pattern=TOKEN_PATTERN,
            ngram_range=(1, 2),
            n_features=2**n_bits,
            alternate_sign=False,
            lowercase=False,
            norm="l2",
            dtype=np.float32,
        )

    @staticmethod
    def prepare(folded: str) -> str:
        """Model input from a folded text: digits are read as 0."""
        return folded.translate(_DIGITS)

    def _matrix(self, folded: Sequence[str]) -> Any:
        return self._vectorizer.transform([self.prepare(t) for t in folded])

    def fit(
        self, folded: Sequence[str], labels: Sequence[int], weights: Sequence[float] | None = None
    ) -> TextModel:
        """Learn from folded texts and 0/1 labels (optional sample weights); returns self."""
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=self.c, max_iter=self.max_iter, solver="liblinear")
        clf.fit(self._matrix(folded), np.asarray(labels), sample_weight=weights)
        self.coef_ = clf.coef_.ravel().astype(np.float32)
        self.intercept_ = float(clf.intercept_[0])
        return self

    def decision(self, folded: Sequence[str]) -> np.ndarray:
        """Raw scores (log-odds) of folded texts."""
        x = self._matrix(folded)
        return np.asarray(x @ self.coef_, dtype=np.float64) + self.intercept_

    def predict_proba(self, folded: Sequence[str]) -> np.ndarray:
        """Probability that each folded text is a scam or spam."""
        out: np.ndarray = 1.0 / (1.0 + np.exp(-self.decision(folded)))
        return out

    # -- persistence (arrays + config; the caller does the file I/O) ----------------------

    def config(self) -> dict[str, Any]:
        return {"n_bits": self.n_bits, "c": self.c, "max_iter": self.max_iter}

    def arrays(self) -> dict[str, np.ndarray]:
        """Learned state as arrays (``coef`` stored as float16 to keep the artifact small)."""
        return {
            "coef": self.coef_.astype(np.float16),
            "intercept": np.asarray([self.intercept_], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, config: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> TextModel:
        """Rebuild a fitted model from :meth:`config` and :meth:`arrays`."""
        model = cls(
            n_bits=int(config["n_bits"]),
            c=float(config.get("c", 4.0)),
            max_iter=int(config.get("max_iter", 200)),
        )
        model.coef_ = np.asarray(arrays["coef"], dtype=np.float32)
        model.intercept_ = float(np.asarray(arrays["intercept"]).ravel()[0])
        if model.coef_.shape != (2**model.n_bits,):
            raise ValueError("model arrays do not match the configured feature size")
        return model
