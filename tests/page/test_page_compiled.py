"""The page detector's fast paths give what their plain paths give.

Compiled (``qalxan/detect/url/_hashdot.pyx``): the identifiers of a page's source, the
SimHash of its tags and the sum of the page model's trees. In Python: the fold of diacritics,
the host of an address, the one-search test of field patterns, the one-pass phrase search and
the distinct token buckets. Each is compared with its plain path on generated input and on
real pages; and pages with addresses the URL parser refuses still get a verdict.
"""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qalxan.detect.page import PageInput
from qalxan.detect.page import features as fmod
from qalxan.detect.page import lexicon as lexmod
from qalxan.detect.page import model as mmod
from qalxan.detect.page.features import extract, host_of, source_words
from qalxan.detect.page.fingerprint import simhash
from qalxan.detect.page.model import Forest, _distinct, page_dense, page_tokens
from qalxan.service import Engine
from qalxan.service.page import load_lexicon
from qalxan.service.page_train import iter_pages, load_index

# The package exports a function named fingerprint, so the module is imported by name.
fpmod = importlib.import_module("qalxan.detect.page.fingerprint")
PROBES = Path(__file__).parent / "pages"
LEX = load_lexicon()


def _pages(shared_dir: Path, n: int) -> list[str]:
    data = shared_dir / "data" / "html"
    rows = [r for r in load_index(data) if r.first_copy][:n]
    pages = [html for _, html in iter_pages(data, rows)]
    return pages + [p.read_text(encoding="utf-8") for p in sorted(PROBES.glob("*.html"))]


def test_compiled_parts_are_built() -> None:
    # `pip install` builds them; without a C compiler the plain paths run (slower).
    assert fmod._source_words is not None, "qalxan/detect/url/_hashdot.pyx is not compiled"
    assert fpmod._simhash is not None
    assert mmod._forest_sum is not None


_SOURCE = st.text(alphabet=st.sampled_from("abcxyz019_-<>=\"' .:/\nİı\u0307əкé😀ABC"), max_size=400)


@settings(max_examples=400, deadline=None)
@given(text=_SOURCE)
@example(text="a" * 70)  # longer than one match: cut into pieces of 31
@example(text="a" + "1" * 40 + "b")
@example(text="x")
@example(text="")
def test_source_words_match_the_regex(text: str) -> None:
    source = text.lower()
    assert source_words(source) == source_words(source, compiled=False)


_TAGS = st.lists(
    st.sampled_from(["html", "body", "div", "a", "input", "form", "my-elem", "ßtag", "x😀"]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(tags=_TAGS, n=st.integers(1, 5))
def test_simhash_matches_numpy(tags: list[str], n: int) -> None:
    assert simhash(tags, n) == simhash(tags, n, compiled=False)


@pytest.mark.shared_data
def test_compiled_parts_on_real_pages(shared_dir: Path, engine: Engine) -> None:
    model = engine.detector("page").model
    assert model is not None and model.forest is not None
    for html in _pages(shared_dir, 400):
        feats = extract(html, "https://example.com/login", LEX)
        source = html[: fmod.MAX_SOURCE].lower()
        assert feats.source_words == source_words(source, compiled=False)
        assert simhash(feats.tags) == simhash(feats.tags, compiled=False)
        row = np.asarray([*page_dense(feats), model.predict_proba(page_tokens(feats))])
        expected = float(model.booster.predict(row.reshape(1, -1), num_threads=1)[0])
        assert model.forest.probability(row) == expected


_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1.0, 0.5]),
    st.integers(0, 300).map(float),
)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(_VALUE, min_size=len(mmod.DENSE_NAMES) + 1, max_size=len(mmod.DENSE_NAMES) + 1)
)
def test_forest_matches_lightgbm_on_any_row(engine: Engine, values: list[float]) -> None:
    # NaN reads as 0.0, infinities compare as LightGBM compares them.
    model = engine.detector("page").model
    assert model is not None and model.forest is not None
    row = np.asarray(values, np.float64)
    expected = float(model.booster.predict(row.reshape(1, -1), num_threads=1)[0])
    assert model.forest.probability(row) == expected


def test_forest_refuses_what_it_cannot_sum(engine: Engine) -> None:
    model = engine.detector("page").model
    assert model is not None
    dump: dict[str, Any] = model.booster.dump_model()
    with pytest.raises(ValueError, match="objective"):
        Forest({**dump, "objective": "regression"})
    tree = dump["tree_info"][0]["tree_structure"]
    odd = {**dump, "tree_info": [{"tree_structure": {**tree, "decision_type": "=="}}]}
    with pytest.raises(ValueError, match="numerical"):
        Forest(odd)
    bad = {**dump, "tree_info": [{"tree_structure": {**tree, "split_feature": 10_000}}]}
    with pytest.raises(ValueError, match="out of range"):
        Forest(bad)
    short = Forest(dump)
    with pytest.raises(ValueError, match="shorter"):
        short.raw(np.zeros(3))


