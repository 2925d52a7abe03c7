"""Folding: Azerbaijani with and without diacritics, ə as a/e, Cyrillic, homoglyphs, leet,
spaced-out words; and the map from folded characters back to the original text."""

from __future__ import annotations

import pytest

from qalxan.service.message import load_normalizer

N = load_normalizer()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("kartınız bloklanıb", "kartiniz bloklanib"),
        ("KARTINIZ BLOKLANIB", "kartınız bloklanıb"),
        ("İSTİFADƏ", "istifade"),
        ("təsdiqləyin", "tesdiqleyin"),
        ("təsdiqləyin", "tasdiqlayin"),
        ("картыныз блокланыб", "kartiniz bloklanib"),
        ("счёт", "счет"),
        ("Вaш кoд", "ваш код"),
        ("Kapitаl", "kapital"),
        ("k o d u", "kodu"),
        ("c0d", "cod"),
        ("ｋｏｄ", "kod"),
    ],
)
def test_variants_fold_the_same(a: str, b: str) -> None:
    assert N.fold(a).text == N.fold(b).text


def test_fast_path_agrees_with_full_path_on_plain_text() -> None:
    text = "Salam, Kartınız bloklanıb! Ваш счёт заморожен. 12.50 AZN"
    assert not N.needs_full(text)
    assert N.fast(text) == N.fold(text).text


@pytest.mark.parametrize("text", ["Вaш кoд", "c0d", "k o d", "ｋｏｄ"])
def test_tricks_need_the_full_path(text: str) -> None:
    assert N.needs_full(text)


def test_spans_point_into_the_original() -> None:
    text = "Salam!  K o d u   deyin: İSTİFADƏ"
    folded = N.fold(text)
    start = folded.text.index("kodu")
    span = folded.span(start, start + 4)
    assert text[span[0] : span[1]] == "K o d u"
    start = folded.text.index("istifada")
    span = folded.span(start, start + len("istifada"))
    assert text[span[0] : span[1]] == "İSTİFADƏ"


def test_empty_and_junk_fold_without_error() -> None:
    for text in ["", "\x00\x01\x02", "😀😀😀", "\ufffd" * 10, "a" * 50_000]:
        folded = N.fold(text)
        assert len(folded.index) == len(folded.text)
