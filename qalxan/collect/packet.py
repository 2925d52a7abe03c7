"""Sampled packet headers (as sFlow carries them) -> the fields of one flow record.

Handles Ethernet with 802.1Q / QinQ tags and MPLS label stacks, IPv4 (with fragments) and
IPv6 (with extension headers and the fragment header), and TCP / UDP ports and TCP flags.
ICMP type and code go into the destination port (``type << 8 | code``), as NetFlow v5 does.
Tunnels (GRE, VXLAN) are reported by their outer header: that is what crossed the link.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

__all__ = ["HEADER_ETHERNET", "HEADER_IPV4", "HEADER_IPV6", "Packet", "parse_header"]

HEADER_ETHERNET = 1
HEADER_IPV4 = 11
HEADER_IPV6 = 12

_V4_PREFIX = b"\x00" * 10 + b"\xff\xff"
_VLAN_TYPES = (0x8100, 0x88A8, 0x9100)
_MPLS_TYPES = (0x8847, 0x8848)
_V6_EXTENSIONS = (0, 43, 60)
_PORTS = struct.Struct("!HH")


class Packet(NamedTuple):
    """What one sampled packet header says."""

    src: bytes  # 16 bytes, IPv4-mapped for IPv4
    dst: bytes
    sport: int
    dport: int
    proto: int
    tcp_flags: int
    frag: int  # 1 for a non-first fragment
    length: int  # IP length (header + payload)


def parse_header(protocol: int, data: bytes) -> Packet | None:
    """Decode a sampled header of sFlow ``header_protocol``; ``None`` when it is not IP."""
    try:
        if protocol == HEADER_ETHERNET:
            return _ethernet(data)
        if protocol == HEADER_IPV4:
            return _ipv4(data, 0)
        if protocol == HEADER_IPV6:
            return _ipv6(data, 0)
    except (struct.error, IndexError):
        return None
    return None


def _ethernet(data: bytes) -> Packet | None:
    pos = 12
    ethertype = (data[pos] << 8) | data[pos + 1]
    pos += 2
    while ethertype in _VLAN_TYPES:
        ethertype = (data[pos + 2] << 8) | data[pos + 3]
        pos += 4
    if ethertype in _MPLS_TYPES:
        while not data[pos + 2] & 0x01:  # bottom-of-stack bit
            pos += 4
        pos += 4
        nibble = data[pos] >> 4
        if nibble == 0:  # pseudowire control word, then the carried Ethernet frame
            return _ethernet(data[pos + 4 :])
        ethertype = {4: 0x0800, 6: 0x86DD}.get(nibble, 0)
    if ethertype == 0x0800:
        return _ipv4(data, pos)
    if ethertype == 0x86DD:
        return _ipv6(data, pos)
    return None


def _ipv4(data: bytes, pos: int) -> Packet | None:
    if data[pos] >> 4 != 4:
        return None
    ihl = (data[pos] & 0x0F) * 4
    length = (data[pos + 2] << 8) | data[pos + 3]
    frag_field = (data[pos + 6] << 8) | data[pos + 7]
    proto = data[pos + 9]
    src = _V4_PREFIX + data[pos + 12 : pos + 16]
    dst = _V4_PREFIX + data[pos + 16 : pos + 20]
    if len(dst) != 16:
        return None
    if frag_field & 0x1FFF:  # a non-first fragment carries no transport header
        return Packet(src, dst, 0, 0, proto, 0, 1, length)
    sport, dport, flags = _transport(data, pos + ihl, proto)
    return Packet(src, dst, sport, dport, proto, flags, 0, length)


def _ipv6(data: bytes, pos: int) -> Packet | None:
    if data[pos] >> 4 != 6:
        return None
    length = ((data[pos + 4] << 8) | data[pos + 5]) + 40
    proto = data[pos + 6]
    src = data[pos + 8 : pos + 24]
    dst = data[pos + 24 : pos + 40]
    if len(dst) != 16:
        return None
    pos += 40
    frag = 0
    for _ in range(8):
        if proto in _V6_EXTENSIONS:
            proto, pos = data[pos], pos + 8 + data[pos + 1] * 8
        elif proto == 44:  # fragment header
            offset = ((data[pos + 2] << 8) | data[pos + 3]) >> 3
            proto, pos = data[pos], pos + 8
            if offset:
                return Packet(src, dst, 0, 0, proto, 0, 1, length)
            frag = 0
        else:
            break
    sport, dport, flags = _transport(data, pos, proto)
    return Packet(src, dst, sport, dport, proto, flags, frag, length)


def _transport(data: bytes, pos: int, proto: int) -> tuple[int, int, int]:
    if len(data) < pos + 4:
        return 0, 0, 0
    if proto in (6, 17, 132):  # TCP, UDP, SCTP
        sport, dport = _PORTS.unpack_from(data, pos)
        flags = data[pos + 13] if proto == 6 and len(data) > pos + 13 else 0
        return sport, dport, flags
    if proto in (1, 58):  # ICMP, ICMPv6
        return 0, (data[pos] << 8) | data[pos + 1], 0
    return 0, 0, 0
