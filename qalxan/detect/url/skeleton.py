"""Confusable folding: a UTS #39-style skeleton of a domain label.

``strict`` maps every character to the Latin letter it imitates (Cyrillic ``а`` -> ``a``,
Azerbaijani ``ı`` -> ``i``, ``ş`` -> ``s`` through NFKD) and folds letter sequences
(``rn`` -> ``m``). ``loose`` goes further and merges ASCII look-alike classes (``1``/``l``/``i``,
``0``/``o``, ``d``/``b``) so that double glyph swaps still meet the brand name.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["Confusables", "parse_confusables_tsv"]

_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_MAX_SKELETONS = 4
# Letter pairs that imitate one letter, written after the loose class map (d -> b, c -> e,
# n/r -> m, v -> u): rn/nn -> m, lh -> h, lc -> k, lb -> b, dl -> b, cl -> d, vv -> w.
_LOOSE_PAIRS = (
    ("mm", "m"),
    ("lh", "h"),
    ("le", "k"),
    ("lb", "b"),
    ("bl", "b"),
    ("el", "b"),
    ("uu", "w"),
)


def parse_confusables_tsv(text: str) -> dict[str, tuple[str, ...]]:
    """Parse ``char<TAB>skeleton[,alternative]`` lines (``#`` starts a comment)."""
    table: dict[str, tuple[str, ...]] = {}
    for raw in text.splitlines():
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        char, _, target = line.partition("\t")
        if not char or not target:
            raise ValueError(f"bad confusables line: {line!r}")
        table[char] = tuple(t.strip() for t in target.split(",") if t.strip())
    return table


@dataclass(frozen=True)
class Confusables:
    """Folds labels to skeletons; ``table`` maps characters to one or more skeletons."""

    table: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sequences: Mapping[str, str] = field(default_factory=dict)
    loose_map: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cache", lru_cache(maxsize=65536)(self._compute))

    def skeletons(self, label: str) -> tuple[str, ...]:
        """Strict skeletons of ``label`` (usually one; more when a letter is ambiguous)."""
        result: tuple[str, ...] = self._cache(label)  # type: ignore[attr-defined]
        return result

    def skeleton(self, label: str) -> str:
        """The first strict skeleton."""
        return self.skeletons(label)[0]

    def loose(self, skeleton: str) -> str:
        """Merge ASCII look-alike classes of a strict skeleton (``d``/``b``, ``n``/``m``...),
        then fold the letter pairs that imitate one letter (``lc`` -> ``k``), to a fixpoint."""
        out = "".join(self.loose_map.get(ch, ch) for ch in skeleton)
        for _ in range(4):
            before = out
            for seq, rep in _LOOSE_PAIRS:
                out = out.replace(seq, rep)
            if out == before:
                break
        return out

    def letters(self, label: str) -> str:
        """Each character of ``label`` as its first ASCII look-alike, with no letter pairs
        folded (``yclŏ`` -> ``yclo``, where the skeleton is ``ydo``)."""
        out: list[str] = []
        for ch in label.lower():
            mapped = self.table.get(ch)
            if mapped is not None:
                out.append(mapped[0])
            elif ch in _KEEP:
                out.append(ch)
            else:
                out.append(_decompose(ch))
        return "".join(out)

    def _compute(self, label: str) -> tuple[str, ...]:
        options: list[tuple[str, ...]] = []
        for ch in label.lower():
            mapped = self.table.get(ch)
            if mapped is not None:
                options.append(mapped)
            elif ch in _KEEP:
                options.append((ch,))
            else:
                options.append((_decompose(ch),))
        variants = {"".join(p) for p in itertools.islice(itertools.product(*options), 64)}
        folded = sorted({self._fold(v) for v in variants})
        first = self._fold("".join(o[0] for o in options))
        ordered = [first, *(v for v in folded if v != first)]
        return tuple(ordered[:_MAX_SKELETONS])

    def _fold(self, text: str) -> str:
        for seq, rep in self.sequences.items():
            text = text.replace(seq, rep)
        return text


def _decompose(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    base = base.lower()
    return "".join(c for c in base if c in _KEEP)
