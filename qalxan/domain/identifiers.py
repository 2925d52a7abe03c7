"""Account and identity tokens: IBAN, VÖEN, FİN, SMS sender ID, messenger handle, e-mail.

Every parser raises :class:`~qalxan.domain.errors.IdentifierError` with ``field`` and
``reason``. Check digits come from python-stdnum (IBAN mod-97, VÖEN weights); the FİN has no
public check digit, so it is only accepted when the caller saw a context word beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import iban as _iban
from stdnum.az import voen as _voen
from stdnum.exceptions import ValidationError

from qalxan.domain.errors import DomainError, IdentifierError, PhoneError
from qalxan.domain.phone import parse_phone
from qalxan.domain.url import Domain, refang, split_domain
from qalxan.domain.verdict import Indicator

__all__ = [
    "FIN_CONTEXT_WORDS",
    "Email",
    "Fin",
    "Handle",
    "Iban",
    "SenderId",
    "Voen",
    "parse_email",
    "parse_fin",
    "parse_handle",
    "parse_iban",
    "parse_sender_id",
    "parse_voen",
]


# --- IBAN -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Iban:
    """An IBAN in compact form (``AZ21NABZ00000000137010001944``)."""

    value: str

    @property
    def country(self) -> str:
        return self.value[:2]

    @property
    def bank_code(self) -> str:
        """The bank code; for AZ the 4 letters that start the bank's BIC (``NABZ``)."""
        return self.value[4:8]

    @property
    def formatted(self) -> str:
        """Groups of four, as printed: ``AZ21 NABZ 0000 ...``."""
        return " ".join(self.value[i : i + 4] for i in range(0, len(self.value), 4))

    def indicator(self) -> Indicator:
        return Indicator("iban", self.value, {"country": self.country, "bank": self.bank_code})

    def __str__(self) -> str:
        return self.value


def parse_iban(text: str, *, field: str = "iban") -> Iban:
    """Parse an IBAN (spaces allowed; country length and mod-97 checked by python-stdnum)."""
    if not isinstance(text, str) or not text.strip():
        raise IdentifierError("empty", field=field)
    try:
        return Iban(_iban.validate(text))
    except ValidationError as exc:
        raise IdentifierError(f"not a valid IBAN ({exc})", field=field, value=text) from None


# --- VÖEN -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Voen:
    """An Azerbaijani taxpayer number (10 digits, check digit at position 9)."""

    value: str

    @property
    def taxpayer(self) -> str:
        """``legal`` (last digit 1) or ``natural`` person (2)."""
        return "legal" if self.value[-1] == "1" else "natural"

    def indicator(self) -> Indicator:
        return Indicator("voen", self.value, {"taxpayer": self.taxpayer})

    def __str__(self) -> str:
        return self.value


def parse_voen(text: str, *, field: str = "voen") -> Voen:
    """Parse a VÖEN (9-digit input is left-padded with 0, as the tax office does)."""
    if not isinstance(text, str) or not text.strip():
        raise IdentifierError("empty", field=field)
    try:
        return Voen(_voen.validate(text))
    except ValidationError as exc:
        raise IdentifierError(f"not a valid VÖEN ({exc})", field=field, value=text) from None


# --- FİN --------------------------------------------------------------------------------------

# Words that, written near a 7-character token, make it a FİN (lower-case, folded).
FIN_CONTEXT_WORDS: tuple[str, ...] = (
    "fin",
    "fin kod",
    "fin kodu",
    "pin",
    "pin kod",
    "şəxsiyyət vəsiqəsi",
    "sexsiyyet vesiqesi",
    "fərdi identifikasiya",
    "ферди",
    "фин",
)
_FIN = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")


@dataclass(frozen=True, slots=True)
class Fin:
    """A personal identification number (FİN). Personal data: show :attr:`masked`."""

    value: str

    @property
    def masked(self) -> str:
        return self.value[:2] + "*****"

    def indicator(self) -> Indicator:
        return Indicator("fin", self.masked)

    def __repr__(self) -> str:
        return f"Fin({self.masked!r})"

    def __str__(self) -> str:
        return self.masked


