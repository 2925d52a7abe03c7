"""IP addresses: strict parsing, and the lenient literal forms browsers and resolvers accept.

``parse_ip`` accepts the standard dotted-quad and IPv6 text (defanged too). The fetcher's
SSRF guard needs more: ``http://2130706433/``, ``http://0x7f.1/`` and ``http://0177.0.0.1/``
all reach 127.0.0.1, and ``[::ffff:127.0.0.1]`` is IPv4 behind an IPv6 face.
:func:`normalize_ip_literal` applies the WHATWG URL host rules (decimal, octal, hex and
shortened IPv4; IPv4-mapped IPv6 unmapped) and answers ``None`` when the text is a name.
"""

from __future__ import annotations

import ipaddress
import re

from qalxan.domain.errors import IdentifierError

__all__ = ["IpAddress", "normalize_ip_literal", "parse_ip"]

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DEFANG = re.compile(r"\[\s*\.\s*\]|\(\s*\.\s*\)|\[\s*dot\s*\]|\(\s*dot\s*\)", re.I)
_NUMBER = re.compile(r"^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")


def parse_ip(text: str, *, field: str = "ip") -> IpAddress:
    """Parse a standard IPv4 or IPv6 address (``1.2.3.4``, ``[::1]``, ``1[.]2[.]3[.]4``)."""
    if not isinstance(text, str):
        raise IdentifierError("expected text", field=field)
    cleaned = _DEFANG.sub(".", text.strip())
    if cleaned.startswith("[") and cleaned.endswith("]"):
        cleaned = cleaned[1:-1]
    if not cleaned:
        raise IdentifierError("empty", field=field, value=text)
    try:
        return ipaddress.ip_address(cleaned)
    except ValueError:
        raise IdentifierError("not an IPv4 or IPv6 address", field=field, value=text) from None


def _ipv4_number(part: str) -> int | None:
    if not part or not _NUMBER.match(part):
        return None
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part[0] == "0":
        return int(part[1:], 8)
    return int(part)


def _lenient_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for i, n in enumerate(values[:-1]):
        address += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(address)


def normalize_ip_literal(text: str) -> IpAddress | None:
    """The address a URL host such as ``0x7f.1`` or ``[::ffff:7f00:1]`` really names.

    Decimal (``2130706433``), octal (``0177.0.0.1``), hex (``0x7f000001``) and shortened
    (``127.1``) IPv4 forms are read as browsers read them; IPv4-mapped IPv6 gives the IPv4
    address; a trailing dot is ignored. Returns ``None`` for anything that is not an IP
    literal (a host name), so callers resolve names and check the addresses themselves.
    """
    host = text.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not host.isascii():
        return None
    if ":" in host:
        try:
            v6 = ipaddress.IPv6Address(host)
        except ValueError:
            return None
        return v6.ipv4_mapped or v6
    last = host.rstrip(".").rpartition(".")[2]
    if not last or not _NUMBER.match(last):
        return None
    return _lenient_ipv4(host)
