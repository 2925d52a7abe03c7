"""Wiring of the url detector: load its content, build it, train and evaluate its model.

``build(engine)`` reads ``data/url/*`` (confusables, lookalike words and weights, hosting
lists) and the committed model ``data/models/url/lexical.npz``, and hands them to
:class:`~qalxan.detect.url.UrlDetector`. ``train`` and ``evaluate`` back the
``qalxan train url`` / ``qalxan eval url`` commands.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from qalxan.data import read_text, read_yaml
from qalxan.detect.url import (
    Confusables,
    HostingLists,
    LookalikeConfig,
    LookalikeEngine,
    TokenLists,
    UrlDetector,
    UrlModel,
    parse_confusables_tsv,
)
from qalxan.domain.errors import ConfigError, ParseError
from qalxan.domain.url import parse_url, split_domain
from qalxan.domain.verdict import Thresholds

__all__ = [
    "MODEL_FILE",
    "LabelledUrl",
    "add_verdict_counts",
    "build",
    "build_lookalike",
    "evaluate_scores",
    "hosting_lists",
    "load_model",
    "read_html_links",
    "read_labelled",
    "read_tranco",
    "save_model",
    "score_rows",
    "token_lists",
    "train",
]

MODEL_FILE = "models/url/lexical.npz"
# Chosen on a validation split of the 2020 training side (see the model card).
TRAIN_C = 16.0
TOKEN_BUCKETS = 2**16
TOKEN_SCALE = 1.0


def hosting_lists() -> HostingLists:
    """Shorteners, free hosting, dynamic DNS, social networks and well-known services."""
    return HostingLists.from_mapping(
        read_yaml("url/hosting.yaml"), read_yaml("url/well_known.yaml")["domains"]
    )


def build_lookalike(engine: Any) -> LookalikeEngine:
    """The lookalike engine over ``engine.brands`` and the packaged content."""
    config = LookalikeConfig.from_mapping(read_yaml("url/lookalike.yaml"))
    table = parse_confusables_tsv(read_text("url/confusables.tsv"))
    confusables = Confusables(table, config.sequences, config.loose)
    return LookalikeEngine(engine.brands, confusables, config, platforms=hosting_lists().all())


def load_model(path: Path | None = None) -> UrlModel | None:
    """The committed model (or the one at ``path``); ``None`` when none is shipped."""
    try:
        if path is not None:
            data = path.read_bytes()
        else:
            data = resources.files("qalxan.data").joinpath(MODEL_FILE).read_bytes()
    except FileNotFoundError:
        if path is not None:
            raise ConfigError(f"model file {path} does not exist") from None
        return None
    with np.load(io.BytesIO(data)) as arrays:
        return UrlModel.from_arrays(arrays)


def save_model(model: UrlModel, path: Path) -> None:
    """Write ``model`` as a compressed ``.npz`` (float16 weights)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **model.to_arrays())


def build(engine: Any, model_path: Path | None = None) -> UrlDetector:
    """Build the url detector."""
    hosting = hosting_lists()
    return UrlDetector(
        lookalike=build_lookalike(engine),
        reasons=engine.reasons,
        hosting=hosting,
        model=load_model(model_path),
    )


# -- data -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledUrl:
    """One row of a labelled file: URL, 0/1 label (1 = phishing), source, date or rank."""

    url: str
    label: int
    source: str = ""
    date: str = ""


def _open_text(path: Path) -> io.TextIOBase:
    if not path.is_file():
        raise ConfigError(f"{path} is not a readable file")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="")


def read_labelled(path: Path) -> Iterator[LabelledUrl]:
    """Rows of a CSV ``url,label[,source[,date_or_rank]]`` (header optional; bad rows skipped)."""
    with _open_text(path) as fh:
        for row in csv.reader(fh):
            if len(row) < 2 or row[0] == "url":
                continue
            try:
                label = int(row[1])
            except ValueError:
                continue
            if label not in (0, 1) or not row[0].strip():
                continue
            source = row[2] if len(row) > 2 and row[2] else "all"
            date = row[3] if len(row) > 3 else ""
            yield LabelledUrl(row[0].strip(), label, source, date)