def parse_fin(text: str, *, context: bool = False, field: str = "fin") -> Fin:
    """Parse a FİN: 7 characters of ``[0-9A-HJ-NP-Z]`` (no I, no O; case folded).

    Random 7-character tokens collide with FİNs and there is no public check digit, so the
    caller must say it saw a context word (see :data:`FIN_CONTEXT_WORDS`) with
    ``context=True``; without it the token is refused.
    """
    if not isinstance(text, str) or not text.strip():
        raise IdentifierError("empty", field=field)
    value = text.strip().upper()
    if not _FIN.match(value):
        raise IdentifierError(
            "a FİN is 7 letters and digits without I and O", field=field, value=None
        )
    if not context:
        raise IdentifierError(
            "a 7-character token is a FİN only next to a context word (FİN, PİN, ...)",
            field=field,
        )
    return Fin(value)


# --- SMS sender ID ----------------------------------------------------------------------------

_ALNUM_SENDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._&+'-]{0,10}$")


@dataclass(frozen=True, slots=True)
class SenderId:
    """An SMS sender: ``alphanumeric`` (up to 11 characters) or a numeric ``short_code``."""

    value: str
    kind: str

    @property
    def key(self) -> str:
        """Case-folded form for comparisons (operators do not keep the case reliably)."""
        return self.value.casefold()

    def indicator(self) -> Indicator:
        return Indicator("sender_id", self.value, {"sender_kind": self.kind})

    def __str__(self) -> str:
        return self.value


def parse_sender_id(text: str, *, field: str = "sender_id") -> SenderId:
    """Parse an SMS sender ID: ``KapitalBank``, ``Azercell``, or a short code (3-6 digits).

    A longer all-digit sender is a phone number: parse it with ``parse_phone`` instead.
    """
    if not isinstance(text, str):
        raise IdentifierError("expected text", field=field)
    value = text.strip()
    if not value:
        raise IdentifierError("empty", field=field)
    digits = value.lstrip("+")
    if digits.isascii() and digits.isdigit():
        if 3 <= len(value) <= 6 and value.isdigit():
            return SenderId(value, "short_code")
        raise IdentifierError(
            "an all-digit sender is a short code of 3 to 6 digits or a phone number",
            field=field,
            value=value,
        )
    if len(value) > 11:
        raise IdentifierError(
            "an alphanumeric sender ID has at most 11 characters", field=field, value=value
        )
    if not value.isascii() or not _ALNUM_SENDER.match(value):
        raise IdentifierError(
            "a sender ID has Latin letters, digits, spaces and . _ & + ' - only",
            field=field,
            value=value,
        )
    return SenderId(value, "alphanumeric")


# --- messenger handle -------------------------------------------------------------------------

_TG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_TG_INVITE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_TG_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_WA_HOSTS = {"wa.me", "api.whatsapp.com", "whatsapp.com", "chat.whatsapp.com"}
_HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.)?([a-z.]+)/(.*)$", re.I)


@dataclass(frozen=True, slots=True)
class Handle:
    """A messenger account: ``platform`` (telegram, telegram_invite, whatsapp,
    whatsapp_group) and ``value`` (lower-case user name, invite code, or E.164 number)."""

    platform: str
    value: str

    @property
    def url(self) -> str:
        """A link that opens the account."""
        if self.platform == "telegram":
            return f"https://t.me/{self.value}"
        if self.platform == "telegram_invite":
            return f"https://t.me/+{self.value}"
        if self.platform == "whatsapp_group":
            return f"https://chat.whatsapp.com/{self.value}"
        return f"https://wa.me/{self.value.lstrip('+')}"

    def indicator(self) -> Indicator:
        return Indicator("handle", f"{self.platform}:{self.value}", {"platform": self.platform})

    def __str__(self) -> str:
        return f"{self.platform}:{self.value}"


