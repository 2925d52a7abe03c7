"""The compiled hashed features of the URL model (``qalxan/detect/url/_hashdot.pyx``) give
the sums of the Python path: the same CRC-32 buckets, the same counts, the same score."""

from __future__ import annotations

import gzip
import math
import zlib
from collections import Counter
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qalxan.detect.url import model as mmod
from qalxan.detect.url.tokens import LONG_TERM, TokenLists
from qalxan.service.url import load_model

_URLISH = st.text(
    alphabet=st.sampled_from("abcdefklmnoprstuxyz0123456789./-_?=&%@:~ əşıİçğöüкодé😀\x00ÿ"),
    max_size=300,
)


def test_compiled_module_is_built() -> None:
    # `pip install` builds it; without a C compiler the model runs the numpy path.
    assert mmod._ngram_dot is not None, "qalxan/detect/url/_hashdot.pyx is not compiled"


def _weights(size: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=size)


@settings(max_examples=300, deadline=None)
@given(text=_URLISH, low=st.integers(1, 4), span=st.integers(0, 4))
@example(text="", low=2, span=4)
@example(text="a", low=2, span=4)
def test_ngram_sums_match_python(text: str, low: int, span: int) -> None:
    weights = _weights(1 << 12)
    data = text.encode("utf-8")
    dot, sumsq = mmod._ngram_dot(data, low, low + span, len(weights), weights)
    counts = Counter(
        zlib.crc32(data[i : i + n]) % len(weights)
        for n in range(low, low + span + 1)
        for i in range(len(data) - n + 1)
    )
    assert sumsq == sum(c * c for c in counts.values())
    assert dot == pytest.approx(sum(weights[h] * c for h, c in counts.items()), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(tokens=st.lists(_URLISH, max_size=40), offset=st.integers(0, 100))
def test_token_sums_match_python(tokens: list[str], offset: int) -> None:
    weights = _weights(1 << 10)
    n = len(weights) - offset
    dot, sumsq = mmod._token_dot(tokens, n, offset, weights)
    counts = Counter(zlib.crc32(t.encode("utf-8")) % n for t in tokens)
    assert sumsq == sum(c * c for c in counts.values())
    assert dot == pytest.approx(sum(weights[offset + h] * c for h, c in counts.items()), abs=1e-9)


def test_buckets_out_of_range_are_refused() -> None:
    weights = _weights(16)
    with pytest.raises(ValueError):
        mmod._ngram_dot(b"abc", 2, 3, 17, weights)
    with pytest.raises(ValueError):
        mmod._token_dot(["a"], 10, 7, weights)


def test_committed_model_scores_match_the_numpy_path(shared_dir: Path) -> None:
    model = load_model()
    assert model is not None and model.token_lists is not None
    path = shared_dir / "data" / "urls" / "train_dev_urls.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        urls = [line.split(",", 1)[0] for line in islice(fh, 1, 3001)]
    urls += ["", "kapitalbank.az.verify-login.com/az?x=1", "пример.рф/вход", "a" * 600]
    for url in urls:
        text = mmod.normalise_url(url)
        fast = model._hashed_sum(text)
        slow = model._hashed_sum(text, compiled=False)
        assert math.isclose(fast, slow, rel_tol=1e-12, abs_tol=1e-12), url


@settings(max_examples=300, deadline=None)
@given(text=_URLISH)
@example(text="paypalpaypal-secure.verify")
def test_long_terms_are_found_as_substrings(text: str) -> None:
    lists = TokenLists.build(
        ["paypal", "ing", "kapitalbank", "bank"], ["secure", "verify", "login", "ify"], {}
    )
    for brands, terms in ((True, lists.brands), (False, lists.words)):
        expected = {t for t in terms if len(t) >= LONG_TERM and t in text}
        assert lists.found(text, [], brands=brands) == expected
        assert lists.found(text, ["ing", "ify"], brands=brands) >= expected


@settings(max_examples=200, deadline=None)
@given(tokens=st.lists(_URLISH, max_size=60), bits=st.integers(1, 20))
@example(tokens=[], bits=18)
def test_page_token_buckets_match_python(tokens: list[str], bits: int) -> None:
    """The page model's hashed tokens use the same compiled CRC-32 loop."""
    from qalxan.detect.page.model import PageModel

    model = PageModel(n_features=1 << bits)
    compiled = model._indices(tokens)
    assert compiled.tolist() == model._indices(tokens, compiled=False).tolist()
    assert compiled.tolist() == sorted({zlib.crc32(t.encode()) % (1 << bits) for t in tokens})


def test_page_token_buckets_refuse_bad_arguments() -> None:
    from qalxan.detect.url._hashdot import token_buckets

    with pytest.raises(ValueError):
        token_buckets(["a"], 0, np.empty(1, np.int64))
    with pytest.raises(ValueError):
        token_buckets(["a", "b"], 8, np.empty(1, np.int64))


def test_page_model_scores_with_the_compiled_buckets() -> None:
    """The committed page model gives the same linear score either way on real pages."""
    from qalxan.detect.page import extract
    from qalxan.detect.page.model import page_tokens
    from qalxan.service.page import load_lexicon, load_model
    from qalxan.service.page_train import iter_pages, load_index

    data = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "html"
    model = load_model()
    assert model is not None
    rows = [r for r in load_index(data) if r.first_copy][:120]
    for _, html in iter_pages(data, rows):
        tokens = page_tokens(extract(html, None, load_lexicon()))
        fast = model.coef_[model._indices(tokens)].sum()
        slow = model.coef_[model._indices(tokens, compiled=False)].sum()
        assert fast == slow
