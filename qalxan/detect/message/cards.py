"""Payment card numbers inside messages: Luhn, masking and a keyed hash.

Kept small on purpose: when ``qalxan.domain`` offers ``parse_card(text, key)`` this module
shrinks to a call to it. A clear card number never leaves this module: callers get the masked
form (first six and last four digits, separators kept so spans stay valid) and an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

__all__ = ["CardMatch", "card_hash", "luhn_ok", "mask_card_text"]


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` (13 to 19 of them) pass the Luhn check."""
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_hash(digits: str, key: bytes) -> str:
    """Keyed hash of a PAN (HMAC-SHA256, hex, 32 characters): joins without revealing it."""
    return hmac.new(key, b"card:" + digits.encode("ascii"), hashlib.sha256).hexdigest()[:32]


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
