"""Per-window counters: packets, bits, flows and distinct sources per destination host and
protocol class, computed for a whole window at once with NumPy.

A window's records carry a weight (the share of a long flow that falls in this window) and
a sampling rate; counts are ``packets * sampling * weight``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from qalxan.detect.ddos.config import Prefix

__all__ = [
    "WindowCounts",
    "addr_hash",
    "class_masks",
    "count_window",
    "flow_keys",
    "in_prefix",
    "split_by_window",
]

SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10


def class_masks(recs: np.ndarray, amp_ports: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks of the protocol classes (fragments are their own class)."""
    proto, flags = recs["proto"], recs["tcp_flags"]
    whole = recs["frag"] == 0
    tcp = whole & (proto == 6)
    syn = tcp & ((flags & SYN) != 0) & ((flags & ACK) == 0)
    udp = whole & (proto == 17)
    return {
        "total": np.ones(len(recs), dtype=bool),
        "tcp_syn": syn,
        "tcp": tcp & ~syn,
        "udp": udp,
        "icmp": whole & ((proto == 1) | (proto == 58)),
        "fragments": ~whole,
        "amplification": udp & np.isin(recs["sport"], amp_ports),
    }


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Counters of one window: ``hosts`` (16-byte addresses) and per-class arrays over them."""

    start: float
    end: float
    hosts: np.ndarray
    inverse: np.ndarray  # record -> index into hosts
    pps: Mapping[str, np.ndarray]
    mbps: Mapping[str, np.ndarray]
    flows: Mapping[str, np.ndarray]
    sources: np.ndarray  # distinct sources per host (all classes)

    def metric(self, metric: str, cls: str) -> np.ndarray:
        table = {"pps": self.pps, "mbps": self.mbps, "flows": self.flows}[metric]
        return table[cls]


_K1, _K2, _K3 = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
)


def _mix(x: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser (splitmix64): distinct keys stay distinct in practice."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = x ^ (x >> np.uint64(31))
    return out


def addr_hash(addrs: np.ndarray) -> np.ndarray:
    """One 64-bit hash per 16-byte address."""
    hi, lo = _halves(addrs)
    return _mix(hi * _K1 + _mix(lo))


def flow_keys(recs: np.ndarray, host: np.ndarray | None = None) -> np.ndarray:
    """One 64-bit key per (host, source, ports, protocol): sorting these is much faster
    than sorting records, for distinct counts."""
    ports = (
        (recs["sport"].astype(np.uint64) << np.uint64(24))
        | (recs["dport"].astype(np.uint64) << np.uint64(8))
        | recs["proto"].astype(np.uint64)
    )
    key = addr_hash(recs["src"]) ^ _mix(ports * _K2)
    if host is not None:
        key = _mix(key ^ (host.astype(np.uint64) * _K3))
    out: np.ndarray = key
    return out


def count_window(
    recs: np.ndarray,
    weight: np.ndarray,
    start: float,
    width: float,
    amp_ports: np.ndarray,
) -> WindowCounts:
    """Count one window's records per destination host and class."""
    hosts, inverse = np.unique(recs["dst"], return_inverse=True)
    inverse = inverse.ravel()
    n = len(hosts)
    scale = weight * recs["sampling"].astype(np.float64).clip(min=1) / width
    pk = recs["packets"].astype(np.float64) * scale
    bits = recs["bytes"].astype(np.float64) * scale * 8 / 1e6
    keys = flow_keys(recs, inverse)
    pps: dict[str, np.ndarray] = {}
    mbps: dict[str, np.ndarray] = {}
    flows: dict[str, np.ndarray] = {}
    for cls, mask in class_masks(recs, amp_ports).items():
        idx = inverse[mask]
        pps[cls] = np.bincount(idx, weights=pk[mask], minlength=n)
        mbps[cls] = np.bincount(idx, weights=bits[mask], minlength=n)
        _, first = np.unique(keys[mask], return_index=True)
        owner = idx[first]
        flows[cls] = np.bincount(owner, minlength=n).astype(np.float64) / width
    pair = _mix(addr_hash(recs["src"]) ^ (inverse.astype(np.uint64) * _K3))
    _, first = np.unique(pair, return_index=True)
    sources = np.bincount(inverse[first], minlength=n)
    return WindowCounts(start, start + width, hosts, inverse, pps, mbps, flows, sources)


def _halves(addrs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    raw = np.frombuffer(np.ascontiguousarray(addrs, dtype="S16").tobytes(), dtype=">u8")
    raw = raw.reshape(-1, 2)
    return raw[:, 0], raw[:, 1]


def in_prefix(addrs: np.ndarray, prefix: Prefix) -> np.ndarray:
    """Which 16-byte addresses lie inside ``prefix``."""
    hi, lo = _halves(addrs)
    if prefix.bits == 0:
        return np.ones(len(addrs), dtype=bool)
    if prefix.bits <= 64:
        mask = np.uint64(((1 << prefix.bits) - 1) << (64 - prefix.bits))
        inside: np.ndarray = (hi & mask) == np.uint64(prefix.hi & int(mask))
        return inside
    lmask = np.uint64(((1 << (prefix.bits - 64)) - 1) << (128 - prefix.bits))
    both: np.ndarray = (hi == np.uint64(prefix.hi)) & (
        (lo & lmask) == np.uint64(prefix.lo & int(lmask))
    )
    return both


def split_by_window(recs: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window index and weight per record; a flow longer than a window is spread evenly over
    the windows it spans (records repeated). Returns (records, window index, weight)."""
    first = np.floor(recs["start"] / width).astype(np.int64)
    last = np.floor(np.maximum(recs["end"], recs["start"]) / width).astype(np.int64)
    span = last - first + 1
    if len(recs) == 0 or span.max() == 1:
        return recs, first, np.ones(len(recs))
    rep = np.repeat(np.arange(len(recs)), span)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span)
    return recs[rep], first[rep] + offset, 1.0 / span[rep]
