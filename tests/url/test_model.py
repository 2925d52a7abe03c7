"""The lexical model: normalisation, the committed artifact, and a small-slice training run."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from qalxan.detect.url import UrlDetector, UrlModel, normalise_url
from qalxan.detect.url.model import dense_features
from qalxan.service.url import LabelledUrl, evaluate_scores, load_model, train

MODEL_DIR = Path(__file__).resolve().parents[2] / "qalxan/data/models/url"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.example.com/", "example.com"),
        ("HTTP://WWW2.Example.com/a/", "example.com/a"),
        ("example.com", "example.com"),
        ("ftp://www.x.org/y", "x.org/y"),
        ("wwwexample.com/", "wwwexample.com"),
    ],
)
def test_normalise_url(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


def test_committed_model_is_small_and_documented() -> None:
    artifact = MODEL_DIR / "lexical.npz"
    assert artifact.stat().st_size < 5_000_000
    card = (MODEL_DIR / "lexical.md").read_text(encoding="utf-8")
    for needle in ("train_dev_urls.csv.gz", "qalxan train url", "ROC-AUC", "esdaung", "tranco"):
        assert needle.lower() in card.lower()


@pytest.mark.parametrize(
    "path",
    [
        "paypal-secure-login.example-verify.com/webscr/cmd=login",
        "kapitalbank.az/",
        "github.com/python/cpython/blob/main/README.rst",
        "192.0.2.7/~user/bank/index.php",
    ],
)
def test_scheme_and_www_do_not_change_the_score(path: str) -> None:
    model = load_model()
    assert model is not None
    variants = [path, "http://" + path, "https://" + path, "www." + path, "https://www." + path]
    scores = {round(model.score(v), 9) for v in variants}
    assert len(scores) == 1


def test_detector_score_ignores_scheme_and_www(detector: UrlDetector) -> None:
    a = detector.analyze("http://secure-update-account.example.net/signin/")
    b = detector.analyze("https://www.secure-update-account.example.net/signin/")
    assert a.score == b.score
    assert "model.url" in a.codes


def test_model_round_trips_through_arrays() -> None:
    model = UrlModel.fit(
        ["a.com/login", "b.org/", "evil.xyz/verify/account", "c.net/home"], [0, 0, 1, 0]
    )
    again = UrlModel.from_arrays(model.to_arrays())
    assert abs(again.score("evil.xyz/verify") - model.score("evil.xyz/verify")) < 1e-2


@pytest.mark.shared_data
def test_small_slice_training(shared_dir: Path) -> None:
    """Train on 3,000 rows of the 2020 sources, test on 2,000 rows of 2021 (by time)."""
    rows: list[LabelledUrl] = []
    with gzip.open(shared_dir / "data/urls/train_dev_urls.csv.gz", "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append(LabelledUrl(r["url"], int(r["label"]), r["source"]))
    old = [r for r in rows if r.source in ("hannousse2021", "phishtank2020-05")][::8][:3000]
    new = [r for r in rows if r.source == "esdaung2021_bal"][::5][:2000]
    model = train(old, n_features=2**16)
    scores = model.score_many([r.url for r in new])
    auc = roc_auc_score([r.label for r in new], scores)
    assert auc > 0.7
    report = evaluate_scores(new, list(scores))
    assert report["overall"]["n"] == 2000
    assert 0.0 <= report["overall"]["recall_at_fpr_1%"] <= 1.0
    assert set(report["sources"]) == {"esdaung2021_bal"}


def test_evaluate_scores_per_source() -> None:
    rows = [
        LabelledUrl("a", 1, "feedA"),
        LabelledUrl("b", 0, "feedA"),
        LabelledUrl("c", 1, "phish_only"),
        LabelledUrl("d", 0, "benign_only"),
    ]
    report = evaluate_scores(rows, [0.9, 0.1, 0.8, 0.95])
    assert report["overall"]["roc_auc"] == pytest.approx(2 / 4)
    assert report["sources"]["feedA"]["roc_auc"] == 1.0
    assert report["sources"]["phish_only"]["recall_at_overall_fpr_1%"] == 0.0
    assert report["sources"]["benign_only"]["fpr_at_overall_fpr_1%"] == 0.0
    assert np.isfinite(report["overall"]["thresholds"]["1%"])


def test_dense_features_see_shape_not_scheme() -> None:
    a = dense_features(normalise_url("https://www.192.168.1.10/a/b/login.php?x=1"))
    b = dense_features(normalise_url("192.168.1.10/a/b/login.php?x=1"))
    assert a == b
    assert a[9] == 1.0  # IPv4 host
    assert dense_features("user@evil.com/x")[8] == 1.0
