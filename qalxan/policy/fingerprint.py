"""Near-duplicate texts: MinHash signatures over character shingles, with LSH bands.

Scam campaigns send one template with small changes (another link, another number, a name).
The text is normalised first (lower case, Azerbaijani letters folded, URLs and digits replaced
by placeholders), cut into character 5-grams and summarised by a MinHash signature of
:data:`NUM_PERM` values. Texts whose signatures agree on one of :data:`BANDS` bands of
:data:`ROWS` values are candidates; a candidate is a near-duplicate when the estimated Jaccard
similarity of the shingle sets reaches the threshold (0.5 by default). With 16 bands of 4 rows
a pair at Jaccard 0.7 becomes a candidate with probability 0.99, a pair at 0.2 with 0.03.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BANDS",
    "MIN_CHARS",
    "NUM_PERM",
    "ROWS",
    "TextFingerprint",
    "fingerprint",
    "normalise_text",
    "similarity",
]

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 5
MIN_CHARS = 24  # shorter texts ("salam", "zəng edin") would join everything with everything
_PRIME = np.uint64((1 << 61) - 1)
_MASK = np.uint64((1 << 32) - 1)

_rng = np.random.default_rng(20261130)  # fixed: signatures must be stable across processes
# a and b span the whole field: with small ones (a*x + b) mod p is nearly monotonic in x and
# every permutation picks the same shingle (texts sharing one common 5-gram look alike).
_A = _rng.integers(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)

_FOLD = str.maketrans({"ə": "e", "ı": "i", "ö": "o", "ü": "u", "ş": "s", "ç": "c", "ğ": "g"})
_URL = re.compile(r"(?:https?://|hxxps?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}/\S*", re.I)
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w]+")


def normalise_text(text: str) -> str:
    """Lower-case, fold Azerbaijani letters, replace URLs and numbers, collapse the rest."""
    out = text.casefold().translate(_FOLD)
    out = _URL.sub(" url ", out)
    out = _DIGITS.sub("0", out)
    out = _NON_WORD.sub(" ", out).replace("_", " ")
    return " ".join(out.split())


@dataclass(frozen=True, slots=True)
class TextFingerprint:
    """A MinHash signature and its LSH band keys (hex)."""

    signature: tuple[int, ...]
    bands: tuple[str, ...]


def _shingle_hashes(norm: str) -> np.ndarray:
    grams = {norm[i : i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))}
    values = [
        int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "big")
        for g in sorted(grams)
    ]
    return np.asarray(values, dtype=np.uint64)


def fingerprint(text: str) -> TextFingerprint | None:
    """The fingerprint of ``text``, or ``None`` when the text is too short to compare."""
    norm = normalise_text(text)
    if len(norm) < MIN_CHARS:
        return None
    x = _shingle_hashes(norm)
    # Universal hashing as in datasketch: the 64-bit product wraps (mod 2**64), then mod p,
    # keeping 32 bits.
    hashed = ((np.outer(x, _A) + _B) % _PRIME) & _MASK
    signature = tuple(int(v) for v in hashed.min(axis=0))
    bands = tuple(
        hashlib.blake2b(
            repr(signature[b * ROWS : (b + 1) * ROWS]).encode(), digest_size=8
        ).hexdigest()
        for b in range(BANDS)
    )
    return TextFingerprint(signature, bands)


def similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal positions)."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)