def read_tranco(path: Path, *, every: int, offset: int, limit: int) -> list[LabelledUrl]:
    """Benign rows from a Tranco list: ranks ``r`` with ``r % every == offset``, top first."""
    out: list[LabelledUrl] = []
    with _open_text(path) as fh:
        for row in csv.reader(fh):
            if len(row) < 2 or not row[0].isdigit():
                continue
            if int(row[0]) % every == offset:
                out.append(LabelledUrl(row[1], 0, "tranco", row[0]))
                if len(out) >= limit:
                    break
    return out


def read_html_links(data_dir: Path, *, per_domain: int = 40) -> list[LabelledUrl]:
    """Benign deep-page addresses: the links of the benign pages of the shared HTML set
    (``index.csv`` + tarball, first copies), resolved against the page's own domain,
    de-duplicated, at most ``per_domain`` per registered domain (source ``html_links``).

    Real sites link to their own articles, sign-in, cart and help pages, and to share,
    sign-in and app-store links of other services: the addresses an ordinary user meets,
    which a list of home pages lacks."""
    from urllib.parse import urljoin

    from selectolax.lexbor import LexborHTMLParser

    from qalxan.service.page_train import iter_pages, load_index

    rows = [r for r in load_index(data_dir) if r.label == 0 and r.first_copy]
    with (data_dir / "index.csv").open(encoding="utf-8", newline="") as fh:
        hints = {r["path"]: r.get("benign_domain_hint", "") for r in csv.DictReader(fh)}
    seen: set[str] = set()
    per: dict[str, int] = {}
    out: list[LabelledUrl] = []
    for row, html in iter_pages(data_dir, [r for r in rows if hints.get(r.path)]):
        base = _page_base(hints[row.path])
        for node in LexborHTMLParser(html).css("a[href]"):
            href = (node.attributes.get("href") or "").strip()
            if base is None and not href.lower().startswith(("http://", "https://", "//")):
                continue
            url = urljoin(base or "https:", href)
            try:
                domain = parse_url(url).domain  # what eval would refuse is not harvested
            except ParseError:
                continue
            registered = domain.registered
            if not url.startswith(("http://", "https://")) or url in seen or not domain.suffix:
                continue
            if per.get(registered, 0) >= per_domain:
                continue
            seen.add(url)
            per[registered] = per.get(registered, 0) + 1
            out.append(LabelledUrl(url, 0, "html_links", hints[row.path]))
    if not out:
        raise ConfigError(f"no benign links found in {data_dir}")
    return out


def _page_base(hint: str) -> str | None:
    """The page's own address for relative links, when its domain hint is a plain host name.

    The set's hints come from file names with dots for every separator, so some hold a path
    (``bitcoin.org.en.developer-guide``, ``bitcoin.com.au.news.`` for ``.../news/``): there
    only absolute links are read."""
    if hint.endswith("."):
        return None
    try:
        domain = split_domain(hint)
    except ValueError:
        return None
    if not domain.suffix or domain.is_ip:
        return None
    # bitcoin.org.en.events is bitcoin.org/en/events: a top-level name before the suffix.
    before = [*domain.subdomain.split("."), domain.label]
    return None if _PATH_TELLS.intersection(before) else f"https://{domain.host}/"


_PATH_TELLS = frozenset({"com", "org", "net", "edu", "gov", "io", "co"})


# -- training and evaluation -------------------------------------------------------------


def token_lists() -> TokenLists:
    """The word lists of the model's token features: ``url/model_terms.yaml`` + hosting."""
    terms = read_yaml("url/model_terms.yaml")
    return TokenLists.build(terms["brands"], terms["words"], read_yaml("url/hosting.yaml"))


def train(
    rows: Sequence[LabelledUrl],
    *,
    n_features: int = 2**18,
    c: float = TRAIN_C,
    tokens: bool = True,
) -> UrlModel:
    """Fit the lexical model on ``rows`` (``tokens=False``: n-grams and shape features only)."""
    if len({r.label for r in rows}) < 2:
        raise ConfigError("training data needs both benign (0) and phishing (1) rows")
    return UrlModel.fit(
        [r.url for r in rows],
        [r.label for r in rows],
        n_features=n_features,
        c=c,
        token_lists=token_lists() if tokens else None,
        n_token_features=TOKEN_BUCKETS,
        token_scale=TOKEN_SCALE,
    )


