"""sFlow v5 datagrams -> flow batches (one record per flow sample).

Flow samples (format 1) and expanded flow samples (format 3) are read; counter samples and
unknown formats are skipped by their length. From a sample's records the raw packet header
(record 1, decoded by :mod:`qalxan.collect.packet`) is preferred, then sampled IPv4 (3) or
IPv6 (4). Each sample becomes one flow of one packet with ``sampling`` set to the sample's
rate; ``bytes`` is the IP length (NetFlow's unit), or the frame length less stripped bytes
when the header is not IP. sFlow carries no per-sample time: ``start`` and ``end`` are the
time the datagram was received. ``exporter`` is the agent address when it is IPv4.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable

import numpy as np

from qalxan.collect._arrays import exporter_int
from qalxan.collect.packet import Packet, parse_header
from qalxan.collect.stats import CollectorStats, ExporterStats
from qalxan.domain.flows import FLOW_DTYPE, empty_flows

__all__ = ["SflowDecoder"]

U32 = struct.Struct("!I")
TWO = struct.Struct("!II")
FLOW_SAMPLE = struct.Struct("!8I")  # seq, source, rate, pool, drops, input, output, records
EXPANDED_SAMPLE = struct.Struct("!11I")  # seq, type, index, rate, pool, drops, in x2, out x2, n
RAW_HEADER = struct.Struct("!4I")  # protocol, frame length, stripped, header length
SAMPLED_V4 = struct.Struct("!II4s4sIIII")
SAMPLED_V6 = struct.Struct("!II16s16sIIII")
_V4_PREFIX = b"\x00" * 10 + b"\xff\xff"

Row = tuple[float, float, bytes, bytes, int, int, int, int, int, int, int, int, int]


class Malformed(Exception):
    """Internal: the datagram cannot be read further."""


class SflowDecoder:
    """Decodes sFlow v5 datagrams; counts per exporter in :class:`CollectorStats`."""

    def __init__(self, stats: CollectorStats | None = None) -> None:
        self.stats = stats if stats is not None else CollectorStats()
        self._seq: dict[tuple[str, bytes, int], int] = {}

    def decode(
        self, datagrams: Iterable[tuple[bytes, str]], received: float | None = None
    ) -> np.ndarray:
        """Decode ``(payload, exporter_address)`` pairs into one batch of flows."""
        now = time.time() if received is None else received
        rows: list[Row] = []
        for data, exporter in datagrams:
            st = self.stats.get(exporter)
            st.datagrams += 1
            mark = len(rows)
            try:
                self._datagram(data, exporter, st, now, rows)
            except (Malformed, struct.error, IndexError, ValueError):
                st.malformed += 1
                del rows[mark:]
                continue
            st.records += len(rows) - mark
        if not rows:
            return empty_flows()
        return np.array(rows, dtype=FLOW_DTYPE)

    def _datagram(
        self, data: bytes, exporter: str, st: ExporterStats, now: float, rows: list[Row]
    ) -> None:
        version, addr_type = TWO.unpack_from(data, 0)
        if version != 5 or addr_type not in (1, 2):
            raise Malformed
        size = 4 if addr_type == 1 else 16
        agent = data[8 : 8 + size]
        pos = 8 + size
        sub_agent, seq, _uptime, count = struct.unpack_from("!IIII", data, pos)
        pos += 16
        key = (exporter, agent, sub_agent)
        expected = self._seq.get(key)
        if expected is not None and seq != expected:
            st.sequence_gaps += 1
        self._seq[key] = (seq + 1) & 0xFFFFFFFF
        exp_int = int.from_bytes(agent, "big") if size == 4 else exporter_int(exporter)
        for _ in range(count):
            fmt, length = TWO.unpack_from(data, pos)
            body_start, pos = pos + 8, pos + 8 + length
            if pos > len(data):
                raise Malformed
            if fmt == 1:
                head = FLOW_SAMPLE.unpack_from(data, body_start)
                rate, nrec, rec_pos = head[2], head[7], body_start + FLOW_SAMPLE.size
            elif fmt == 3:
                head = EXPANDED_SAMPLE.unpack_from(data, body_start)
                rate, nrec, rec_pos = head[3], head[10], body_start + EXPANDED_SAMPLE.size
            else:
                continue  # counter samples, enterprise formats
            row = _sample(data, rec_pos, pos, nrec, rate or 1, exp_int, now)
            if row is not None:
                rows.append(row)


def _sample(
    data: bytes, pos: int, end: int, count: int, rate: int, exporter: int, now: float
) -> Row | None:
    packet: Packet | None = None
    fallback: Packet | None = None  # from sampled IPv4 / IPv6 records
    frame_only: Packet | None = None  # a raw header that is not IP
    for _ in range(count):
        fmt, length = TWO.unpack_from(data, pos)
        body, pos = pos + 8, pos + 8 + length
        if pos > end:
            raise Malformed
        if fmt == 1 and packet is None:
            proto, frame, stripped, hlen = RAW_HEADER.unpack_from(data, body)
            header = data[body + 16 : body + 16 + min(hlen, length - 16)]
            packet = parse_header(proto, header)
            if packet is None:
                frame_only = Packet(b"", b"", 0, 0, 0, 0, 0, max(frame - stripped, 0))
        elif fmt == 3 and fallback is None:
            plen, proto, src, dst, sport, dport, flags, _tos = SAMPLED_V4.unpack_from(data, body)
            fallback = Packet(
                _V4_PREFIX + src, _V4_PREFIX + dst, sport, dport, proto, flags, 0, plen
            )
        elif fmt == 4 and fallback is None:
            plen, proto, src, dst, sport, dport, flags, _prio = SAMPLED_V6.unpack_from(data, body)
            fallback = Packet(src, dst, sport, dport, proto, flags, 0, plen)
    found = packet or fallback or frame_only
    if found is None:
        return None
    return (
        now,
        now,
        found.src,
        found.dst,
        found.sport & 0xFFFF,
        found.dport & 0xFFFF,
        found.proto & 0xFF,
        found.tcp_flags & 0xFF,
        found.frag,
        1,
        found.length,
        rate,
        exporter,
    )
