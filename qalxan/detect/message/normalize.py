"""Folding a message to one lowercase Latin skeleton, with a map back to the original text.

Two paths share one set of tables (``qalxan/data/message/normalize.yaml``):

- :meth:`Normalizer.fast` is a single ``str.translate``: lowercasing, Azerbaijani letters,
  ə/e -> a, Cyrillic transliteration. It runs at C speed and feeds the batch prefilter and
  the model. It keeps the length of the text for one-to-one characters only, so it gives no
  spans.
- :meth:`Normalizer.fold` adds NFKC, homoglyph repair inside mixed-script words, leet digits
  ("c0d"), spaced-out words ("k o d") and whitespace runs, and keeps for every folded
  character the index of the original character it came from, so a match on the folded text
  becomes a span of the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qalxan.detect.message.kernel import fold_pieces

__all__ = ["TRICK_SCANS", "Folded", "Normalizer"]

_WORD = re.compile(r"[^\W_]+(?:[@$][^\W_]+)*")
# Three or more single letters separated by one space, dot, dash or star: "k o d", "s.m.s".
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[ .*\-][^\W\d_]){2,}(?![^\W\d_])")
_SPACE_RUN = re.compile(r"\s{2,}")
# Anything :meth:`Normalizer.fold` treats differently from :meth:`Normalizer.fast`: characters
# outside the plain Latin/Cyrillic/punctuation/emoji set (compatibility forms, combining marks,
# zero-width characters, other scripts), Latin next to Cyrillic, "3" inside Cyrillic, leet
# digits inside Latin words, spaced-out letters and whitespace runs.
# Split in simple patterns that each start with a character class (fast to scan).
_ODD = re.compile(
    r"[^\x20-\x7e\n\t\r\u00a0\u00a3\u00a7\u00ab\u00b0\u00bb\u00c0-\u024f\u0259\u018f"
    r"\u0400-\u04ff\u2010-\u2027\u2030-\u205e\u20a0-\u20cf\U0001f000-\U0001faff]"
)
_CYR_ANY = re.compile(r"[\u0400-\u04ff]")
_MIXED = re.compile(r"[a-zA-Z3][\u0400-\u04ff]|[\u0400-\u04ff][a-zA-Z3]")
_LEET_SPACED = re.compile(r"[^\W\d_][0-9@$][^\W\d_]|\b\w[ .*\-]\w[ .*\-]\w\b|\s\s")
_ASCII_TRICKS = re.compile(
    r"[a-zA-Z][0-9@$][a-zA-Z]|\b\w[ .*\-]\w[ .*\-]\w\b|\s\s|[\x00-\x08\x0e-\x1f]"
)
# Patterns whose union matches wherever :meth:`Normalizer.needs_full` is true (a necessary
# condition, for scanning many texts joined by "\n" at once). Each starts with a character
# class, which the regex engine scans for quickly, and checks the context by lookaround.
TRICK_SCANS = (
    re.compile(r"[0-9@$](?<=[^\W\d_][0-9@$])(?=[^\W\d_])"),
    re.compile(r"[ .*\-](?<=\b\w[ .*\-])\w[ .*\-]\w\b"),
    re.compile(r"\s\s"),
    _ODD,
    re.compile(r"[\u0400-\u04ff](?:(?<=[a-zA-Z3][\u0400-\u04ff])|(?=[a-zA-Z3]))"),
)
_CYR_RANGE = range(0x0400, 0x0500)
# The fold of a piece (a word or the text between words) and the index in the piece of each
# folded character (None: one to one).
Piece = tuple[str, tuple[int, ...] | None]
_MEMO_MAX = 50_000


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded text and, for each of its characters, the original character's index."""

    text: str
    index: tuple[int, ...]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded characters ``start:end`` came from."""
        if end <= start or not self.index:
            pos = self.index[start] if start < len(self.index) else self.original_length
            return pos, pos
        return self.index[start], self.index[end - 1] + 1


def _is_cyrillic(ch: str) -> bool:
    return ord(ch) in _CYR_RANGE


def _lower(ch: str) -> str:
    # Azerbaijani-aware: İ and I are i (Python turns İ into "i̇", two characters).
    if ch in "İI":
        return "i"
    return ch.lower()


class Normalizer:
    """Folds texts with the tables of ``normalize.yaml`` (passed in, never read here)."""

    def __init__(self, tables: Mapping[str, Mapping[str, str]], *, compiled: bool = True) -> None:
        self.tables = tables
        self._char: dict[str, str] = {}
        for section in ("latin", "cyrillic"):
            self._char.update({str(k): str(v) for k, v in tables[section].items()})
        self._lat2cyr = {str(k): str(v) for k, v in tables["latin_to_cyrillic"].items()}
        self._cyr2lat = {str(k): str(v) for k, v in tables["cyrillic_to_latin"].items()}
        self._leet = {str(k): str(v) for k, v in tables["leet"].items()}
        self._table = self._fast_table()
        # What one character folds to (a pure function of the character), memoised.
        self._emitted: dict[str, str] = {}
        self._words: dict[str, Piece] = {}
        self._plains: dict[str, Piece] = {}
        self._pieces_kernel = fold_pieces if compiled else None
        uneven = sorted(chr(c) for c, v in self._table.items() if len(v) != 1)
        self._uneven = re.compile("[" + re.escape("".join(uneven)) + "]") if uneven else None

    def _fast_table(self) -> dict[int, str]:
        table: dict[int, str] = {}
        for code in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x400, 0x500)):
            ch = chr(code)
            low = _lower(ch)
            folded = "".join(self._char.get(c, c) for c in low)
            if folded != ch:
                table[code] = folded
        for ch, folded in self._char.items():
            table[ord(ch)] = folded
        table[ord("Ə")] = self._char.get("ə", "ə")
        for ws in "\t\n\r\x0b\x0c\u00a0":
            table[ord(ws)] = " "
        return table

    @property
    def fast_table(self) -> Mapping[int, str]:
        """The translate table of :meth:`fast` (code point -> its fold)."""
        return self._table

    # -- fast path -------------------------------------------------------------------------

    def fast(self, text: str) -> str:
        """Lowercase skeleton at C speed (no homoglyph, leet or spacing repair)."""
        return text.translate(self._table)

    @staticmethod
    def needs_full(text: str) -> bool:
        """True when the text shows tricks only :meth:`fold` undoes (mixed scripts, leet,
        spaced-out letters, compatibility characters)."""
        if text.isascii():
            return _ASCII_TRICKS.search(text) is not None
        if _ODD.search(text) or _LEET_SPACED.search(text):
            return True
        return _CYR_ANY.search(text) is not None and _MIXED.search(text) is not None

    def fold_pattern(self, pattern: str) -> str:
        """Fold a rule's regular expression the way texts are folded (fast table only).

        Patterns are written in lowercase; escapes whose meaning depends on case (``\\S``,
        ``\\W``, ``\\D``, ``\\B``) are not allowed because folding would lowercase them.
        """
        if re.search(r"\\[SWDBAZ]", pattern):
            raise ValueError(f"pattern uses a case-sensitive escape: {pattern!r}")
        return pattern.translate(self._table)

    # -- full path -------------------------------------------------------------------------

    def fold(self, text: str, *, tricky: bool | None = None) -> Folded:
        """Fold ``text`` and keep the map back to it (see the module docstring). ``tricky``:
        whether :meth:`needs_full` holds for ``text``, when the caller knows it already."""
        if tricky is None:
            tricky = self.needs_full(text)
        if not tricky and (self._uneven is None or not self._uneven.search(text)):
            # Plain text: the fast fold maps one character to one, so the map is the identity.
            return Folded(self.fast(text), tuple(range(len(text))), len(text))
        if self._pieces_kernel is not None:
            folded, index = self._pieces_kernel(text, self._words, self._plains, self._piece)
        else:
            folded, index = self._fold_pieces(text)
        folded, index = _collapse(folded, index)
        return Folded(folded, tuple(index), len(text))

    def _fold_pieces(self, text: str) -> tuple[str, list[int]]:
        """The fold of every word and of the text between words, joined, with the original
        index of each folded character (before spaced-out letters are joined)."""
        parts: list[str] = []
        index: list[int] = []
        pos = 0
        for m in _WORD.finditer(text):
            start = m.start()
            if start > pos:
                self._append(self._plains, text[pos:start], pos, False, parts, index)
            pos = m.end()
            self._append(self._words, text[start:pos], start, True, parts, index)
        if pos < len(text):
            self._append(self._plains, text[pos:], pos, False, parts, index)
        return "".join(parts), index

    def _append(
        self,
        memo: dict[str, Piece],
        piece: str,
        start: int,
        word: bool,
        parts: list[str],
        index: list[int],
    ) -> None:
        folded, rel = memo.get(piece) or self._piece(piece, word)
        parts.append(folded)
        if rel is None:
            index.extend(range(start, start + len(piece)))
        else:
            index.extend([start + j for j in rel])

    def _piece(self, piece: str, word: bool) -> Piece:
        """Fold a word or the text between two words: a pure function of the piece, kept in
        its memo. ``rel``: the index in the piece of each folded character, None when that
        is one folded character per original one (most pieces)."""
        chars: list[str] = []
        rel: list[int] = []
        if word:
            self._fold_word_slow(piece, chars, rel)
        else:
            for j, ch in enumerate(piece):
                self._emit(ch, j, chars, rel)
        out: Piece = ("".join(chars), None if rel == list(range(len(piece))) else tuple(rel))
        memo = self._words if word else self._plains
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[piece] = out
        return out

    def _emit(self, ch: str, i: int, chars: list[str], index: list[int]) -> None:
        out = self._emitted.get(ch)
        if out is None:
            buf: list[str] = []
            self._emit_slow(ch, 0, buf, [])
            out = "".join(buf)
            if len(self._emitted) < _MEMO_MAX:
                self._emitted[ch] = out
        if len(out) == 1:
            chars.append(out)
            index.append(i)
        elif out:
            chars.extend(out)
            index.extend([i] * len(out))

    def _emit_slow(self, ch: str, i: int, chars: list[str], index: list[int]) -> None:
        for c in unicodedata.normalize("NFKC", ch):
            if unicodedata.combining(c):
                continue
            low = _lower(c)
            for lc in low:
                if unicodedata.combining(lc):
                    continue
                out = self._char.get(lc, lc)
                for oc in out:
                    chars.append(" " if oc.isspace() else oc)
                    index.append(i)

    def _fold_word_slow(self, word: str, chars: list[str], idx: list[int]) -> None:
        """Fold one word (offsets relative to the word); a pure function of the word."""
        start = 0
        cyr = sum(1 for c in word if _is_cyrillic(c))
        lat = sum(1 for c in word if c.isalpha() and not _is_cyrillic(c))
        for j, ch in enumerate(word):
            low = _lower(ch)
            if cyr and lat:
                if cyr >= lat and low in self._lat2cyr:
                    ch = self._lat2cyr[low]
                elif lat > cyr and low in self._cyr2lat:
                    ch = self._cyr2lat[low]
            elif ch in self._leet and 0 < j < len(word) - 1:
                if word[j - 1].isalpha() and (word[j + 1].isalpha() or word[j + 1] in self._leet):
                    ch = self._leet[ch]
            elif cyr and ch == "3":
                ch = self._lat2cyr.get("3", ch)
            self._emit(ch, start + j, chars, idx)


def _collapse(text: str, index: Sequence[int]) -> tuple[str, Sequence[int]]:
    """Join spaced-out letters ("k o d" -> "kod") and squeeze runs of spaces."""
    drop: set[int] = set()
    for m in _SPACED.finditer(text):
        drop.update(i for i in range(m.start() + 1, m.end(), 2))
    for m in _SPACE_RUN.finditer(text):
        drop.update(range(m.start() + 1, m.end()))
    if not drop:
        return text, index
    keep = [i for i in range(len(text)) if i not in drop]
    return "".join(text[i] for i in keep), [index[i] for i in keep]