def _telegram(path: str, field: str, text: str) -> Handle:
    first = path.split("?", 1)[0].split("#", 1)[0].strip("/").split("/")
    if first[0] == "joinchat" and len(first) > 1 and _TG_INVITE.match(first[1]):
        return Handle("telegram_invite", first[1])
    if first[0].startswith("+") and _TG_INVITE.match(first[0][1:]):
        return Handle("telegram_invite", first[0][1:])
    if first[0] == "s" and len(first) > 1:
        first = first[1:]
    if _TG_NAME.match(first[0]) and not first[0].endswith("_"):
        return Handle("telegram", first[0].lower())
    raise IdentifierError("not a Telegram user name or invite link", field=field, value=text)


def _whatsapp(host: str, path: str, field: str, text: str) -> Handle:
    if host == "chat.whatsapp.com":
        code = path.split("?", 1)[0].strip("/")
        if _TG_INVITE.match(code):
            return Handle("whatsapp_group", code)
        raise IdentifierError("not a WhatsApp group invite", field=field, value=text)
    number = path.split("?", 1)[0].strip("/")
    if number in ("", "send"):
        found = re.search(r"(?:^|[?&])phone=\+?(\d{6,15})", path)
        number = found.group(1) if found else ""
    if not number.isdigit():
        raise IdentifierError("a wa.me link needs a phone number", field=field, value=text)
    try:
        phone = parse_phone("+" + number, field=field)
    except PhoneError as exc:
        raise IdentifierError(exc.reason, field=field, value=text) from None
    return Handle("whatsapp", phone.e164)


def parse_handle(text: str, *, field: str = "handle") -> Handle:
    """Parse ``t.me/name``, ``telegram.me/name``, ``t.me/+invite``, ``wa.me/994501234567``,
    ``chat.whatsapp.com/CODE`` or ``@name`` (read as a Telegram user name)."""
    if not isinstance(text, str) or not text.strip():
        raise IdentifierError("empty", field=field)
    value = refang(text.strip())
    if value.startswith("@"):
        name = value[1:]
        if _TG_NAME.match(name) and not name.endswith("_"):
            return Handle("telegram", name.lower())
        raise IdentifierError(
            "a user name has 5-32 letters, digits or _ and starts with a letter",
            field=field,
            value=text,
        )
    match = _HANDLE_URL.match(value)
    if match is None:
        raise IdentifierError("not a messenger link or @name", field=field, value=text)
    host, path = match.group(1).lower(), match.group(2)
    if host in _TG_HOSTS:
        return _telegram(path, field, text)
    if host in _WA_HOSTS:
        return _whatsapp(host, path, field, text)
    raise IdentifierError(f"{host} is not a known messenger", field=field, value=text)


# --- e-mail -----------------------------------------------------------------------------------

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address: ``local`` part as written, ``domain`` parsed (punycode)."""

    local: str
    domain: Domain

    @property
    def value(self) -> str:
        return f"{self.local}@{self.domain.host}"

    def indicator(self) -> Indicator:
        return Indicator("email", self.value, {"domain": self.domain.registered})

    def __str__(self) -> str:
        return self.value


def parse_email(text: str, *, field: str = "email") -> Email:
    """Parse ``user@example.az`` (defanged ``user[@]example[.]az`` too; ``mailto:`` dropped)."""
    if not isinstance(text, str) or not text.strip():
        raise IdentifierError("empty", field=field)
    value = refang(text.strip())
    if value.lower().startswith("mailto:"):
        value = value[7:].split("?", 1)[0]
    local, at, host = value.rpartition("@")
    if not at or not local or not host:
        raise IdentifierError("an e-mail address needs local@domain", field=field, value=text)
    if len(local) > 64 or not _LOCAL.match(local):
        raise IdentifierError("the part before @ is not valid", field=field, value=text)
    try:
        domain = split_domain(host, field=field)
    except DomainError as exc:
        raise IdentifierError(exc.reason, field=field, value=text) from None
    if domain.is_ip or "." not in domain.host:
        raise IdentifierError("the part after @ must be a domain name", field=field, value=text)
    return Email(local, domain)
