"""The page model: probability that a page is phishing, in two stages.

1. Hashed-token logistic regression: tokens of the extracted features (title words and
   character 4-grams, text words and word pairs, tag names, field kinds, form and resource
   shape, count buckets), hashed into ``n_features`` buckets with CRC32 (numpy dot product).
2. Gradient-boosted trees (LightGBM) over :func:`page_dense` (structure counts, field kinds,
   link ratios, form targets, sizes, wording counts, script obfuscation counts, tells of a
   saved or mirrored copy, how references are written, prize/survey wording) plus the
   stage-1 score. While fitting, the stage-1 score of each training page comes from a model
   that did not see its group (group-aware out-of-fold), so the trees learn how far to trust
   it on unseen kits.

Both stages are saved as arrays (the trees as LightGBM's text format in a byte array), so a
loaded model needs no pickle. A model without stage 2 (``booster`` None) answers stage 1.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from qalxan.detect.page.features import PageFeatures, host_of

_token_buckets: Any
_forest_sum: Any
try:  # compiled (qalxan/detect/url/_hashdot.pyx); without it Python and LightGBM give the same
    from qalxan.detect.url._hashdot import forest_sum as _forest_sum
    from qalxan.detect.url._hashdot import token_buckets as _token_buckets
except ImportError:
    _token_buckets = _forest_sum = None

__all__ = ["DENSE_NAMES", "Forest", "PageModel", "page_dense", "page_tokens"]

_WORD = re.compile(r"[^\W\d_]{2,24}")
_MAX_WORDS = 800
_KINDS = ("password", "card", "cvv", "expiry", "otp", "phone", "fin", "email", "login", "pin")
_WORDING = (
    "login", "log in", "sign in", "verify", "verification", "account", "password", "confirm",
    "secure", "update", "suspend", "locked", "reward", "survey", "congratulations", "wallet",
    "seed", "phrase", "recovery", "bank", "card", "prize", "winner", "claim", "limited",
    "security", "unusual", "expire",
)  # fmt: skip
# Prize and survey scam wording (text is folded: lowercase, Azerbaijani letters without marks).
_LURE = (
    "question", "gift", "free", "selected", "offer", "answer", "minute", "hurry", "today",
    "only", "won", "lucky", "chance", "tebrik", "hediyye", "sorgu", "mukafat", "qazan",
    "hediy", "поздрав", "приз", "опрос", "подар", "выигр", "вознагр",
)  # fmt: skip
_REFS = ("abs", "rel", "top_host", "hosts", "files")
_SCRIPT = ("eval(", "atob(", "unescape(", "fromCharCode", "document.write", "window.location")
DENSE_NAMES: tuple[str, ...] = (
    *(f"n_{k}" for k in ("forms", "inputs", "iframes", "links", "scripts", "imgs")),
    *(f"field_{k}" for k in _KINDS),
    "fields", "links_abs", "links_abs_ratio", "hosts", "hrefs", "hrefs_empty",
    "hrefs_empty_ratio", "forms_empty_action", "forms_abs_action", "forms_php_action",
    "forms_post", "log_bytes", "log_text", "log_script", "words", "title_len", "tags",
    "distinct_tags", "hidden_inputs", "metas",
    *(f"say_{w.replace(' ', '_')}" for w in _WORDING),
    *(f"js_{k.strip('(')}" for k in _SCRIPT),
    *(f"res_{k}" for k in ("css", "icon", "script")),
    "saved_from", "mirrored", "base_abs",
    *(f"refs_res_{k}" for k in _REFS), "refs_res_top_share",
    *(f"refs_a_{k}" for k in _REFS), "refs_a_top_share",
    "n_buttons", "n_li", "n_select",
    *(f"lure_{w}" for w in _LURE),
)  # fmt: skip


def _bucket(n: int) -> int:
    return 0 if n <= 0 else min(6, int(math.log2(n)) + 1)


def page_tokens(feats: PageFeatures) -> list[str]:
    """The tokens of a page that the model hashes (a set: their order is irrelevant)."""
    toks: set[str] = set()
    toks.update(map("t:".__add__, _WORD.findall(feats.title.lower())[:40]))
    words = _WORD.findall(feats.text[:20_000])[:_MAX_WORDS]
    toks.update(map("w:".__add__, set(words)))
    toks.update(f"b:{a}_{b}" for a, b in pairwise(words))
    title = feats.title.lower()
    toks.update("tc:" + title[i : i + 4] for i in range(len(title) - 3))
    toks.update(map("tag:".__add__, set(feats.tags)))
    toks.update(map("r:".__add__, feats.source_words))
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


def page_dense(feats: PageFeatures) -> list[float]:
    """The numeric features of stage 2, in the order of :data:`DENSE_NAMES`."""
    c = feats.counts
    kinds = [f.kind for f in feats.fields]
    links = feats.links
    n_abs = sum(1 for u in links if u.startswith(("http://", "https://", "//")))
    hosts = {host_of(r.url) for r in feats.resources} | {host_of(u) for u in links}
    hosts.discard("")
    hrefs, empty = c.get("hrefs", 0), c.get("empty_hrefs", 0)
    actions = [f.action.lower() for f in feats.forms]
    text, script = feats.text, feats.script_text
    out: list[float] = [
        c.get(k, 0) for k in ("forms", "inputs", "iframes", "links", "scripts", "imgs")
    ]
    out += [kinds.count(k) for k in _KINDS]
    out += [
        len(kinds),
        n_abs,
        n_abs / len(links) if links else -1.0,
        len(hosts),
        hrefs,
        empty,
        empty / hrefs if hrefs else -1.0,
        sum(1 for a in actions if not a or a == "#"),
        sum(1 for a in actions if "://" in a or a.startswith("//")),
        sum(1 for a in actions if ".php" in a),
        sum(1 for f in feats.forms if f.method == "post"),
        math.log1p(c.get("bytes", 0)),
        math.log1p(len(text)),
        math.log1p(len(script)),
        text.count(" ") + (1 if text else 0),
        len(feats.title),
        len(feats.tags),
        len(set(feats.tags)),
        c.get("hidden", 0),
        c.get("metas", 0),
    ]
    out += [text.count(w) for w in _WORDING]
    out += [script.count(k) for k in _SCRIPT]
    out += [sum(1 for r in feats.resources if r.kind == k) for k in ("css", "icon", "script")]
    out += [c.get(k, 0) for k in ("saved_from", "mirrored", "base_abs")]
    for prefix in ("res", "a"):
        out += [c.get(f"{prefix}_{k}", 0) for k in _REFS]
        n_abs = c.get(f"{prefix}_abs", 0)
        out.append(c.get(f"{prefix}_top_host", 0) / n_abs if n_abs else -1.0)
    tags = feats.tags
    out += [tags.count("button"), tags.count("li"), tags.count("select")]
    out += [text.count(w) for w in _LURE]
    return [float(v) for v in out]


BOOST_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "num_threads": 1,
    "seed": 1,
    "deterministic": True,
    "verbose": -1,
}
BOOST_ROUNDS = 300


def _distinct(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``np.unique(values)`` (sorted, distinct) for a short 1-d array, in a fifth of the time."""
    s = np.sort(values)
    return s[np.concatenate(([True], s[1:] != s[:-1]))] if len(s) else s


