"""Phone numbers: E.164 through ``phonenumbers``, Azerbaijani national forms, short codes.

The operator looked up from the prefix is only a hint: Azerbaijan has number portability.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, carrier

from qalxan.domain.errors import PhoneError

__all__ = ["Phone", "parse_phone"]

_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium",
    PhoneNumberType.VOIP: "voip",
}
_JUNK = re.compile(r"[\s().\-/]")


@dataclass(frozen=True, slots=True)
class Phone:
    """A parsed number. ``e164`` is ``+994501234567`` or, for short codes, the bare digits."""

    e164: str
    kind: str
    country: str | None
    operator_hint: str | None = None

    @property
    def is_short_code(self) -> bool:
        return self.kind == "short_code"

    @property
    def is_foreign(self) -> bool:
        return self.country not in (None, "AZ")

    def __str__(self) -> str:
        return self.e164


def parse_phone(text: str, *, region: str = "AZ", field: str = "phone") -> Phone:
    """Parse ``0XX XXX XX XX``, ``+994 ...``, ``994...``, foreign E.164 or a short code."""
    raw = _JUNK.sub("", text or "")
    if not raw:
        raise PhoneError("empty", field=field, value=text)
    if raw.isdigit() and 3 <= len(raw) <= 5:
        return Phone(raw, "short_code", region)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif raw.startswith("994") and len(raw) == 12:
        raw = "+" + raw
    if not re.fullmatch(r"\+?\d{6,15}", raw):
        raise PhoneError("not a phone number", field=field, value=text)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"cannot parse ({exc})", field=field, value=text) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid number for its country", field=field, value=text)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    kind = _TYPES.get(phonenumbers.number_type(number), "other")
    country = phonenumbers.region_code_for_number(number)
    hint = carrier.name_for_number(number, "en") or None
    return Phone(e164, kind, country, hint)
