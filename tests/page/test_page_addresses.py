"""IP literals in every spelling, and which addresses the fetcher refuses."""

from __future__ import annotations

import ipaddress

import pytest

from qalxan.fetch import forbidden_reason, parse_ip_literal


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.1", "127.0.0.1"),
        ("012.0.0.1", "10.0.0.1"),
        ("167772161", "10.0.0.1"),
        ("2852039166", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("127.0.0.1.", "127.0.0.1"),
    ],
)
def test_literals_are_read_like_inet_aton(text: str, address: str) -> None:
    assert parse_ip_literal(text) == ipaddress.ip_address(address)


@pytest.mark.parametrize("text", ["example.com", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", ""])
def test_names_and_invalid_forms_are_not_literals(text: str) -> None:
    assert parse_ip_literal(text) is None


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade"),
        ("100.100.100.200", "metadata"),
        ("168.63.129.16", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("fc00::1", "private"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", ""),
        ("255.255.255.255", ""),
        ("192.0.2.1", ""),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
    ],
)
def test_forbidden_addresses(address: str, why: str) -> None:
    reason = forbidden_reason(ipaddress.ip_address(address))
    assert reason is not None
    assert why in reason


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111"])
def test_global_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def test_loopback_only_when_allowed() -> None:
    lo = ipaddress.ip_address("127.0.0.1")
    assert forbidden_reason(lo, allow_loopback=True) is None
    assert forbidden_reason(ipaddress.ip_address("::ffff:127.0.0.1"), allow_loopback=True) is None
    # Allowing loopback never opens private or metadata ranges.
    assert forbidden_reason(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert forbidden_reason(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)
