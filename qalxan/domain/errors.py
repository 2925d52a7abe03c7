"""The one exception tree of Qalxan.

::

    QalxanError                     base of everything Qalxan raises on purpose
    ├── ParseError                  an input could not be parsed (field, value, reason)
    │   ├── UrlError                parse_url
    │   ├── DomainError             parse_domain, split_domain
    │   ├── PhoneError              parse_phone
    │   ├── CardError               parse_card (never carries the clear number)
    │   ├── IdentifierError         IBAN, VÖEN, FİN, sender ID, messenger handle, e-mail, IP:
    │   │                           parse_iban, parse_voen, parse_fin, parse_sender_id,
    │   │                           parse_handle, parse_email, parse_ip
    │   └── FlowDecodeError         a flow datagram or capture that cannot be decoded
    ├── ConfigError                 a setting, registry or data file is wrong
    ├── NotFoundError               a looked-up object does not exist
    ├── ConflictError               a write clashes with what is stored
    ├── AuthError                   missing or invalid credentials (HTTP 401)
    │   └── ScopeError              valid credentials, wrong scope (HTTP 403)
    └── FetchError                  the safe fetcher refused or failed
        └── BlockedAddressError     the target resolves to a forbidden address (SSRF)

Context goes into attributes, never only into the message, so that the API can name the
field and the reason in a 4xx answer.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BlockedAddressError",
    "CardError",
    "ConfigError",
    "ConflictError",
    "DomainError",
    "FetchError",
    "FlowDecodeError",
    "IdentifierError",
    "NotFoundError",
    "ParseError",
    "PhoneError",
    "QalxanError",
    "ScopeError",
    "UrlError",
]


class QalxanError(Exception):
    """Base class of every error Qalxan raises on purpose."""


class ParseError(QalxanError, ValueError):
    """An input value could not be parsed.

    ``field`` names the input (for API answers), ``value`` is a shortened copy of what was
    given (never a clear card number) and ``reason`` says what is wrong.
    """

    def __init__(self, reason: str, *, field: str = "input", value: str | None = None) -> None:
        self.reason = reason
        self.field = field
        self.value = None if value is None else value[:80]
        super().__init__(f"{field}: {reason}")


class UrlError(ParseError):
    """A URL that cannot be parsed or canonicalised."""


class DomainError(ParseError):
    """A domain name that is not valid."""


class PhoneError(ParseError):
    """A phone number that cannot be parsed."""


class CardError(ParseError):
    """A payment card number that is not a Luhn-valid PAN."""


class IdentifierError(ParseError):
    """An IBAN, VÖEN, FİN, sender ID, messenger handle, e-mail or IP that is not valid."""


class FlowDecodeError(ParseError):
    """A flow datagram or capture record that cannot be decoded."""


class ConfigError(QalxanError):
    """A setting, registry entry or data file is wrong."""


class NotFoundError(QalxanError, LookupError):
    """A looked-up object does not exist."""


class ConflictError(QalxanError):
    """A write clashes with what is already stored."""


class AuthError(QalxanError):
    """Missing or invalid credentials."""


class ScopeError(AuthError):
    """Valid credentials without the scope a route needs."""


class FetchError(QalxanError):
    """The safe fetcher refused a target or failed to fetch it."""

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(reason if url is None else f"{reason}: {url[:200]}")


class BlockedAddressError(FetchError):
    """The target resolves to a private, loopback, link-local or otherwise forbidden address."""
