"""Batch screening: one Aho-Corasick pass over a whole batch of host names.

The batch is joined into one text, one host a line. Patterns carry their own boundaries, so
a pure substring search answers label questions: ``.kapitalbnak.`` is a whole-label typo,
``\\nna.az\\n`` a typo of a short brand on its own suffix, ``-nar.`` a short brand as a
hyphen token, ``birbank`` anywhere a distinctive name. Matched lines are the candidates; the
engine analyses only them. The automaton is built once per registry (about 10^5 patterns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import ahocorasick_rs
import idna

from qalxan.detect.url.terms import LookalikeConfig, Term
from qalxan.detect.url.variants import ALPHABET, glyph_variants, typo_variants

__all__ = ["ScreenIndex"]

_IDN = "xn--"
_LABEL_CHARS = frozenset(ALPHABET)


def _valid(label: str) -> bool:
    return (
        1 <= len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and set(label) <= _LABEL_CHARS
    )


@dataclass(frozen=True)
class ScreenIndex:
    """The compiled patterns of the screening pass and the variant labels behind them."""

    automaton: ahocorasick_rs.BytesAhoCorasick
    idn_pattern: int
    variants: frozenset[str]
    size: int

    @classmethod
    def build(
        cls,
        terms: Sequence[Term],
        config: LookalikeConfig,
        officials: Iterable[tuple[str, str]],
    ) -> ScreenIndex:
        patterns: set[str] = set()
        variants: set[str] = set()
        strong = sorted(config.strong_words | set(config.country_codes))
        for term in terms:
            forms = _variants(term, config)
            variants |= forms
            if term.distinctive:
                patterns.update({term.compact, term.text})
            else:
                patterns.update(_token_patterns(term, strong))
            if term.typo_anywhere:
                for v in forms | _dotted(term.compact) | _dotted(term.text):
                    patterns.update({f"\n{v}.", f".{v}."})
                # a misspelt long name as a hyphen token (acessbank-az, login-kapitalbamk)
                for v in forms:
                    patterns.update({f"{v}-", f"-{v}"})
            elif term.typo_own_suffix:
                tail = f".{term.suffix}\n"
                for v in forms | _dotted(term.compact) | _dotted(term.text):
                    patterns.update({f"\n{v}{tail}", f".{v}{tail}"})
        for official, _brand in officials:
            patterns.update({f"\n{official}.", f".{official}."})
            # the official domain with hyphens for dots (m10.az-wallet.top, dsmf.gov-az.org)
            for form in _hyphenated(official):
                patterns.update({f"{form}-", f"{form}."})
        ordered = sorted(patterns)
        ordered.append(_IDN)
        automaton = ahocorasick_rs.BytesAhoCorasick(
            [p.encode("ascii") for p in ordered], implementation=ahocorasick_rs.Implementation.DFA
        )
        return cls(automaton, len(ordered) - 1, frozenset(variants), len(ordered))

    def is_variant(self, label: str) -> bool:
        """``label`` is a precomputed variant of some brand term."""
        return label in self.variants

    def candidates(self, hosts: Sequence[str], idn_check: Callable[[str], bool]) -> Iterator[str]:
        """Hosts of the batch that match a pattern, each once, in order."""
        joined = "\n" + "\n".join(hosts).lower() + "\n"
        if not joined.isascii():
            joined = "\n" + "\n".join(_ascii(h) for h in hosts) + "\n"
        text = joined.encode("ascii")
        seen: set[int] = set()
        found = self.automaton.find_matches_as_indexes(text, overlapping=True)
        for index, start, _end in found:
            pos = start + 1 if text[start] == 10 else start
            line_start = text.rfind(b"\n", 0, pos) + 1
            if line_start in seen:
                continue
            line_end = text.find(b"\n", pos)
            if index == self.idn_pattern:
                cut = [p for p in (text.find(b".", start, line_end), line_end) if p >= 0]
                if not idn_check(text[start : min(cut)].decode("ascii")):
                    continue
            seen.add(line_start)
            yield text[line_start:line_end].decode("ascii")


def _variants(term: Term, config: LookalikeConfig) -> set[str]:
    if not term.typo_own_suffix:
        return {term.compact} if _valid(term.compact) else set()
    forms = {term.compact, term.text}
    for base in {term.compact, term.text}:
        forms.update(typo_variants(base))
        forms.update(glyph_variants(base, config.ascii_glyphs, depth=2))
    return {f for f in forms if _valid(f) and len(f) >= 2}


def _hyphenated(official: str) -> set[str]:
    """``official`` and its forms with some dots as hyphens (``dsmf-gov.az``), and without
    its own hyphens (``egov.az`` for ``e-gov.az``)."""
    out: set[str] = set()
    for base in {official, official.replace("-", "")}:
        parts = base.split(".")
        for mask in range(1 << (len(parts) - 1)):
            text = parts[0]
            for i, part in enumerate(parts[1:]):
                text += ("-" if mask >> i & 1 else ".") + part
            out.add(text)
    return out


def _dotted(name: str) -> set[str]:
    """Dot insertions (``kapital.bank``): the name split into a subdomain and a label."""
    return {f"{name[:i]}.{name[i:]}" for i in range(1, len(name))}


def _token_patterns(term: Term, words: Sequence[str]) -> set[str]:
    out: set[str] = set()
    lefts, rights = ("\n", ".", "-"), (".", "-")
    for name in {term.compact, term.text}:
        bodies = [name, *(name + w for w in words), *(w + name for w in words)]
        for body in bodies:
            for left in lefts:
                for right in rights:
                    out.add(left + body + right)
    return out


def _ascii(host: str) -> str:
    host = host.strip().lower()
    if host.isascii():
        return host
    if "\n" in host:
        return ""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return ""
