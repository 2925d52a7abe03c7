"""Packet captures (pcap and pcapng) as flow batches: one record per packet.

Each packet becomes a record with ``packets=1``, ``bytes`` = the IP length (header included,
as NetFlow counts), the TCP flags, and ``frag=1`` for non-first IP fragments. Ethernet (with
up to two VLAN tags), Linux cooked capture (SLL and SLL2), raw IP and BSD loopback link
types are understood; IPv4 and IPv6 (with one fragment header) are decoded.

The reader walks the file's record headers once in Python, then decodes the headers of a
whole batch of packets at once with NumPy gathers, so it runs at millions of packets per
second rather than the ~140k/s of a per-packet parser.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from qalxan.domain.errors import FlowDecodeError
from qalxan.domain.flows import empty_flows

__all__ = ["LINKTYPES", "read_pcap"]

# link type -> (name, fixed header length or -1 when the ethertype must be read)
LINKTYPES: dict[int, str] = {
    0: "null",
    1: "ethernet",
    12: "raw",
    101: "raw",
    108: "loop",
    113: "linux_sll",
    228: "raw4",
    229: "raw6",
    276: "linux_sll2",
}

_PAD = 128  # zero bytes after the data so that gathers past a short packet stay in bounds
_V4_PREFIX = np.frombuffer(b"\x00" * 10 + b"\xff\xff", dtype=np.uint8)


def read_pcap(path: str | Path, *, batch_size: int = 262_144) -> Iterator[np.ndarray]:
    """Yield batches of :data:`~qalxan.domain.flows.FLOW_DTYPE`, one record per IP packet.

    Non-IP packets (ARP, LLDP...) are skipped. Raises
    :class:`~qalxan.domain.errors.FlowDecodeError` when the file is not a capture.
    """
    data = Path(path).read_bytes()
    if len(data) < 24:
        raise FlowDecodeError("file too short for a capture", field=str(path))
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        packets = _walk_pcapng(data, str(path))
    elif magic in (
        b"\xd4\xc3\xb2\xa1",
        b"\xa1\xb2\xc3\xd4",
        b"\x4d\x3c\xb2\xa1",
        b"\xa1\xb2\x3c\x4d",
    ):
        packets = _walk_pcap(data, str(path))
    else:
        raise FlowDecodeError("not a pcap or pcapng file", field=str(path), value=magic.hex())
    buf = np.frombuffer(data + b"\x00" * _PAD, dtype=np.uint8)
    for linktype, ts, offs, caplen in packets.batches(batch_size):
        out = _decode(buf, linktype, ts, offs, caplen)
        if len(out):
            yield out


class _Index:
    """Where every packet lies in the file: time, offset, captured length, link type."""

    def __init__(self) -> None:
        self.ts: list[float] = []
        self.offs: list[int] = []
        self.caplen: list[int] = []
        self.link: list[int] = []

    def add(self, ts: float, off: int, caplen: int, link: int) -> None:
        self.ts.append(ts)
        self.offs.append(off)
        self.caplen.append(caplen)
        self.link.append(link)

    def batches(self, size: int) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        ts = np.asarray(self.ts, dtype=np.float64)
        offs = np.asarray(self.offs, dtype=np.int64)
        caplen = np.asarray(self.caplen, dtype=np.int64)
        link = np.asarray(self.link, dtype=np.int64)
        for lo in range(0, len(ts), size):
            hi = min(lo + size, len(ts))
            sl = slice(lo, hi)
            for lt in np.unique(link[sl]):
                m = link[sl] == lt
                yield int(lt), ts[sl][m], offs[sl][m], caplen[sl][m]


def _walk_pcap(data: bytes, name: str) -> _Index:
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack_from(endian + "I", data, 20)[0] & 0x0FFFFFFF
    _check_link(linktype, name)
    scale = 1e-9 if nano else 1e-6
    rec = struct.Struct(endian + "IIII")
    index = _Index()
    pos, end = 24, len(data)
    unpack = rec.unpack_from
    add_ts, add_off, add_len = index.ts.append, index.offs.append, index.caplen.append
    while pos + 16 <= end:
        sec, frac, incl, _orig = unpack(data, pos)
        pos += 16
        if pos + incl > end:
            break  # a truncated last record
        add_ts(sec + frac * scale)
        add_off(pos)
        add_len(incl)
        pos += incl
    index.link = [linktype] * len(index.ts)
    return index


def _walk_pcapng(data: bytes, name: str) -> _Index:
    index = _Index()
    pos, end = 0, len(data)
    endian = "<"
    links: list[tuple[int, float]] = []  # per interface: link type, seconds per tick
    while pos + 12 <= end:
        if data[pos : pos + 4] == b"\x0a\x0d\x0d\x0a":
            bom = data[pos + 8 : pos + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        btype, blen = struct.unpack_from(endian + "II", data, pos)
        if blen < 12 or pos + blen > end:
            break
        if btype == 1:  # interface description
            lt = struct.unpack_from(endian + "H", data, pos + 8)[0]
            links.append((lt, _if_tsresol(data, pos, blen, endian)))
        elif btype == 6:  # enhanced packet
            ifid, hi, lo, incl = struct.unpack_from(endian + "IIII", data, pos + 8)
            if ifid < len(links):
                lt, tick = links[ifid]
                index.add(((hi << 32) | lo) * tick, pos + 28, incl, lt)
        elif btype == 3 and links:  # simple packet
            (orig,) = struct.unpack_from(endian + "I", data, pos + 8)
            index.add(0.0, pos + 12, min(orig, blen - 16), links[0][0])
        pos += blen
    for lt in set(index.link):
        _check_link(lt, name)
    return index


def _if_tsresol(data: bytes, pos: int, blen: int, endian: str) -> float:
    """Seconds per timestamp tick of an interface (option if_tsresol, default microseconds)."""
    opt, stop = pos + 16, pos + blen - 4
    while opt + 4 <= stop:
        code, length = struct.unpack_from(endian + "HH", data, opt)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = data[opt + 4]
            return float(2.0 ** -(v & 0x7F)) if v & 0x80 else float(10.0**-v)
        opt += 4 + ((length + 3) & ~3)
    return 1e-6


def _check_link(linktype: int, name: str) -> None:
    if linktype not in LINKTYPES:
        raise FlowDecodeError(f"unsupported link type {linktype}", field=name)


def _u16(buf: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out: np.ndarray = (buf[idx].astype(np.uint16) << 8) | buf[idx + 1]
    return out


def _l3_offsets(buf: np.ndarray, linktype: int, offs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offset of the IP header and its version (4, 6, or 0 when not IP)."""
    name = LINKTYPES[linktype]
    if name == "ethernet":
        etype_at = offs + 12
        for _ in range(2):  # 802.1Q / 802.1ad tags
            et = _u16(buf, etype_at)
            tagged = (et == 0x8100) | (et == 0x88A8) | (et == 0x9100)
            etype_at = np.where(tagged, etype_at + 4, etype_at)
        et = _u16(buf, etype_at)
        l3 = etype_at + 2
        version = np.where(et == 0x0800, 4, np.where(et == 0x86DD, 6, 0))
    elif name == "linux_sll":
        et = _u16(buf, offs + 14)
        l3 = offs + 16
        version = np.where(et == 0x0800, 4, np.where(et == 0x86DD, 6, 0))
    elif name == "linux_sll2":
        et = _u16(buf, offs)
        l3 = offs + 20
        version = np.where(et == 0x0800, 4, np.where(et == 0x86DD, 6, 0))
    elif name in ("null", "loop"):
        l3 = offs + 4
        version = buf[l3] >> 4
    else:  # raw, raw4, raw6
        l3 = offs
        version = buf[l3] >> 4
    version = np.where(np.isin(version, (4, 6)), version, 0)
    return l3.astype(np.int64), version.astype(np.int64)


