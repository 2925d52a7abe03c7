"""Small NumPy helpers shared by the decoders: addresses, odd-sized integers, exporters."""

from __future__ import annotations

import functools
import ipaddress

import numpy as np

__all__ = ["exporter_int", "mapped_v4", "uint_from_bytes", "v6_column"]

_V4_HEAD = np.array([0] * 10 + [0xFF, 0xFF], dtype=np.uint8)


def mapped_v4(raw: np.ndarray) -> np.ndarray:
    """``(n, 4)`` uint8 IPv4 addresses (or ``(n,)`` big-endian uint32) -> ``(n,)`` S16 mapped."""
    if raw.ndim == 1:
        raw = raw.astype(">u4").view(np.uint8).reshape(-1, 4)
    out = np.empty((raw.shape[0], 16), dtype=np.uint8)
    out[:, :12] = _V4_HEAD
    out[:, 12:] = raw
    return out.view("S16").reshape(-1)


def v6_column(raw: np.ndarray) -> np.ndarray:
    """``(n, 16)`` uint8 addresses -> ``(n,)`` S16."""
    return np.ascontiguousarray(raw, dtype=np.uint8).view("S16").reshape(-1)


def uint_from_bytes(raw: np.ndarray) -> np.ndarray:
    """Big-endian unsigned integers of any width ``(n, k)`` uint8 (k <= 8) -> ``(n,)`` uint64."""
    width = raw.shape[1]
    if width > 8:
        raw = raw[:, width - 8 :]
        width = 8
    padded = np.zeros((raw.shape[0], 8), dtype=np.uint8)
    padded[:, 8 - width :] = raw
    return padded.view(">u8").reshape(-1).astype(np.uint64)


@functools.lru_cache(maxsize=4096)
def exporter_int(address: str) -> int:
    """The exporter column value: IPv4 as an integer, the low 32 bits for IPv6, 0 if unknown."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return 0
    if ip.version == 6:
        mapped = ip.ipv4_mapped
        return int(mapped) if mapped is not None else int(ip) & 0xFFFFFFFF
    return int(ip)
