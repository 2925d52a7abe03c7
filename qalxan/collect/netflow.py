"""NetFlow v5 / v9 and IPFIX: batch decoding into :data:`FLOW_DTYPE`, and a v5 encoder.

Decoding works on many datagrams at once: each datagram's header is read with ``struct``,
its record area is kept as bytes, and the record areas of a batch are decoded together by one
``np.frombuffer`` over a structured dtype (for v9/IPFIX one dtype compiled per template, see
:mod:`qalxan.collect.ipfix`). Bad datagrams are counted in :class:`CollectorStats` and dropped.

Times: v5 and v9 records carry ``first``/``last`` in the exporter's uptime milliseconds; they
become epoch seconds through the header's uptime and export time.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable, Sequence

import numpy as np

from qalxan.collect._arrays import exporter_int, mapped_v4
from qalxan.collect.ipfix import TemplateDecoder
from qalxan.collect.stats import CollectorStats
from qalxan.domain.flows import FLOW_DTYPE, empty_flows

__all__ = [
    "V5_MAX_RECORDS",
    "V5_RECORD",
    "NetflowDecoder",
    "decode_v5",
    "encode_v5",
]

V5_HEADER = struct.Struct("!HHIIIIBBH")
V5_MAX_RECORDS = 30
V5_RECORD = np.dtype(
    [
        ("src", "u1", (4,)),
        ("dst", "u1", (4,)),
        ("nexthop", ">u4"),
        ("input", ">u2"),
        ("output", ">u2"),
        ("packets", ">u4"),
        ("bytes", ">u4"),
        ("first", ">u4"),
        ("last", ">u4"),
        ("sport", ">u2"),
        ("dport", ">u2"),
        ("pad1", "u1"),
        ("tcp_flags", "u1"),
        ("proto", "u1"),
        ("tos", "u1"),
        ("src_as", ">u2"),
        ("dst_as", ">u2"),
        ("src_mask", "u1"),
        ("dst_mask", "u1"),
        ("pad2", ">u2"),
    ]
)
assert V5_RECORD.itemsize == 48

Datagram = tuple[bytes, str]


def _uptime_to_epoch(stamp: np.ndarray, uptime: np.ndarray, export: np.ndarray) -> np.ndarray:
    """Uptime milliseconds -> epoch seconds; the difference is taken modulo 2**32 (wrap)."""
    delta = (uptime.astype(np.int64) - stamp.astype(np.int64)).astype(np.int32)
    return export - delta.astype(np.float64) / 1000.0


class NetflowDecoder:
    """Decodes NetFlow v5, v9 and IPFIX datagrams; keeps v9/IPFIX templates between calls.

    One instance per collector socket: templates, sampling rates and sequence numbers are
    state kept per (exporter, observation domain / source id).
    """

    def __init__(self, stats: CollectorStats | None = None) -> None:
        self.stats = stats if stats is not None else CollectorStats()
        self.templates = TemplateDecoder(self.stats)
        self._v5_seq: dict[tuple[str, int], int] = {}

    def decode(self, datagrams: Iterable[Datagram], received: float | None = None) -> np.ndarray:
        """Decode ``(payload, exporter_address)`` pairs into one batch of flows."""
        now = time.time() if received is None else received
        v5: list[Datagram] = []
        other: list[Datagram] = []
        for item in datagrams:
            data, exporter = item
            st = self.stats.get(exporter)
            st.datagrams += 1
            if len(data) < 4:
                st.malformed += 1
                continue
            version = (data[0] << 8) | data[1]
            if version == 5:
                v5.append(item)
            elif version in (9, 10):
                other.append(item)
            else:
                st.malformed += 1
        parts = []
        if v5:
            parts.append(self._decode_v5(v5))
        if other:
            parts.append(self.templates.decode(other, now))
        if not parts:
            return empty_flows()
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _decode_v5(self, datagrams: Sequence[Datagram]) -> np.ndarray:
        areas: list[bytes] = []
        heads: list[tuple[int, float, int, int, int]] = []
        stats = self.stats
        seqs = self._v5_seq
        for data, exporter in datagrams:
            try:
                _v, count, uptime, secs, nsecs, seq, etype, eid, samp = V5_HEADER.unpack_from(data)
            except struct.error:
                stats.get(exporter).malformed += 1
                continue
            end = 24 + 48 * count
            if len(data) < end:
                stats.get(exporter).malformed += 1
                continue
            key = (exporter, (etype << 8) | eid)
            expected = seqs.get(key)
            if expected is not None and expected != seq:
                _count_gap(stats, exporter, seq, expected)
            seqs[key] = (seq + count) & 0xFFFFFFFF
            if count == 0:
                continue
            areas.append(data[24:end])
            rate = samp & 0x3FFF
            heads.append((count, secs + nsecs / 1e9, uptime, rate or 1, exporter_int(exporter)))
            stats.get(exporter).records += count
        if not areas:
            return empty_flows()
        return decode_v5_areas(b"".join(areas), heads)


def _count_gap(stats: CollectorStats, exporter: str, seq: int, expected: int) -> None:
    st = stats.get(exporter)
    st.sequence_gaps += 1
    missing = (seq - expected) & 0xFFFFFFFF
    if missing < 0x80000000:  # a jump forward, not a reordered or restarted exporter
        st.lost_records += missing


def decode_v5_areas(area: bytes, heads: Sequence[tuple[int, float, int, int, int]]) -> np.ndarray:
    """Decode concatenated v5 record areas; ``heads`` is per datagram
    ``(count, export_epoch, uptime_ms, sampling, exporter)``."""
    recs = np.frombuffer(area, dtype=V5_RECORD)
    head = np.array(heads, dtype=np.float64)
    counts = head[:, 0].astype(np.int64)
    export = np.repeat(head[:, 1], counts)
    uptime = np.repeat(head[:, 2].astype(np.uint32), counts)
    out = np.empty(len(recs), dtype=FLOW_DTYPE)
    out["start"] = _uptime_to_epoch(recs["first"], uptime, export)
    out["end"] = _uptime_to_epoch(recs["last"], uptime, export)
    out["src"] = mapped_v4(recs["src"])
    out["dst"] = mapped_v4(recs["dst"])
    out["sport"] = recs["sport"]
    out["dport"] = recs["dport"]
    out["proto"] = recs["proto"]
    out["tcp_flags"] = recs["tcp_flags"]
    out["frag"] = 0
    out["packets"] = recs["packets"]
    out["bytes"] = recs["bytes"]
    out["sampling"] = np.repeat(head[:, 3], counts)
    out["exporter"] = np.repeat(head[:, 4], counts)
    return out


def decode_v5(data: bytes, exporter: str = "0.0.0.0") -> np.ndarray:
    """Decode one v5 datagram (stateless helper); raises nothing, returns an empty batch on
    a bad datagram."""
    return NetflowDecoder().decode([(data, exporter)], received=0.0)


def encode_v5(
    batch: np.ndarray,
    *,
    boot_time: float,
    export_time: float | None = None,
    sequence: int = 0,
    engine_type: int = 0,
    engine_id: int = 0,
    sampling: int | None = None,
) -> list[bytes]:
    """Encode flows as NetFlow v5 datagrams of up to 30 records each.

    ``boot_time`` is the exporter's boot (epoch seconds): record times become uptime
    milliseconds since then. Each datagram's export time is ``export_time`` or the latest
    record end in it. ``sampling`` (1-in-N, at most 16383) goes into every header; by default
    the batch's own ``sampling`` column (its first value). Only IPv4 records can be encoded:
    an IPv6 record raises :class:`qalxan.errors.ParseError`. Counts above 2**32-1 are clipped.
    """
    from qalxan.errors import ParseError

    n = len(batch)
    if n and not _all_v4(batch):
        raise ParseError("NetFlow v5 carries IPv4 only", field="src")
    rate = int(sampling if sampling is not None else (batch["sampling"][0] if n else 1))
    rate = min(max(rate, 1), 0x3FFF)
    recs = np.zeros(n, dtype=V5_RECORD)
    recs["src"] = np.frombuffer(batch["src"].tobytes(), np.uint8).reshape(-1, 16)[:, 12:]
    recs["dst"] = np.frombuffer(batch["dst"].tobytes(), np.uint8).reshape(-1, 16)[:, 12:]
    recs["packets"] = np.minimum(batch["packets"], 0xFFFFFFFF)
    recs["bytes"] = np.minimum(batch["bytes"], 0xFFFFFFFF)
    recs["first"] = _ms_since(batch["start"], boot_time)
    recs["last"] = _ms_since(batch["end"], boot_time)
    for name in ("sport", "dport", "proto", "tcp_flags"):
        recs[name] = batch[name]
    out: list[bytes] = []
    raw = recs.tobytes()
    for i in range(0, n, V5_MAX_RECORDS):
        chunk = batch[i : i + V5_MAX_RECORDS]
        count = len(chunk)
        stamp = float(chunk["end"].max()) if export_time is None else export_time
        stamp = max(stamp, boot_time)
        secs = int(stamp)
        nsecs = round((stamp - secs) * 1e9) % 1_000_000_000
        uptime = round((stamp - boot_time) * 1000) & 0xFFFFFFFF
        head = V5_HEADER.pack(
            5, count, uptime, secs, nsecs, sequence & 0xFFFFFFFF, engine_type, engine_id, rate
        )
        out.append(head + raw[i * 48 : (i + count) * 48])
        sequence += count
    return out


def _ms_since(times: np.ndarray, boot_time: float) -> np.ndarray:
    ms = np.round((times - boot_time) * 1000.0).astype(np.int64)
    return (ms & 0xFFFFFFFF).astype(np.uint32)


def _all_v4(batch: np.ndarray) -> bool:
    for col in ("src", "dst"):
        raw = np.frombuffer(batch[col].tobytes(), np.uint8).reshape(-1, 16)
        if not (np.all(raw[:, :10] == 0) and np.all(raw[:, 10:12] == 0xFF)):
            return False
    return True
