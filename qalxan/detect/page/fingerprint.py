"""Structural fingerprints: pages of one phishing kit share them whatever brand text they show.

``dom`` hashes the sequence of tag names (no text, no attribute values); ``forms`` hashes the
layout of the forms (field tags, types and kinds in order); ``simhash`` is a 64-bit SimHash of
tag 4-grams, so near-copies of a kit sit a few bits apart (:func:`simhash_distance`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

__all__ = ["fingerprint", "simhash", "simhash_distance"]

_MASK64 = (1 << 64) - 1


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def simhash(tags: Sequence[str], n: int = 4) -> int:
    """64-bit SimHash of the tag n-grams of a page."""
    counts = [0] * 64
    if len(tags) < n:
        grams = [" ".join(tags)] if tags else []
    else:
        grams = list({" ".join(tags[i : i + n]) for i in range(len(tags) - n + 1)})
    for gram in grams:
        data = gram.encode("ascii", "replace")
        h = (zlib.crc32(data) << 32 | zlib.crc32(data[::-1] + b"#")) & _MASK64
        for bit in range(64):
            counts[bit] += 1 if h >> bit & 1 else -1
    out = 0
    for bit in range(64):
        if counts[bit] > 0:
            out |= 1 << bit
    return out


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
