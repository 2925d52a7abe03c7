"""Card numbers: Luhn, masking, keyed hash; the clear PAN never survives the parser."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalxan.domain import Card, CardError, luhn_valid, parse_card

KEY = b"test-key"


def _luhn_complete(body: str) -> str:
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("no check digit")


pans = st.integers(11, 18).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n).map(_luhn_complete)
)


def test_known_test_pan() -> None:
    pan = _luhn_complete("416973123456123")
    card = parse_card(pan, KEY)
    assert card.masked == "416973******" + pan[-4:]
    assert card.bin == "416973" and card.last4 == pan[-4:]
    assert card.hash == hmac.new(KEY, pan.encode(), hashlib.sha256).hexdigest()


def test_known_luhn_values() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("41x1")


@settings(deadline=None)
@given(pans, st.sampled_from([" ", "-", ""]))
def test_separators_do_not_matter(pan: str, sep: str) -> None:
    grouped = sep.join(pan[i : i + 4] for i in range(0, len(pan), 4))
    assert parse_card(grouped, KEY) == parse_card(pan, KEY)


@settings(deadline=None)
@given(pans)
def test_clear_pan_is_never_kept(pan: str) -> None:
    card = parse_card(pan, KEY)
    assert pan not in repr(card) and pan not in str(card)
    assert not hasattr(card, "__dict__")  # slots: no stray attribute can hold the PAN
    for name in Card.__slots__:
        assert pan not in str(getattr(card, name))
    ind = card.indicator().to_dict()
    assert ind == {"kind": "card", "value": card.masked, "hash": card.hash}
    assert pan not in str(ind)
    assert len(card.masked) == len(pan) and card.masked.count("*") == len(pan) - 10


@settings(deadline=None)
@given(pans)
def test_hash_depends_on_key(pan: str) -> None:
    assert parse_card(pan, b"a").hash != parse_card(pan, b"b").hash


@settings(deadline=None)
@given(pans, st.integers(0, 17), st.integers(1, 9))
def test_one_changed_digit_fails_luhn(pan: str, pos: int, delta: int) -> None:
    pos %= len(pan)
    changed = pan[:pos] + str((int(pan[pos]) + delta) % 10) + pan[pos + 1 :]
    with pytest.raises(CardError) as info:
        parse_card(changed, KEY)
    assert info.value.reason == "fails the Luhn check"
    assert changed not in str(info.value) and info.value.value is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("4111 1111 1111 111x", "a card number has only digits, spaces and dashes"),
        ("42", "2 digits; a card number has 12 to 19"),
        ("4" * 20, "20 digits; a card number has 12 to 19"),
        ("١٢٣٤٥٦٧٨٩٠١٢", "a card number has only digits, spaces and dashes"),
    ],
)
def test_bad_cards_name_the_reason(text: str, reason: str) -> None:
    with pytest.raises(CardError) as info:
        parse_card(text, KEY)
    assert info.value.reason == reason and info.value.field == "card"


def test_empty_key_is_refused() -> None:
    with pytest.raises(CardError, match="key"):
        parse_card("4111111111111111", b"")


@settings(deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_raises_only_card_error(text: str) -> None:
    try:
        parse_card(text, KEY)
    except CardError as exc:
        assert exc.value is None
