"""Indicator extraction: each indicator with its span in the original text."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qalxan.detect.message import extract
from qalxan.detect.message.cards import luhn_ok
from qalxan.domain.card import parse_card

KEY = b"test-key"


def _one(text: str, kind: str) -> tuple[str, str, dict[str, str]]:
    found = [f for f in extract(text, KEY).features if f.kind == kind]
    assert len(found) == 1, [(f.kind, f.value) for f in extract(text, KEY).features]
    f = found[0]
    return f.value, text[f.span[0] : f.span[1]], f.attrs


@pytest.mark.parametrize(
    ("text", "value", "raw"),
    [
        (
            "Keçid: https://kapital-bank.top/login?x=1.",
            "https://kapital-bank.top/login?x=1",
            "https://kapital-bank.top/login?x=1",
        ),
        ("bax hxxps://evil[.]az/pay indi", "https://evil.az/pay", "hxxps://evil[.]az/pay"),
        (
            "daxil olun: azerpost-pay.top/odenis!",
            "http://azerpost-pay.top/odenis",
            "azerpost-pay.top/odenis",
        ),
        ("sayt: birbank[.]az", "http://birbank.az/", "birbank[.]az"),
        ("www.example.com bax", "http://www.example.com/", "www.example.com"),
    ],
)
def test_urls_and_defanged_domains(text: str, value: str, raw: str) -> None:
    got, span_text, _ = _one(text, "url")
    assert got == value
    assert span_text == raw


def test_words_with_dots_are_not_domains() -> None:
    text = "Salam.necesen? 5 man. verdim, e.g. sabah"
    assert not [f for f in extract(text, KEY).features if f.kind == "url"]


@pytest.mark.parametrize(
    ("text", "e164", "raw"),
    [
        ("zəng edin 050 123 45 67", "+994501234567", "050 123 45 67"),
        ("nömrə: +994 55 765-43-21.", "+994557654321", "+994 55 765-43-21"),
        ("994701234567 yazın", "+994701234567", "994701234567"),
        ("(012) 498 12 34", "+994124981234", "(012) 498 12 34"),
        ("call +44 7911 123456 now", "+447911123456", "+44 7911 123456"),
        ("звоните +7 916 123-45-67", "+79161234567", "+7 916 123-45-67"),
    ],
)
def test_phone_numbers(text: str, e164: str, raw: str) -> None:
    value, span_text, attrs = _one(text, "phone")
    assert value == e164
    assert span_text == raw
    assert attrs["country"]


def test_short_codes_only_in_call_or_sms_context() -> None:
    value, span_text, _ = _one("HƏ yazıb 85023-ə göndərin", "short_code")
    assert value == span_text == "85023"
    assert not [f for f in extract("Otaq 204-dədir", KEY).features if f.kind == "short_code"]


def test_card_is_masked_hashed_and_redacted() -> None:
    pan = "4169738812345670"
    assert luhn_ok(pan)
    text = "bu karta at 4169 7388 1234 5670 tez"
    ex = extract(text, KEY)
    (card,) = ex.of("card")
    assert card.value == "4169 73** **** 5670"
    assert text[card.span[0] : card.span[1]] == "4169 7388 1234 5670"
    assert card.attrs["hash"] == parse_card(pan, KEY).hash  # joins the same card in reports
    assert pan not in ex.redacted and "7388 1234" not in ex.redacted
    assert len(ex.redacted) == len(text)
    other = extract(text, b"other-key").of("card")[0]
    assert other.attrs["hash"] != card.attrs["hash"]


def test_non_luhn_digits_are_not_cards() -> None:
    assert not extract("sifariş 4169738812345671", KEY).of("card")


def test_iban() -> None:
    value, span_text, attrs = _one("IBAN: AZ21NABZ00000000137010001944 köçürün", "iban")
    assert value == span_text == "AZ21NABZ00000000137010001944"
    assert attrs["country"] == "AZ"
    assert not extract("AZ21NABZ00000000137010001945", KEY).of("iban")


@pytest.mark.parametrize(
    ("text", "raw", "platform"),
    [
        ("yazın wa.me/994501234567 indi", "wa.me/994501234567", "whatsapp"),
        ("kanal: https://t.me/+dGA3mE_zk-EwZThk", "https://t.me/+dGA3mE_zk-EwZThk", "telegram"),
        ("yaz @qazanc_az ətraflı", "@qazanc_az", "any"),
    ],
)
def test_messenger_handles(text: str, raw: str, platform: str) -> None:
    _, span_text, attrs = _one(text, "handle")
    assert span_text == raw
    assert attrs["platform"] == platform


def test_email_is_not_a_handle() -> None:
    assert not extract("yaz ali@mail.ru", KEY).of("handle")


@pytest.mark.parametrize(
    ("text", "value", "raw"),
    [
        ("ödəyin 1.50 AZN indi", "1.50 AZN", "1.50 AZN"),
        ("500 manat müavinət", "500 AZN", "500 manat"),
        ("cəmi 20 man. qalıb", "20 AZN", "20 man."),
        ("qiymət ₼ 35", "35 AZN", "₼ 35"),
        ("£1000 cash prize", "1000 GBP", "£1000"),
        ("перевод 300 руб.", "300 RUB", "300 руб."),
    ],
)
def test_amounts(text: str, value: str, raw: str) -> None:
    got, span_text, _ = _one(text, "amount")
    assert got == value
    assert span_text == raw


# The module (the package exports its extract() function under the same name).
ex = importlib.import_module("qalxan.detect.message.extract")


def _ungated(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    """Every scan of extract(), without the gates that skip scans (digits, "@", dots)."""
    taken: list[tuple[int, int]] = []
    feats = [(c.masked, "card", c.span) for c in ex._cards(text, KEY, taken)]
    out = ex._ibans(text, taken)
    for m in ex._HANDLE_LINK.finditer(text):
        span = ex._trimmed(text, *m.span())
        out.append(ex.Feature("handle", text[span[0] : span[1]], span))
        taken.append(span)
    for regex in (ex._URL, ex._BARE):
        for m in regex.finditer(text):
            span = ex._trimmed(text, *m.span())
            if ex._free(span, taken) and (parsed := ex._url(text[span[0] : span[1]])):
                out.append(ex.Feature("url", parsed[0], span))
                taken.append(span)
    out += ex._handles(text, taken) + ex._amounts(text, taken) + ex._phones(text, taken)
    feats += [(f.value, f.kind, f.span) for f in out]
    return sorted(feats, key=lambda f: f[2])


LINKISH = (
    "aAsSſkKzZ0123456789 @.:/-_+()[] wa.me t.me whatsapp WWW hxxps:// .az .com AZN ₼ 994\t\n\u2003"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=LINKISH, max_size=80))
def test_gated_scans_find_what_every_scan_finds(text: str) -> None:
    got = extract(text, KEY)
    assert [(f.value, f.kind, f.span) for f in got.features] == _ungated(text)


# The patterns as first written, with the lookbehind in front; extract.py moves it behind
# the first character so that the regex engine can skip to where a match may start.
_REFERENCE = {
    "_CARD": r"(?<![\d*])\d(?:[ \-]?\d){12,18}(?![\d*])",
    "_IBAN": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b",
    "_SHORT": r"(?<![\d+*.,])(\d{3,5})(?:-?(?:y?[əaeа]|ya|yə|u|ü|a))?(?![\d.,]\d|\d)",
    "_PHONE": r"(?<![\w+*(])(?:\+|00|\()?\d[\d ().\-]{5,18}\d(?![\d*])",
}
DIGITISH = "0123456789٣ *+.,-_()AZBQxyəaeаüu"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=DIGITISH, max_size=60), st.sampled_from(sorted(_REFERENCE)))
@example(" AZ21NABZ00000000137010001945 1AZ21NABZ00000000137010001945", "_IBAN")
@example("kart 4169 7388 1234 5670 *4169738812345670 1 4169738812345670", "_CARD")
@example("1234-ə .1234 *5678 9012a 123 4567,8", "_SHORT")
@example("00994501234567 (050) 123-45-67 +994 50 123 45 67 a0012345678 *0501234567", "_PHONE")
@example("0012345678901234567 89 x (12345678901234567890 1 +1 234 567 890 123 456 78", "_PHONE")
def test_reordered_lookbehinds_match_as_written(text: str, name: str) -> None:
    ref = re.compile(_REFERENCE[name])
    fast = getattr(ex, name)
    assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
        (m.span(), m.groups()) for m in ref.finditer(text)
    ]


AMOUNTISH = "0123456789 ,.-_xaAZNzmanMAN.ṁ₼$€£руб tl TL lira LİRA ı"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=AMOUNTISH, max_size=50))
@example("cəmi 20 man. 1,234.50 AZN x5 AZN 3.5TL $ 7 £1000, 1.1.1 azn")
def test_amounts_without_a_sign_match_as_the_whole_pattern(text: str) -> None:
    def seen(ms: Iterable[re.Match[str]]) -> list[tuple[tuple[int, int], str]]:
        return [(m.span(), next(g for g in m.groups() if g)) for m in ms]

    assert seen(ex._amount_matches(text)) == seen(ex._AMOUNT.finditer(text))
