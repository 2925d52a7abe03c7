"""Structural fingerprints: pages of one phishing kit share them whatever brand text they show.

``dom`` hashes the sequence of tag names (no text, no attribute values); ``forms`` hashes the
layout of the forms (field tags, types and kinds in order); ``simhash`` is a 64-bit SimHash of
tag 4-grams, so near-copies of a kit sit a few bits apart (:func:`simhash_distance`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

_simhash: Any
try:  # compiled (qalxan/detect/url/_hashdot.pyx); the numpy path gives the same hash
    from qalxan.detect.url._hashdot import simhash as _simhash
except ImportError:
    _simhash = None

__all__ = ["fingerprint", "simhash", "simhash_distance"]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def simhash(tags: Sequence[str], n: int = 4, *, compiled: bool = True) -> int:
    """64-bit SimHash of the tag n-grams of a page."""
    if compiled and _simhash is not None:
        return int(_simhash(list(tags), n))
    if len(tags) < n:
        grams = {" ".join(tags)} if tags else set()
    else:
        grams = {" ".join(tags[i : i + n]) for i in range(len(tags) - n + 1)}
    if not grams:
        return 0
    data = [g.encode("ascii", "replace") for g in grams]
    hashes = np.fromiter(
        ((zlib.crc32(d) << 32) | zlib.crc32(d, 0x5BD1E995) for d in data), np.uint64, len(data)
    )
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(data)
    # Byte order of the view is the machine's; little-endian hosts give bit i = 2**i.
    weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
    return int(np.bitwise_or.reduce(weights[votes > 0])) if (votes > 0).any() else 0


def simhash_distance(a: str, b: str) -> int:
    """Hamming distance between two hex SimHashes (0 = same shape, 64 = opposite)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def fingerprint(tags: Sequence[str], form_layouts: Sequence[str]) -> dict[str, str]:
    """The fingerprint document stored in ``Verdict.extra["fingerprint"]``."""
    return {
        "dom": _digest(" ".join(tags)),
        "forms": _digest("|".join(form_layouts)) if form_layouts else "",
        "simhash": f"{simhash(tags):016x}",
    }