def _decode(
    buf: np.ndarray, linktype: int, ts: np.ndarray, offs: np.ndarray, caplen: np.ndarray
) -> np.ndarray:
    l3, version = _l3_offsets(buf, linktype, offs)
    # only packets whose captured bytes hold the whole IP header
    room = offs + caplen - l3
    v4 = (version == 4) & (room >= 20)
    v6 = (version == 6) & (room >= 40)
    keep = v4 | v6
    l3, v4, ts, room = l3[keep], v4[keep], ts[keep], room[keep]
    n = len(l3)
    out = empty_flows(n)
    if n == 0:
        return out
    out["start"] = ts
    out["end"] = ts
    out["packets"] = 1
    out["sampling"] = 1

    addr = np.zeros((n, 2, 16), dtype=np.uint8)
    cols = np.arange(16)
    # IPv4
    ihl = (buf[l3] & 0x0F).astype(np.int64) * 4
    frag_field = _u16(buf, l3 + 6)
    v4_len = _u16(buf, l3 + 2).astype(np.uint64)
    v4_proto = buf[l3 + 9]
    v4_nonfirst = (frag_field & 0x1FFF) != 0
    addr[:, 0, :12] = _V4_PREFIX
    addr[:, 1, :12] = _V4_PREFIX
    addr[:, 0, 12:] = buf[(l3 + 12)[:, None] + cols[:4]]
    addr[:, 1, 12:] = buf[(l3 + 16)[:, None] + cols[:4]]
    # IPv6 (one fragment header right after the fixed header is followed)
    nh = buf[l3 + 6]
    v6_len = _u16(buf, l3 + 4).astype(np.uint64) + 40
    has_fh = nh == 44
    v6_proto = np.where(has_fh, buf[l3 + 40], nh)
    v6_nonfirst = has_fh & ((_u16(buf, l3 + 42) & 0xFFF8) != 0)
    v6_l4 = np.where(has_fh, l3 + 48, l3 + 40)
    is6 = ~v4
    if is6.any():
        addr[is6, 0, :] = buf[(l3[is6] + 8)[:, None] + cols]
        addr[is6, 1, :] = buf[(l3[is6] + 24)[:, None] + cols]

    proto = np.where(v4, v4_proto, v6_proto).astype(np.uint8)
    nonfirst = np.where(v4, v4_nonfirst, v6_nonfirst)
    l4 = np.where(v4, l3 + ihl, v6_l4)
    out["bytes"] = np.where(v4, v4_len, v6_len)
    out["proto"] = proto
    out["frag"] = nonfirst.astype(np.uint8)
    out["src"] = addr[:, 0, :].copy().view("S16").ravel()
    out["dst"] = addr[:, 1, :].copy().view("S16").ravel()

    l4_room = room - (l4 - l3)
    ported = ~nonfirst & np.isin(proto, (6, 17, 132)) & (l4_room >= 4)
    sport = np.where(ported, _u16(buf, l4), 0)
    dport = np.where(ported, _u16(buf, l4 + 2), 0)
    icmp = ~nonfirst & np.isin(proto, (1, 58)) & (l4_room >= 2)
    # ICMP type and code go in dport as NetFlow v5 exporters put them (type * 256 + code)
    dport = np.where(icmp, _u16(buf, l4), dport)
    out["sport"] = sport
    out["dport"] = dport
    tcp = ~nonfirst & (proto == 6) & (l4_room >= 14)
    out["tcp_flags"] = np.where(tcp, buf[l4 + 13] & 0x3F, 0)
    return out
