"""The committed page model: it loads, it is small, it has a card, and the split is by group."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from qalxan.detect.page import PageModel, page_tokens
from qalxan.service.page import MODEL_FILE, load_model
from qalxan.service.page_train import load_index


def test_committed_artifact_loads_and_is_small() -> None:
    ref = resources.files("qalxan.data").joinpath(MODEL_FILE)
    assert ref.is_file()
    size = len(ref.read_bytes())
    assert size < 5_000_000
    card = resources.files("qalxan.data").joinpath("models/page/MODEL_CARD.md")
    text = card.read_text(encoding="utf-8")
    assert "qalxan train page" in text and "F1" in text
    model = load_model()
    assert isinstance(model, PageModel) and model.coef_.shape == (model.n_features,)


def test_model_round_trip() -> None:
    model = PageModel(n_features=1 << 10).fit(
        [["w:login", "w:password"], ["w:news", "w:weather"]] * 5, [1, 0] * 5
    )
    again = PageModel.from_arrays(model.to_arrays())
    assert again.predict_proba(["w:login"]) == pytest.approx(model.predict_proba(["w:login"]))
    assert model.predict_proba(["w:password"]) > 0.5 > model.predict_proba(["w:weather"])


@pytest.mark.shared_data
def test_recommended_split_is_group_disjoint(shared_dir: Path) -> None:
    rows = load_index(shared_dir / "data" / "html")
    train = {r.group for r in rows if r.split == "train"}
    test = {r.group for r in rows if r.split == "test"}
    assert train and test and not train & test


def test_two_stage_model_round_trip_and_guard() -> None:
    from qalxan.detect.page import extract
    from qalxan.detect.page.model import DENSE_NAMES, page_dense
    from qalxan.service.page import load_lexicon

    lex = load_lexicon()
    phish = (
        '<form action="http://x.example/p.php" method="post">'
        '<input type="password" name="pass"></form><p>verify your account</p>'
    )
    good = '<a href="/news">news</a><p>weather today in baku {}</p>'
    pages = [(phish + f"<i>{i}</i>", 1) for i in range(60)] + [
        (good.format(i), 0) for i in range(60)
    ]
    feats = [extract(html, None, lex) for html, _ in pages]
    dense = [page_dense(f) for f in feats]
    assert all(len(row) == len(DENSE_NAMES) for row in dense)
    model = PageModel(n_features=1 << 12).fit(
        [page_tokens(f) for f in feats],
        [label for _, label in pages],
        dense,
        [f"g{i % 10}" for i in range(len(pages))],
    )
    assert model.booster is not None
    arrays = model.to_arrays()
    again = PageModel.from_arrays(arrays)
    assert again.score(feats[0]) == pytest.approx(model.score(feats[0]))
    assert model.score(feats[0]) > 0.5 > model.score(feats[-1])
    with pytest.raises(ValueError, match="dense features"):
        PageModel.from_arrays({**arrays, "dense_names": np.asarray(["other"])})


def test_copied_page_tells_do_not_depend_on_the_page_address() -> None:
    from qalxan.detect.page import extract
    from qalxan.detect.page.model import DENSE_NAMES, page_dense
    from qalxan.service.page import load_lexicon

    lex = load_lexicon()
    saved = (
        "<!-- saved from url=(0031)https://www.bank.example/login -->"
        '<html><head><base href="https://www.bank.example/">'
        '<link rel="stylesheet" href="https://cdn.bank.example/a.css">'
        '<script src="Login_files/app.js"></script></head><body>'
        '<img src="https://cdn.bank.example/logo.png"><img src="Login_files/x.png">'
        '<a href="https://www.bank.example/help">help</a><a href="/about">about</a>'
        "<p>Congratulations! Answer 3 questions to claim your gift</p></body></html>"
    )
    for url in (None, "https://phish.example/kit/index.html"):
        c = extract(saved, url, lex).counts
        assert (c["saved_from"], c["mirrored"], c["base_abs"]) == (1, 0, 1)
        assert (c["res_abs"], c["res_rel"], c["res_top_host"], c["res_hosts"]) == (2, 2, 2, 1)
        assert c["res_files"] == 2
        assert (c["a_abs"], c["a_rel"], c["a_top_host"], c["a_hosts"]) == (1, 1, 1, 1)
    dense = dict(zip(DENSE_NAMES, page_dense(extract(saved, None, lex)), strict=True))
    assert dense["refs_res_top_share"] == 1.0 and dense["refs_a_top_share"] == 1.0
    assert dense["lure_question"] == 1.0 and dense["lure_gift"] == 1.0
    mirrored = "<!-- Mirrored from www.bank.example/ by HTTrack Website Copier -->"
    assert extract(mirrored, None, lex).counts["mirrored"] == 1