class Forest:
    """Stage 2's trees as flat arrays, summed by compiled code: the score LightGBM's own
    ``predict`` gives, without its per-call cost (about 0.35 ms a page, 0.01 ms here).

    Built from ``Booster.dump_model()``. Only what this model uses is accepted: a binary
    objective with ``sigmoid:1``, numerical ``<=`` splits with no missing-value type; anything
    else raises ``ValueError`` and the caller keeps LightGBM's ``predict``.
    """

    def __init__(self, dump: dict[str, Any]) -> None:
        if dump.get("objective") != "binary sigmoid:1" or dump.get("num_tree_per_iteration") != 1:
            raise ValueError(f"forest: unsupported objective {dump.get('objective')!r}")
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        leaf: list[float] = []
        roots: list[int] = []

        def add(node: dict[str, Any]) -> int:
            if "leaf_value" in node:
                leaf.append(float(node["leaf_value"]))
                return ~(len(leaf) - 1)
            if node.get("decision_type") != "<=" or node.get("missing_type") != "None":
                raise ValueError("forest: only numerical <= splits without missing values")
            at = len(feature)
            feature.append(int(node["split_feature"]))
            threshold.append(float(node["threshold"]))
            left.append(0)
            right.append(0)
            left[at] = add(node["left_child"])
            right[at] = add(node["right_child"])
            return at

        for tree in dump["tree_info"]:
            roots.append(add(tree["tree_structure"]))
        self.n_features = int(dump["max_feature_idx"]) + 1
        self.roots = np.asarray(roots, np.int32)
        self.feature = np.asarray(feature, np.int32)
        self.threshold = np.asarray(threshold, np.float64)
        self.left = np.asarray(left, np.int32)
        self.right = np.asarray(right, np.int32)
        self.leaf = np.asarray(leaf, np.float64)
        # What the compiled loop relies on (it does not check bounds): every feature index in
        # the row, every leaf in the table, every internal child after its parent (no loop).
        nodes = np.arange(len(feature))
        children = np.concatenate([self.left, self.right, self.roots])
        if (
            (self.feature < 0).any()
            or (self.feature >= self.n_features).any()
            or (children >= len(feature)).any()
            or (~children[children < 0] >= len(leaf)).any()
            or ((self.left >= 0) & (self.left <= nodes)).any()
            or ((self.right >= 0) & (self.right <= nodes)).any()
        ):
            raise ValueError("forest: tree arrays out of range")

    def raw(self, row: np.ndarray[Any, np.dtype[np.float64]]) -> float:
        """The sum of the leaves ``row`` reaches (LightGBM's raw score)."""
        return float(
            _forest_sum(
                row, self.roots, self.feature, self.threshold, self.left, self.right,
                self.leaf, self.n_features - 1,
            )
        )  # fmt: skip

    def probability(self, row: np.ndarray[Any, np.dtype[np.float64]]) -> float:
        """LightGBM's ``binary`` output: ``1 / (1 + exp(-raw))``."""
        return 1.0 / (1.0 + math.exp(-self.raw(row)))


