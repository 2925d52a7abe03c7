"""IP parsing and the lenient literal forms the fetcher must see through."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalxan.domain import IdentifierError, normalize_ip_literal, parse_ip, parse_url

v4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)
v6 = st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address)


@settings(deadline=None)
@given(st.one_of(v4, v6))
def test_parse_ip_roundtrip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert parse_ip(str(ip)) == ip
    assert parse_ip(f"[{ip}]") == ip
    if ip.version == 4:
        assert parse_ip(str(ip).replace(".", "[.]")) == ip


@pytest.mark.parametrize("text", ["", "1.2.3", "256.1.1.1", "example.az", "0x7f.1", "::g"])
def test_parse_ip_is_strict(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_ip(text)


@settings(deadline=None)
@given(v4)
def test_lenient_forms_reach_the_same_address(ip: ipaddress.IPv4Address) -> None:
    a, b, c, d = ip.packed
    n = int(ip)
    forms = [
        str(ip),
        str(n),
        hex(n),
        f"0x{a:x}.0x{b:x}.0x{c:x}.0x{d:x}",
        f"0{a:o}.0{b:o}.0{c:o}.0{d:o}",
        f"{a}.{b}.{c * 256 + d}",
        f"{a}.{b * 65536 + c * 256 + d}",
        f"{ip}.",
        f"[::ffff:{ip}]",
        f"::ffff:{a * 256 + b:x}:{c * 256 + d:x}",
    ]
    for form in forms:
        assert normalize_ip_literal(form) == ip, form
    assert parse_url(f"http://{hex(n)}/x").host == str(ip)


@settings(deadline=None)
@given(v6.filter(lambda ip: ip.ipv4_mapped is None))
def test_plain_ipv6_stays(ip: ipaddress.IPv6Address) -> None:
    assert normalize_ip_literal(f"[{ip}]") == ip


@pytest.mark.parametrize(
    "text",
    ["example.az", "1.2.3.4.5", "256.256.256.256.", "0x1g", "4294967296", "1.2.3.256", "", "az.1a"],
)
def test_not_ip_literals(text: str) -> None:
    assert normalize_ip_literal(text) is None


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=40))
def test_normalize_never_raises(text: str) -> None:
    result = normalize_ip_literal(text)
    assert result is None or isinstance(result, ipaddress.IPv4Address | ipaddress.IPv6Address)
