"""A small multilingual text model: stem n-grams and a logistic regression.

Input is the folded skeleton of :meth:`~qalxan.detect.message.normalize.Normalizer.fast`
(so Azerbaijani with or without diacritics, and Cyrillic, meet in one space), with digits
read as ``0``. Tokens are the first six characters of each word (a cheap stemmer that suits
agglutinative Azerbaijani and Turkish) plus money and punctuation signs; features are the
distinct unigrams and bigrams, binary, L2-normalised.

Training uses scikit-learn (``CountVectorizer`` + ``LogisticRegression``). A message's score
is the sum of the weights of its distinct known features divided by the square root of their
number, plus the intercept: the same number the scikit-learn pipeline gives.

Scoring a batch (:meth:`TextModel.predict_proba`) is vectorised: the texts are joined with
``\n`` (which the fast fold never leaves inside a text) and tokenised by one regex pass, the
tokens become integer ids with one dict look-up each, and unigram and bigram features, their
per-message de-duplication and the per-message sums are numpy operations. The sums are done
on the weights as exact fixed-point integers, so they equal ``math.fsum`` of the single path
bit for bit (:meth:`TextModel.decision_one` is the reference; a test compares them).

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
# The batch tokeniser: the model's tokens plus the separator between messages.
_SEP = "\n"
_NONZERO = re.compile("[1-9]")
_BATCH_TOKENS = re.compile(TOKEN_PATTERN + "|\n")
# Fixed-point sums must stay below this (int64, with room to spare).
_INT_LIMIT = 1 << 62


def _key(name: str) -> Any:
    """Dict key of a feature: the token, or a (token, token) tuple for a bigram (tuples are
    built without string formatting when scoring)."""
    a, sep, b = name.partition(" ")
    return (a, b) if sep else a


def _name(key: Any) -> str:
    return " ".join(key) if isinstance(key, tuple) else str(key)


class _Vocab(dict[str, int]):
    """Token ids; an unknown token is 0 (looked up in C, ``__missing__`` only on a miss)."""

    def __missing__(self, key: str) -> int:
        return 0


class TextModel:
    """Stem n-grams + logistic regression (scikit-learn estimator conventions)."""

    def __init__(self, *, c: float = 16.0, min_df: int = 2, max_iter: int = 300) -> None:
        self.c = c
        self.min_df = min_df
        self.max_iter = max_iter
        # Integer tables of the batch scorer, built from ``weights_`` on first use.
        self._batch_tables: tuple[Any, ...] | None = None
        self._tables_ready = False
        self._scale = 0

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
        self._tables_ready = False
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
        """Probability that each folded text is a scam or spam (vectorised over the batch)."""
        zs = self.decision_batch(folded)
        return [1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0 for z in zs]

    def predict_proba_one(self, folded: str) -> float:
        """Probability for one folded text through the reference path."""
        z = self.decision_one(folded)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def decision_batch(self, folded: Sequence[str]) -> list[float]:
        """Log-odds of many folded texts; equal to :meth:`decision_one` of each."""
        n = len(folded)
        if n == 0:
            return []
        tables = self._tables()
        joined = _NONZERO.sub("0", _SEP.join(folded))  # = translate(_DIGITS), faster on long text
        if tables is None or n < 4 or joined.count(_SEP) != n - 1:
            # No fixed-point form, a tiny batch, or a text with the separator inside.
            return [self.decision_one(t) for t in folded]
        vocab, uni, bkeys, bfeat, iw, width = tables
        toks = _BATCH_TOKENS.findall(joined)
        # 0: unknown token (the vocabulary's __missing__), 1: separator.
        ids = np.fromiter(map(vocab.__getitem__, toks), dtype=np.int64, count=len(toks))
        doc = np.cumsum(ids == 1)
        ufeat = uni[ids]
        keep = ufeat >= 0
        keys = [doc[keep] * width + ufeat[keep]]
        if len(ids) > 1:
            a, b = ids[:-1], ids[1:]
            pair = (a > 1) & (b > 1)
            bk = a[pair] * (len(vocab) + 1) + b[pair]
            pos = np.searchsorted(bkeys, bk)
            pos[pos >= len(bkeys)] = 0
            found = bkeys[pos] == bk if len(bkeys) else np.zeros(len(bk), dtype=bool)
            keys.append(doc[:-1][pair][found] * width + bfeat[pos[found]])
        uniq = np.unique(np.concatenate(keys))
        docs = uniq // width
        vals = iw[uniq % width]
        counts = np.bincount(docs, minlength=n)
        if len(vals) and int(counts.max()) * int(np.abs(iw).max()) >= _INT_LIMIT:
            return [self.decision_one(t) for t in folded]
        sums = np.zeros(n, dtype=np.int64)
        if len(vals):
            starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
            sums[docs[starts]] = np.add.reduceat(vals, starts)
        # int64 -> float64 rounds to nearest, like math.fsum; the power-of-two scale is exact.
        total = np.ldexp(sums.astype(np.float64), -self._scale)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(counts > 0, total / np.sqrt(counts), 0.0) + self.intercept_
        return [float(v) for v in z]

    def _tables(self) -> tuple[Any, ...] | None:
        """Integer tables of the batch scorer, built once (None: weights not fixed-point)."""
        if self._tables_ready:
            return self._batch_tables
        tables: tuple[Any, ...] | None = None
        weights = list(self.weights_.items())
        scale = 0
        for _, w in weights:
            scale = max(scale, w.as_integer_ratio()[1].bit_length() - 1)
        ints = [int(math.ldexp(w, scale)) for _, w in weights]
        exact = all(
            math.ldexp(float(i), -scale) == w for i, (_, w) in zip(ints, weights, strict=True)
        )
        if exact and all(abs(i) < (1 << 52) for i in ints):
            vocab: dict[str, int] = _Vocab({_SEP: 1})
            for key, _ in weights:
                for tok in key if isinstance(key, tuple) else (key,):
                    vocab.setdefault(tok, len(vocab) + 1)
            size = len(vocab) + 1
            uni = np.full(size, -1, dtype=np.int64)
            bigrams: list[tuple[int, int]] = []
            for f, (key, _) in enumerate(weights):
                if isinstance(key, tuple):
                    bigrams.append((vocab[key[0]] * size + vocab[key[1]], f))
                else:
                    uni[vocab[key]] = f
            bigrams.sort()
            bkeys = np.asarray([k for k, _ in bigrams], dtype=np.int64)
            bfeat = np.asarray([f for _, f in bigrams], dtype=np.int64)
            iw = np.asarray(ints, dtype=np.int64)
            tables = (vocab, uni, bkeys, bfeat, iw, max(1, len(weights)))
        self._scale = scale
        self._batch_tables = tables
        self._tables_ready = True
        return tables

    def kernel_tables(self) -> tuple[Any, ...] | None:
        """The batch scorer's integer tables for the compiled kernel: ``(vocab, unigram
        feature per token id, sorted bigram keys, their features, integer weights, scale,
        intercept)``; None when the weights have no exact fixed-point form."""
        tables = self._tables()
        if tables is None:
            return None
        vocab, uni, bkeys, bfeat, iw, _ = tables
        return (vocab, uni, bkeys, bfeat, iw, self._scale, self.intercept_)

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
