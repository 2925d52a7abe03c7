"""Payment card numbers inside messages: Luhn, masking and a keyed hash.

The Luhn check and the keyed hash are :mod:`qalxan.domain.card`'s, so a card found in a
message joins the same card in a report. A clear card number never leaves this module:
callers get the masked form (first six and last four digits, separators kept so spans stay
valid) and the HMAC.
"""

from __future__ import annotations

from dataclasses import dataclass

from qalxan.domain.card import luhn_valid, parse_card

__all__ = ["CardMatch", "card_hash", "luhn_ok", "mask_card_text"]


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` (13 to 19 of them) pass the Luhn check."""
    return digits.isdigit() and 13 <= len(digits) <= 19 and luhn_valid(digits)


def card_hash(digits: str, key: bytes) -> str:
    """Keyed hash of a PAN, the same as :func:`qalxan.domain.card.parse_card` gives."""
    return parse_card(digits, key).hash


def mask_card_text(raw: str) -> str:
    """``raw`` (digits with separators) with all but the first six and last four digits
    replaced by ``*``, separators kept, so the result has the same length."""
    total = sum(ch.isdigit() for ch in raw)
    out: list[str] = []
    seen = 0
    for ch in raw:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= 6 or seen > total - 4 else "*")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class CardMatch:
    """A Luhn-valid card number found in a text: where, masked and hashed."""

    span: tuple[int, int]
    masked: str
    hash: str
    length: int
