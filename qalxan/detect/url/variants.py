"""Typo variants of a brand term: generate them (for batch screening) and name them.

The generators cover omission, insertion, repetition, transposition, replacement (which
includes keyboard neighbours, bit flips and vowel swaps), hyphenation, plural ``es`` and
ASCII glyph swaps (single and double). :func:`name_edit` says which typo turns the brand
term into a given label.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

__all__ = ["ALPHABET", "edit_distance", "glyph_variants", "name_edit", "typo_variants"]

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"
_VOWELS = frozenset("aeiou")


def typo_variants(term: str) -> Iterator[str]:
    """Every string one edit away from ``term`` (plus hyphenation and plural ``es``)."""
    n = len(term)
    for i in range(n):
        yield term[:i] + term[i + 1 :]
        for c in ALPHABET:
            if c != term[i]:
                yield term[:i] + c + term[i + 1 :]
    for i in range(n + 1):
        for c in ALPHABET:
            yield term[:i] + c + term[i:]
    for i in range(n - 1):
        yield term[:i] + term[i + 1] + term[i] + term[i + 2 :]
    for i in range(1, n):
        yield term[:i] + "-" + term[i:]
    for i in range(2, n - 2):
        if term[i] in "sxz":
            yield term[: i + 1] + "es" + term[i + 1 :]


def glyph_variants(term: str, glyphs: Mapping[str, Sequence[str]], depth: int = 2) -> set[str]:
    """ASCII glyph swaps of ``term`` (``l`` -> ``1``, ``m`` -> ``rn``), up to ``depth`` swaps."""
    frontier = {term}
    out: set[str] = set()
    for _ in range(depth):
        nxt: set[str] = set()
        for word in frontier:
            for i in range(len(word)):
                for glyph in glyphs.get(word[i], ()):
                    nxt.add(word[:i] + glyph + word[i + 1 :])
                window = word[i : i + 2]
                if len(window) < 2:
                    continue
                # a swap inside a two-letter window changes both letters when they are equal
                # (bb -> dd), as typosquatters and dnstwist do
                for piece in {window[0], window[1], window}:
                    for glyph in glyphs.get(piece, ()):
                        nxt.add(word[:i] + window.replace(piece, glyph) + word[i + 2 :])
        nxt -= out
        out |= nxt
        frontier = nxt
    out.discard(term)
    return out


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance (adjacent transpositions count one), capped."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def name_edit(term: str, label: str, keyboard: Mapping[str, str]) -> str:
    """Name the single typo that turns ``term`` into ``label`` (``"typo"`` if unsure)."""
    if label.replace("-", "") == term.replace("-", "") and label != term:
        return "hyphenation"
    if len(label) == len(term) - 1:
        return "omission"
    if len(label) == len(term) + 1:
        for i in range(len(label)):
            if label[:i] + label[i + 1 :] == term:
                if (i > 0 and label[i - 1] == label[i]) or (
                    i + 1 < len(label) and label[i + 1] == label[i]
                ):
                    return "repetition"
                return "insertion"
        return "insertion"
    if len(label) == len(term) + 2:
        return "plural"
    if len(label) != len(term):
        return "typo"
    diffs = [i for i in range(len(term)) if term[i] != label[i]]
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        i = diffs[0]
        if term[i] == label[i + 1] and term[i + 1] == label[i]:
            return "transposition"
    if len(diffs) != 1:
        return "typo"
    a, b = term[diffs[0]], label[diffs[0]]
    if a in _VOWELS and b in _VOWELS:
        return "vowel swap"
    if b in keyboard.get(a, ""):
        return "keyboard replacement"
    x = ord(a) ^ ord(b)
    if x and x & (x - 1) == 0:
        return "bit flip"
    return "replacement"