class PageModel:
    """Hashed-token logistic regression, then boosted trees over dense features and its score."""

    def __init__(self, n_features: int = 1 << 18, C: float = 0.3) -> None:
        self.n_features = n_features
        self.C = C
        self.booster: Any = None  # lightgbm.Booster of stage 2, None for stage 1 only
        self.forest: Forest | None = None  # the booster's trees for the compiled sum

    def _indices(
        self, tokens: Sequence[str], *, compiled: bool = True
    ) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The distinct hashed buckets of the tokens (``crc32 & (n_features - 1)``); the
        compiled loop and the Python one give the same array."""
        pow2 = self.n_features & (self.n_features - 1) == 0
        if compiled and pow2 and _token_buckets is not None:
            out = np.empty(len(tokens), np.int64)
            _token_buckets(list(tokens), self.n_features, out)
            return _distinct(out)
        mask = self.n_features - 1
        return _distinct(
            np.fromiter((zlib.crc32(t.encode("utf-8")) & mask for t in tokens), np.int64)
        )

    def _matrix(self, docs: Sequence[Sequence[str]]) -> Any:
        from scipy.sparse import csr_matrix

        rows: list[int] = []
        cols: list[int] = []
        for i, doc in enumerate(docs):
            idx = self._indices(doc)
            rows.extend([i] * len(idx))
            cols.extend(idx.tolist())
        return csr_matrix(
            (np.ones(len(cols), np.float32), (rows, cols)), shape=(len(docs), self.n_features)
        )

    def _linear(self, x: Any, labels: np.ndarray[Any, Any]) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, solver="liblinear", max_iter=300).fit(x, labels)

    def fit(
        self,
        docs: Sequence[Sequence[str]],
        labels: Sequence[int],
        dense: Sequence[Sequence[float]] | None = None,
        groups: Sequence[str] | None = None,
        folds: int = 5,
    ) -> PageModel:
        """Learn stage 1 from token lists and 0/1 labels; with ``dense`` rows and ``groups``
        also stage 2, on out-of-fold stage-1 scores (GroupKFold: no group scores itself)."""
        x = self._matrix(docs)
        y = np.asarray(labels)
        clf = self._linear(x, y)
        self.coef_ = clf.coef_.ravel().astype(np.float32)
        self.intercept_ = float(clf.intercept_[0])
        self.booster = None
        if dense is None or groups is None:
            return self
        import lightgbm
        from sklearn.model_selection import GroupKFold

        oof = np.zeros(len(y))
        for a, b in GroupKFold(folds).split(x, y, np.asarray(groups)):
            oof[b] = self._linear(x[a], y[a]).predict_proba(x[b])[:, 1]
        table = np.column_stack([np.asarray(dense, np.float64), oof])
        data = lightgbm.Dataset(table, y, feature_name=[*DENSE_NAMES, "linear"])
        self.booster = lightgbm.train(BOOST_PARAMS, data, BOOST_ROUNDS)
        self.forest = _forest(self.booster)
        return self

    def predict_proba(self, tokens: Sequence[str]) -> float:
        """Stage 1 alone: probability that the page is phishing from its tokens."""
        z = float(self.coef_[self._indices(tokens)].sum()) + self.intercept_
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def score(self, feats: PageFeatures) -> float:
        """Probability that the page is phishing (stage 2 when present, else stage 1)."""
        return self.score_parts(page_tokens(feats), page_dense(feats))

    def score_parts(self, tokens: Sequence[str], dense: Sequence[float]) -> float:
        """:meth:`score` from a page's :func:`page_tokens` and :func:`page_dense`."""
        linear = self.predict_proba(tokens)
        if self.booster is None:
            return linear
        row = np.asarray([*dense, linear], np.float64)
        if self.forest is not None:
            return self.forest.probability(row)
        return float(self.booster.predict(row.reshape(1, -1), num_threads=1)[0])

    def to_arrays(self) -> dict[str, Any]:
        """The learned state as arrays (saved with ``numpy.savez_compressed``)."""
        out = {
            "coef": self.coef_,
            "intercept": np.asarray([self.intercept_], np.float64),
            "n_features": np.asarray([self.n_features], np.int64),
            "C": np.asarray([self.C], np.float64),
        }
        if self.booster is not None:
            text = self.booster.model_to_string().encode("utf-8")
            out["booster"] = np.frombuffer(text, np.uint8)
            out["dense_names"] = np.asarray(DENSE_NAMES)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any) -> PageModel:
        """Rebuild a fitted model from :meth:`to_arrays` output (or a loaded ``.npz``)."""
        model = cls(n_features=int(arrays["n_features"][0]), C=float(arrays["C"][0]))
        model.coef_ = np.asarray(arrays["coef"], np.float32)
        model.intercept_ = float(arrays["intercept"][0])
        if model.coef_.shape != (model.n_features,):
            raise ValueError("page model: coef has the wrong shape")
        if "booster" in arrays:
            import lightgbm

            if tuple(str(n) for n in arrays["dense_names"]) != DENSE_NAMES:
                raise ValueError("page model: its dense features differ from this code's")
            text = np.asarray(arrays["booster"], np.uint8).tobytes().decode("utf-8")
            model.booster = lightgbm.Booster(model_str=text)
            model.forest = _forest(model.booster)
        return model


def _forest(booster: Any) -> Forest | None:
    """The booster's trees for the compiled sum; None without the compiled module or for
    trees it does not support (LightGBM's ``predict`` then)."""
    if _forest_sum is None:
        return None
    try:
        return Forest(booster.dump_model())
    except (ValueError, KeyError, TypeError):
        return None