def _recall_at(y: np.ndarray, s: np.ndarray, fpr_max: float) -> float:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, s)
    ok = fpr <= fpr_max
    return float(tpr[ok].max()) if ok.any() else 0.0


def _metrics(y: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    out: dict[str, Any] = {
        "n": len(y),
        "phishing": int(y.sum()),
        "benign": int((y == 0).sum()),
    }
    if 0 < y.sum() < len(y):
        out["roc_auc"] = round(float(roc_auc_score(y, s)), 4)
        out["recall_at_fpr_0.1%"] = round(_recall_at(y, s, 0.001), 4)
        out["recall_at_fpr_1%"] = round(_recall_at(y, s, 0.01), 4)
    return out


def _threshold_at(y: np.ndarray, s: np.ndarray, fpr_max: float) -> float:
    """The lowest score threshold whose false-positive rate stays within ``fpr_max``."""
    benign = np.sort(s[y == 0])[::-1]
    if len(benign) == 0:
        return 0.5
    k = int(np.floor(fpr_max * len(benign)))
    return float(np.nextafter(benign[k], np.inf)) if k < len(benign) else 0.0


def evaluate_scores(rows: Sequence[LabelledUrl], scores: Sequence[float]) -> dict[str, Any]:
    """ROC-AUC and recall at FPR 0.1% / 1%, overall and per source.

    Per source, a source with both classes gets its own curve; a one-class source is read
    at the overall thresholds (recall for phishing-only, false-positive rate for benign-only).
    """
    y = np.array([r.label for r in rows], dtype=np.int8)
    s = np.asarray(scores, dtype=np.float64)
    report: dict[str, Any] = {"overall": _metrics(y, s), "sources": {}}
    cuts = {name: _threshold_at(y, s, f) for name, f in (("0.1%", 0.001), ("1%", 0.01))}
    report["overall"]["thresholds"] = {k: round(v, 6) for k, v in cuts.items()}
    for source in sorted({r.source for r in rows}):
        mask = np.array([r.source == source for r in rows])
        part = _metrics(y[mask], s[mask])
        for name, cut in cuts.items():
            hits = s[mask] >= cut
            if y[mask].sum():
                part[f"recall_at_overall_fpr_{name}"] = round(float(hits[y[mask] == 1].mean()), 4)
            if (y[mask] == 0).any():
                part[f"fpr_at_overall_fpr_{name}"] = round(float(hits[y[mask] == 0].mean()), 5)
        report["sources"][source] = part
    return report


def add_verdict_counts(
    report: dict[str, Any],
    rows: Sequence[LabelledUrl],
    scores: Sequence[float],
    thresholds: Thresholds,
) -> None:
    """Add to ``report`` (of :func:`evaluate_scores`) how many benign and how many phishing
    rows of each source got each verdict of the combined detector
    (``verdicts_of_benign`` / ``verdicts_of_phishing``: benign, suspicious, malicious)."""
    keys = ("verdicts_of_benign", "verdicts_of_phishing")
    for row, score in zip(rows, scores, strict=True):
        part = report["sources"][row.source]
        counts = part.setdefault(keys[row.label], dict.fromkeys(_VERDICTS, 0))
        counts[thresholds.label(score)] += 1


_VERDICTS = ("benign", "suspicious", "malicious")


def score_rows(
    detector: UrlDetector,
    rows: Iterable[LabelledUrl],
    *,
    model_only: bool = False,
    progress: Callable[[], None] | None = None,
) -> tuple[list[LabelledUrl], list[float], int]:
    """Scores of the rows (the combined verdict, or the model alone).

    Rows the URL parser refuses are skipped and counted (the third value)."""
    kept: list[LabelledUrl] = []
    scores: list[float] = []
    skipped = 0
    for row in rows:
        try:
            if model_only:
                if detector.model is None:
                    raise ConfigError("no lexical model is installed")
                score = detector.model.score(row.url)
            else:
                score = detector.analyze(row.url).score
        except ParseError:
            skipped += 1
            continue
        kept.append(row)
        scores.append(score)
        if progress is not None:
            progress()
    return kept, scores, skipped
