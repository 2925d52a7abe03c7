"""The lexical URL model: hashed byte n-grams (2-6), word tokens by URL part and shape
features, in one logistic regression.

It catches phishing of brands the registry does not list. URLs are normalised before
featurising (lowercase, no scheme, no leading ``www.``, no trailing ``/``): the training data
has a format artifact (benign URLs mostly start with ``www.`` and use another scheme), and a
model that sees them learns the artifact instead of phishing.
"""

from __future__ import annotations

import math
import operator
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from qalxan.detect.url.tokens import TokenLists, url_tokens

_ngram_dot: Any
_token_dot: Any
try:  # compiled (qalxan/detect/url/_hashdot.pyx); without it the same sums come from numpy
    from qalxan.detect.url._hashdot import ngram_dot as _ngram_dot
    from qalxan.detect.url._hashdot import token_dot as _token_dot
except ImportError:
    _ngram_dot = _token_dot = None

__all__ = ["UrlModel", "dense_features", "featurise", "hashed_tokens", "normalise_url"]

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
    counts = _ngram_counts(text, ngram_min, ngram_max, n_features)
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {h: v / norm for h, v in counts.items()}


def _ngram_counts(text: str, ngram_min: int, ngram_max: int, n_features: int) -> Counter[int]:
    data = text.encode("utf-8")
    crc, size = zlib.crc32, len(data)
    return Counter(
        [
            crc(data[i : i + n]) % n_features
            for n in range(ngram_min, ngram_max + 1)
            for i in range(size - n + 1)
        ]
    )


def _token_counts(text: str, lists: TokenLists, n_buckets: int) -> Counter[int]:
    return Counter([zlib.crc32(t.encode("utf-8")) % n_buckets for t in url_tokens(text, lists)])


def hashed_tokens(text: str, lists: TokenLists, n_buckets: int, scale: float) -> dict[int, float]:
    """Token features of a normalised URL: CRC-32 buckets, counts L2-normalised to ``scale``."""
    counts = _token_counts(text, lists, n_buckets)
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {h: scale * v / norm for h, v in counts.items()}


_IPV4_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$")
N_DENSE = 18


