"""Payment card numbers: a Luhn-valid PAN becomes a masked form plus a keyed hash.

The clear number never leaves :func:`parse_card`: a :class:`Card` keeps only the masked PAN
(first 6 + last 4, ``416973******1234``) and an HMAC-SHA256 of the digits under a key from the
settings, so two reports of the same card can be joined without storing the number.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from qalxan.domain.errors import CardError
from qalxan.domain.verdict import Indicator

__all__ = ["Card", "luhn_valid", "parse_card"]

_SEPARATORS = re.compile(r"[\s\-]")
MIN_PAN, MAX_PAN = 12, 19


def luhn_valid(digits: str) -> bool:
    """True when the string of digits passes the Luhn (mod 10) check."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class Card:
    """A payment card, without its number: ``masked`` PAN and keyed ``hash`` (hex)."""

    masked: str
    hash: str

    @property
    def bin(self) -> str:
        """The first six digits (issuer identification), safe to show."""
        return self.masked[:6]

    @property
    def last4(self) -> str:
        return self.masked[-4:]

    def indicator(self) -> Indicator:
        """The card as an indicator: masked value, keyed hash in ``attrs["hash"]``."""
        return Indicator("card", self.masked, {"hash": self.hash})

    def __str__(self) -> str:
        return self.masked


def parse_card(text: str, key: bytes, *, field: str = "card") -> Card:
    """Parse a PAN (12-19 digits, spaces and dashes allowed, Luhn-valid); raise CardError.

    The error never carries the clear number: at most its length is reported.
    """
    if not isinstance(text, str):
        raise CardError("expected text", field=field)
    if not key:
        raise CardError("no hashing key configured", field=field)
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise CardError("empty", field=field)
    if not (digits.isascii() and digits.isdigit()):
        raise CardError("a card number has only digits, spaces and dashes", field=field)
    if not MIN_PAN <= len(digits) <= MAX_PAN:
        raise CardError(
            f"{len(digits)} digits; a card number has {MIN_PAN} to {MAX_PAN}", field=field
        )
    if not luhn_valid(digits):
        raise CardError("fails the Luhn check", field=field)
    masked = digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    digest = hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()
    return Card(masked, digest)
