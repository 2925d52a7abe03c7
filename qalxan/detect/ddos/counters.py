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

__all__ = ["WindowCounts", "class_masks", "count_window", "in_prefix", "split_by_window"]

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


def _tuple_keys(recs: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """One opaque key per (host, source, ports, protocol), for distinct counts."""
    keys = np.zeros(len(recs), dtype=[("h", "<u4"), ("s", "S16"), ("p", "<u4"), ("q", "u1")])
    keys["h"] = inverse
    keys["s"] = recs["src"]
    keys["p"] = (recs["sport"].astype(np.uint32) << 16) | recs["dport"]
    keys["q"] = recs["proto"]
    return keys.view(np.dtype((np.void, keys.dtype.itemsize)))


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
    keys = _tuple_keys(recs, inverse)
    pps: dict[str, np.ndarray] = {}
    mbps: dict[str, np.ndarray] = {}
    flows: dict[str, np.ndarray] = {}
    for cls, mask in class_masks(recs, amp_ports).items():
        idx = inverse[mask]
        pps[cls] = np.bincount(idx, weights=pk[mask], minlength=n)
        mbps[cls] = np.bincount(idx, weights=bits[mask], minlength=n)
        uniq = np.unique(keys[mask])
        raw = np.frombuffer(uniq.tobytes(), dtype=np.uint8).reshape(-1, keys.dtype.itemsize)
        owner = raw[:, :4].copy().view("<u4").ravel()
        flows[cls] = np.bincount(owner, minlength=n).astype(np.float64) / width
    pair = np.zeros(len(recs), dtype=[("h", "<u4"), ("s", "S16")])
    pair["h"], pair["s"] = inverse, recs["src"]
    owners = np.unique(pair)["h"]
    sources = np.bincount(owners, minlength=n)
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
        return (hi & mask) == np.uint64(prefix.hi & int(mask))
    lmask = np.uint64(((1 << (prefix.bits - 64)) - 1) << (128 - prefix.bits))
    return (hi == np.uint64(prefix.hi)) & ((lo & lmask) == np.uint64(prefix.lo & int(lmask)))


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