def dense_features(text: str) -> list[float]:
    """Shape features of a normalised URL: lengths, dots, hyphens, digits, depth, ``@``, IP host.

    They generalise across feeds better than n-grams alone (time-split ROC-AUC 0.92 -> 0.95).
    A model uses the first ``len(dense_mean)`` of them (older models know only 12).
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
        math.log1p(text.count("%")),
        float(text.count("=")),
        float("//" in rest),
        float("xn--" in host),
        float(":" in host),
        len(max(re.split(r"[^a-z0-9]", rest) or [""], key=len)) / 10.0,
    ]


def _sparse(rows: Sequence[dict[int, float]], width: int) -> sparse.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for feats in rows:
        indices.extend(feats)
        values.extend(feats.values())
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices), np.asarray(indptr)),
        shape=(len(rows), width),
    )


def _matrix(
    texts: Sequence[str], ngram_min: int, ngram_max: int, n_features: int
) -> sparse.csr_matrix:
    rows = [featurise(t, ngram_min, ngram_max, n_features) for t in texts]
    return _sparse(rows, n_features)


def _token_matrix(
    texts: Sequence[str], lists: TokenLists, n_buckets: int, scale: float
) -> sparse.csr_matrix:
    return _sparse([hashed_tokens(t, lists, n_buckets, scale) for t in texts], n_buckets)


def _dot(weights: NDArray[np.float64], counts: Counter[int], offset: int, factor: float) -> float:
    """``factor * sum(weights[offset + h] * count)`` over the hashed ``counts``."""
    n = len(counts)
    index = np.fromiter(counts.keys(), dtype=np.intp, count=n)
    values = np.fromiter(counts.values(), dtype=np.float64, count=n)
    return float(weights[index + offset] @ values) * factor


@dataclass(frozen=True, eq=False)
class UrlModel:
    """A fitted model: weights of the n-gram buckets, token buckets and shape features.

    ``coef`` is laid out as [n-gram buckets | token buckets (``n_token_features``) | dense
    shape features (``len(dense_mean)``)]. Older artifacts have no token block.
    """

    coef: NDArray[np.float32]
    intercept: float
    ngram_min: int = 2
    ngram_max: int = 6
    dense_mean: NDArray[np.float64] | None = None
    dense_std: NDArray[np.float64] | None = None
    token_lists: TokenLists | None = None
    n_token_features: int = 0
    token_scale: float = 1.0

    @property
    def n_dense(self) -> int:
        """Shape features used (0 for the oldest models)."""
        return 0 if self.dense_mean is None else len(self.dense_mean)

    @property
    def n_features(self) -> int:
        """Hashed n-gram buckets (token buckets and shape features follow them in ``coef``)."""
        return int(self.coef.shape[0]) - self.n_token_features - self.n_dense

    def __post_init__(self) -> None:
        # Gathering ~200 weights with numpy beats Python indexing of a 300k-float list
        # (cache misses), which was most of the scoring time.
        weights = self.coef.astype(np.float64)
        object.__setattr__(self, "_weights", weights)
        if self.dense_mean is not None and self.dense_std is not None:
            # The shape block folded into plain floats: sum(w * (v - mean) / std) is
            # sum((w / std) * v) - sum(w * mean / std); a Python loop over 18 floats beats
            # numpy's per-call overhead.
            w = weights[self.n_features + self.n_token_features :] / np.asarray(
                self.dense_std, np.float64
            )
            shift = float(w @ np.asarray(self.dense_mean, dtype=np.float64))
            object.__setattr__(self, "_dense_w", [float(x) for x in w])
            object.__setattr__(self, "_dense_shift", shift)

    def score_many(self, urls: Sequence[str]) -> NDArray[np.float64]:
        """Phishing probabilities of ``urls`` (raw URLs; normalised here)."""
        return np.array([self.score(u) for u in urls], dtype=np.float64)

    def score(self, url: str) -> float:
        """Phishing probability of one URL."""
        text = normalise_url(url)
        z = self.intercept + self._hashed_sum(text)
        if self.n_dense:
            dense_w: list[float] = self._dense_w  # type: ignore[attr-defined]
            shift: float = self._dense_shift  # type: ignore[attr-defined]
            z += math.fsum(map(operator.mul, dense_w, dense_features(text))) - shift
        return 1.0 / (1.0 + math.exp(-max(-500.0, min(500.0, z))))

    def _hashed_sum(self, text: str, *, compiled: bool = True) -> float:
        """The n-gram and token blocks' part of the logit of a normalised URL (compiled when
        built and ``compiled``; the numpy path gives the same sum to rounding)."""
        weights: NDArray[np.float64] = self._weights  # type: ignore[attr-defined]
        n_features, lists, n_tokens = self.n_features, self.token_lists, self.n_token_features
        if compiled and _ngram_dot is not None:
            dot, sumsq = _ngram_dot(
                text.encode("utf-8"), self.ngram_min, self.ngram_max, n_features, weights
            )
            z = dot * (1.0 / (math.sqrt(sumsq) or 1.0))
            if lists is not None and n_tokens:
                dot, sumsq = _token_dot(url_tokens(text, lists), n_tokens, n_features, weights)
                z += dot * (self.token_scale / (math.sqrt(sumsq) or 1.0))
            return float(z)
        counts = _ngram_counts(text, self.ngram_min, self.ngram_max, n_features)
        z = _dot(weights, counts, 0, 1.0 / (math.hypot(*counts.values()) or 1.0))
        if lists is not None and n_tokens:
            hashed = _token_counts(text, lists, n_tokens)
            norm = math.hypot(*hashed.values()) or 1.0
            z += _dot(weights, hashed, n_features, self.token_scale / norm)
        return z

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
        token_lists: TokenLists | None = None,
        n_token_features: int = 2**16,
        token_scale: float = 1.0,
        n_dense: int = N_DENSE,
    ) -> UrlModel:
        """Fit on raw URLs and 0/1 labels (1 = phishing); no token block without lists."""
        texts = [normalise_url(u) for u in urls]
        blocks = [_matrix(texts, ngram_min, ngram_max, n_features)]
        n_tokens = n_token_features if token_lists is not None else 0
        if token_lists is not None:
            blocks.append(_token_matrix(texts, token_lists, n_tokens, token_scale))
        dense = np.array([dense_features(t)[:n_dense] for t in texts], dtype=np.float64)
        mean, std = dense.mean(axis=0), dense.std(axis=0) + 1e-6
        blocks.append(sparse.csr_matrix((dense - mean) / std))
        x = sparse.hstack(blocks).tocsr()
        y = np.asarray(labels, dtype=np.int8)
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=200)
        clf.fit(x, y)
        coef = np.asarray(clf.coef_[0], dtype=np.float32)
        return cls(
            coef,
            float(clf.intercept_[0]),
            ngram_min,
            ngram_max,
            mean,
            std,
            token_lists,
            n_tokens,
            token_scale,
        )

    def to_arrays(self) -> dict[str, Any]:
        """Arrays to store (``numpy.savez_compressed``, no pickles); weights kept as float16."""
        out: dict[str, Any] = {
            "coef": self.coef.astype(np.float16),
            "intercept": np.array([self.intercept]),
            "ngram": np.array([self.ngram_min, self.ngram_max]),
        }
        if self.dense_mean is not None and self.dense_std is not None:
            out["dense_mean"], out["dense_std"] = self.dense_mean, self.dense_std
        lists = self.token_lists
        if lists is not None and self.n_token_features:
            out["tokens"] = np.array([self.n_token_features, self.token_scale])
            out["brands"] = np.array(sorted(lists.brands), dtype=str)
            out["words"] = np.array(sorted(lists.words), dtype=str)
            suffixes = sorted(lists.context)
            out["context_suffix"] = np.array(suffixes, dtype=str)
            out["context_kind"] = np.array([lists.context[d] for d in suffixes], dtype=str)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any) -> UrlModel:
        """The model stored by :meth:`to_arrays`."""
        lists, n_tokens, scale = None, 0, 1.0
        if "tokens" in arrays:
            n_tokens, scale = int(arrays["tokens"][0]), float(arrays["tokens"][1])
            context = dict(
                zip(
                    (str(d) for d in arrays["context_suffix"]),
                    (str(k) for k in arrays["context_kind"]),
                    strict=True,
                )
            )
            lists = TokenLists(
                frozenset(str(b) for b in arrays["brands"]),
                frozenset(str(w) for w in arrays["words"]),
                context,
            )
        return cls(
            coef=np.asarray(arrays["coef"], dtype=np.float32),
            intercept=float(arrays["intercept"][0]),
            ngram_min=int(arrays["ngram"][0]),
            ngram_max=int(arrays["ngram"][1]),
            dense_mean=np.asarray(arrays["dense_mean"]) if "dense_mean" in arrays else None,
            dense_std=np.asarray(arrays["dense_std"]) if "dense_std" in arrays else None,
            token_lists=lists,
            n_token_features=n_tokens,
            token_scale=scale,
        )
