"""The shared vocabulary: indicators, verdicts, reasons, brands, errors. Pure; no I/O.

Imports nothing else of qalxan (a test enforces it). Each parser raises one documented
subclass of :class:`ParseError` (``UrlError``, ``DomainError``, ``PhoneError``, ``CardError``,
``IdentifierError``) carrying ``field`` and ``reason``.
"""

from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.card import Card, luhn_valid, parse_card
from qalxan.domain.errors import (
    CardError,
    DomainError,
    IdentifierError,
    ParseError,
    PhoneError,
    QalxanError,
    UrlError,
)
from qalxan.domain.identifiers import (
    FIN_CONTEXT_WORDS,
    Email,
    Fin,
    Handle,
    Iban,
    SenderId,
    Voen,
    parse_email,
    parse_fin,
    parse_handle,
    parse_iban,
    parse_sender_id,
    parse_voen,
)
from qalxan.domain.ip import IpAddress, normalize_ip_literal, parse_ip
from qalxan.domain.phone import Phone, parse_phone
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.url import Domain, Url, parse_domain, parse_url, refang
from qalxan.domain.verdict import Indicator, Reason, Thresholds, Verdict

__all__ = [
    "FIN_CONTEXT_WORDS",
    "Brand",
    "BrandRegistry",
    "Card",
    "CardError",
    "Domain",
    "DomainError",
    "Email",
    "Fin",
    "Handle",
    "Iban",
    "IdentifierError",
    "Indicator",
    "IpAddress",
    "ParseError",
    "Phone",
    "PhoneError",
    "QalxanError",
    "Reason",
    "ReasonCatalog",
    "SenderId",
    "Thresholds",
    "Url",
    "UrlError",
    "Verdict",
    "Voen",
    "luhn_valid",
    "normalize_ip_literal",
    "parse_card",
    "parse_domain",
    "parse_email",
    "parse_fin",
    "parse_handle",
    "parse_iban",
    "parse_ip",
    "parse_phone",
    "parse_sender_id",
    "parse_url",
    "parse_voen",
    "refang",
]
