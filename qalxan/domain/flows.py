"""Flow records: the one batch format every collector produces and the DDoS detector reads.

A batch is a NumPy structured array of :data:`FLOW_DTYPE`. Addresses are 16 bytes, IPv4 kept
as IPv4-mapped IPv6 (``::ffff:a.b.c.d``), so one column holds both families. Counts are as
exported; ``sampling`` is the 1-in-N rate to multiply them by (1 when unsampled).
"""

from __future__ import annotations

import ipaddress

import numpy as np

__all__ = [
    "FLOW_DTYPE",
    "PROTO_ICMP",
    "PROTO_TCP",
    "PROTO_UDP",
    "addr_bytes",
    "addr_text",
    "empty_flows",
]

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17

FLOW_DTYPE = np.dtype(
    [
        ("start", "f8"),  # epoch seconds of the first packet
        ("end", "f8"),  # epoch seconds of the last packet
        ("src", "S16"),  # source address, 16 bytes (IPv4-mapped for IPv4)
        ("dst", "S16"),  # destination address
        ("sport", "u2"),
        ("dport", "u2"),
        ("proto", "u1"),
        ("tcp_flags", "u1"),  # OR of TCP flags seen (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32)
        ("frag", "u1"),  # 1 when the packets are IP fragments (non-first)
        ("packets", "u8"),
        ("bytes", "u8"),
        ("sampling", "u4"),  # 1-in-N sampling rate; counts times this estimate the truth
        ("exporter", "u4"),  # IPv4 of the exporter as an integer (0 for files)
    ]
)

_V4_PREFIX = b"\x00" * 10 + b"\xff\xff"


def empty_flows(n: int = 0) -> np.ndarray:
    """A zeroed batch of ``n`` records."""
    return np.zeros(n, dtype=FLOW_DTYPE)


def addr_bytes(text: str) -> bytes:
    """``'203.0.113.5'`` -> 16 bytes (IPv4-mapped); IPv6 as is."""
    ip = ipaddress.ip_address(text)
    if ip.version == 4:
        return _V4_PREFIX + ip.packed
    return ip.packed


def addr_text(raw: bytes) -> str:
    """16 bytes (NumPy may strip trailing zeros) -> the address as text."""
    raw = raw.ljust(16, b"\x00")
    if raw[:12] == _V4_PREFIX:
        return str(ipaddress.IPv4Address(raw[12:]))
    return str(ipaddress.IPv6Address(raw))
