"""Token features of the lexical model: which part of the URL a word comes from."""

from __future__ import annotations

import io

import numpy as np
import pytest

from qalxan.detect.url import TokenLists, UrlModel, normalise_url
from qalxan.detect.url.tokens import url_tokens
from qalxan.service.url import load_model, token_lists

LISTS = TokenLists.build(
    ["paypal", "ing"], ["login", "secure", "verify"], {"free_hosting": ["appspot.com"]}
)


def tokens(url: str) -> list[str]:
    return url_tokens(normalise_url(url), LISTS)


def test_brand_in_a_subdomain_it_does_not_own() -> None:
    out = tokens("https://paypal.secure-login.example-verify.com/webscr?cmd=login&x=1")
    assert {"b:sub", "s:paypal", "d:example-verify", "dw:verify", "t:com"} <= set(out)
    assert out.count("w:host") == 3  # secure, login, verify
    assert {"p:webscr", "q:cmd", "q:x"} <= set(out)


def test_brand_on_its_own_name_and_inside_a_longer_name() -> None:
    assert "b:own" in tokens("paypal.com")
    assert "b:rd" in tokens("paypalsecure.net/")
    # short brand words match whole tokens only
    assert "b:rd" not in tokens("shopping.com") and "b:own" not in tokens("shopping.com")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("bbc.co.uk/news/123456", {"t:co.uk", "d:bbc", "p:news", "p:#6"}),
        ("192.0.2.7:8080/~u/index.php", {"t:#ip", "d:#ip", "x:php"}),
        ("x.oa.r.appspot.com/a.html", {"c:free_hosting", "sn:3", "x:html"}),
        ("a.com/r?u=https://b.com", {"q:u", "q:#url"}),
        ("a.com/0f3a9c7d2b1e4f5a6c7d8e9f/x", {"p:#hex"}),
    ],
)
def test_parts(url: str, expected: set[str]) -> None:
    assert expected <= set(tokens(url))


def test_brand_in_path() -> None:
    assert "b:path" in tokens("evil.xyz/paypal/signin")


def test_shipped_lists_are_lowercase_and_known_words() -> None:
    lists = token_lists()
    assert {"paypal", "microsoft", "kapitalbank"} <= lists.brands
    assert {"login", "verify", "webscr"} <= lists.words
    assert lists.context["bit.ly"] == "shorteners"
    assert all(w == w.lower() for w in lists.brands | lists.words)


def test_model_with_tokens_round_trips_through_npz() -> None:
    urls = ["a.com/login", "b.org/", "paypal.evil.xyz/verify/account", "c.net/home"] * 3
    model = UrlModel.fit(urls, [0, 0, 1, 0] * 3, token_lists=LISTS, n_token_features=2**10)
    buf = io.BytesIO()
    np.savez_compressed(buf, **model.to_arrays())
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as arrays:
        again = UrlModel.from_arrays(arrays)
    assert again.token_lists == model.token_lists
    assert again.n_token_features == 2**10 and again.n_features == model.n_features
    for url in ("paypal.evil.xyz/verify", "c.net/home"):
        assert abs(again.score(url) - model.score(url)) < 1e-2


def test_committed_model_uses_tokens() -> None:
    model = load_model()
    assert model is not None and model.token_lists is not None
    assert model.n_token_features > 0 and model.n_dense > 12