_FOLDABLE = st.text(
    alphabet=st.sampled_from("aİIıiəƏşŞçÇğĞöÖüÜёЁе\u0307 \t\nкé😀xyz"), max_size=200
)


def _fold_plain(text: str) -> str:
    return " ".join(text.translate(lexmod._FOLD).lower().split())


@settings(max_examples=400, deadline=None)
@given(text=_FOLDABLE)
@example(text="İnternet Bankçılıq")
@example(text="ЁЛКА")
def test_fold_matches_translate(text: str) -> None:
    assert lexmod.fold(text) == _fold_plain(text)


def _host_plain(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


_URL = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", "//", "", "http:/"]),
    st.text(alphabet=st.sampled_from("ab.c@:[]/?#%1 \t\nİ-_K"), max_size=40),
)


@settings(max_examples=500, deadline=None)
@given(url=_URL)
@example(url="https://user:pw@Ex.COM.:8080/x?y#z")
@example(url="http://[::1]:80/")
@example(url="http://[x/a")
@example(url="http://a\tb.com/")
@example(url="http://%K")  # urlsplit lowercases the host, not a zone after %
def test_host_matches_urlsplit(url: str) -> None:
    assert host_of.__wrapped__(url) == _host_plain(url)


def _kind_plain(haystack: str, autocomplete: str, input_type: str) -> str | None:
    for kind in LEX.fields:
        if autocomplete and autocomplete in kind.autocomplete:
            return kind.name
    for kind in LEX.fields:
        if kind.pattern is not None and haystack and kind.pattern.search(haystack):
            return kind.name
    for kind in LEX.fields:
        if input_type in kind.types:
            return kind.name
    return None


def test_field_kind_one_search_matches_the_loop() -> None:
    texts = ["", "q", "search", "email", "user name", "password", "cvv2", "kart nomresi"]
    for kind in LEX.fields:
        for examples in kind.examples.values():
            texts += [lexmod.fold(e) for e in examples]
    assert len(texts) > 30
    for text in texts:
        for auto, typ in (("", ""), ("cc-number", ""), ("", "password"), ("", "tel")):
            assert LEX.field_kind(text, auto, typ) == _kind_plain(text, auto, typ), text


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from([p for g in LEX.phrases for p in g.phrases]),
            st.text(alphabet=st.sampled_from("abc əş кд"), max_size=8),
        ),
        max_size=8,
    )
)
def test_phrases_in_matches_substring_tests(parts: list[str]) -> None:
    text = "".join(parts)
    expected = {p for g in LEX.phrases for p in g.phrases if p in text}
    assert LEX.phrases_in(text) == expected


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(0, 1 << 18), max_size=60))
def test_distinct_buckets_match_unique(values: list[int]) -> None:
    array = np.asarray(values, np.int64)
    assert np.array_equal(_distinct(array), np.unique(array))


_ODD_ADDRESS = st.sampled_from(
    ["https://[x/a", "http://[::1/x.js", "https://[/", "http://a\x00b/", "https://é.[]/", "//[x"]
)


@settings(max_examples=60, deadline=None)
@given(address=_ODD_ADDRESS, tag=st.sampled_from(["form", "script", "a", "img", "link", "iframe"]))
@example(address="https://[x/a", tag="form")
def test_addresses_the_parser_refuses_do_not_stop_the_page(
    engine: Engine, address: str, tag: str
) -> None:
    markup = {
        "form": f'<form action="{address}"><input type=password name=pass></form>',
        "script": f'<script src="{address}"></script><script>var t="telegram"</script>',
        "a": f'<a href="{address}">x</a>',
        "img": f'<img src="{address}" alt="logo">',
        "link": f'<link rel=icon href="{address}">',
        "iframe": f'<iframe src="{address}"></iframe>',
    }[tag]
    detector = engine.detector("page")
    for url in (None, "https://example.com/login"):
        verdict = detector.analyze(PageInput(f"<html><body>{markup}</body></html>", url))
        assert verdict.verdict in ("benign", "suspicious", "malicious")
        assert not math.isnan(verdict.score)


def test_source_word_pattern_is_the_documented_one() -> None:
    # The compiled scan implements this pattern; a change here must change it too.
    assert fmod._SOURCE_WORD.pattern == r"[a-z][a-z0-9_-]{1,30}"
    assert fmod._SOURCE_WORD.flags == re.UNICODE
