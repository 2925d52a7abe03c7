"""The page detector's detection content, compiled from the documents in ``data/page/``.

The service reads the YAML documents and passes them here as plain mappings; nothing in this
module reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahocorasick_rs import AhoCorasick

from qalxan.domain.errors import ConfigError

__all__ = ["FieldKind", "PageLexicon", "PhraseGroup", "fold", "without_offers"]

_FOLD = str.maketrans(
    {
        "ı": "i",
        "ə": "e",
        "ö": "o",
        "ü": "u",
        "ş": "s",
        "ç": "c",
        "ğ": "g",
        "ё": "е",
        "İ": "i",
        "Ə": "e",
        "Ö": "o",
        "Ü": "u",
        "Ş": "s",
        "Ç": "c",
        "Ğ": "g",
        "Ё": "е",
        "\u0307": None,
    }
)

# The table as (character, replacement) pairs; no replacement holds a character of the
# table, so replacing them one after another is the same as translating
# (tests/page/test_page_compiled.py).
_FOLD_PAIRS = tuple((chr(k), v or "") for k, v in _FOLD.items())


def fold(text: str) -> str:
    """Lowercase, fold Azerbaijani diacritics and ё, squeeze white space."""
    # Both cases are in the table, so one mapping before lower() suffices (and keeps "İ"
    # from becoming "i" plus a combining dot). The table maps no ASCII character, so ASCII
    # text skips it (``isascii`` is a flag of the string, not a scan). Otherwise one
    # replace per character the text holds: the same as ``text.translate(_FOLD)`` (no
    # replacement is itself in the table) and some 50x faster on long non-ASCII text.
    if not text.isascii():
        for char, repl in _FOLD_PAIRS:
            if char in text:
                text = text.replace(char, repl)
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class FieldKind:
    """A kind of sensitive input field and how to recognise it."""

    name: str
    weight: float
    pattern: re.Pattern[str] | None
    autocomplete: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    examples: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PhraseGroup:
    """A group of scam phrases matched on folded visible text."""

    name: str
    weight: float
    phrases: tuple[str, ...]
    pattern: re.Pattern[str]
    examples: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Endpoint:
    host: str
    paths: tuple[str, ...]

    def covers(self, host: str) -> bool:
        """``host`` (lowercase, no trailing dot) is this endpoint's host or under it."""
        return host == self.host or host.endswith("." + self.host)


@dataclass(frozen=True)
class PageLexicon:
    """Field kinds, phrase groups, messenger endpoints, obfuscation markers and weights."""

    fields: tuple[FieldKind, ...]
    sensitive: frozenset[str]
    card_data: frozenset[str]
    phrases: tuple[PhraseGroup, ...]
    endpoints: tuple[_Endpoint, ...]
    endpoint_examples: Mapping[str, Sequence[str]]
    obfuscation: Mapping[str, Any]
    markers: Mapping[str, re.Pattern[str]]
    marker_hints: Mapping[str, str | None]
    weights: Mapping[str, float]
    brand_points: Mapping[str, int]
    brand_min_points: int
    # Words of a payment option (instalments): a brand named beside them is offered, not
    # shown (see rules.yaml); None when the rules list none.
    offer: re.Pattern[str] | None = None
    # Derived from the fields and phrase groups in __post_init__, not arguments:
    # every field pattern in one (text that matches none of them, most field names, is
    # answered by one search instead of one per kind), and every phrase of every group for
    # one Aho-Corasick pass (phrases_in).
    any_field: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _phrase_list: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)
    _phrase_ac: AhoCorasick | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        alts = [f"(?:{k.pattern.pattern})" for k in self.fields if k.pattern is not None]
        object.__setattr__(self, "any_field", _compile("|".join(alts)) if alts else None)
        phrases = tuple(sorted({p for g in self.phrases for p in g.phrases if p}))
        object.__setattr__(self, "_phrase_list", phrases)
        object.__setattr__(self, "_phrase_ac", AhoCorasick(list(phrases)) if phrases else None)

    def phrases_in(self, text: str) -> set[str]:
        """The phrases of all groups that occur in ``text`` (as ``phrase in text`` says)."""
        if self._phrase_ac is None:
            return set()
        found = self._phrase_ac.find_matches_as_indexes(text, overlapping=True)
        return {self._phrase_list[k] for k, _, _ in found}

    @classmethod
    def from_documents(
        cls,
        fields_doc: Mapping[str, Any],
        wording_doc: Mapping[str, Any],
        endpoints_doc: Mapping[str, Any],
        rules_doc: Mapping[str, Any],
    ) -> PageLexicon:
        """Compile the four documents of ``data/page/``; bad content is a ConfigError."""
        try:
            kinds = tuple(
                FieldKind(
                    name=name,
                    weight=float(spec["weight"]),
                    pattern=_compile("|".join(f"(?:{fold(p)})" for p in spec["patterns"]))
                    if spec.get("patterns")
                    else None,
                    autocomplete=frozenset(spec.get("autocomplete") or ()),
                    types=frozenset(spec.get("types") or ()),
                    examples=spec.get("examples") or {},
                )
                for name, spec in fields_doc["kinds"].items()
            )
            groups = tuple(
                PhraseGroup(
                    name=name,
                    weight=float(spec["weight"]),
                    phrases=tuple(fold(p) for p in spec["phrases"]),
                    pattern=_compile("|".join(re.escape(fold(p)) for p in spec["phrases"])),
                    examples=spec.get("examples") or {},
                )
                for name, spec in wording_doc["groups"].items()
            )
            endpoints = tuple(
                _Endpoint(str(e["host"]).lower(), tuple(e.get("paths") or ()))
                for e in endpoints_doc["messenger"]
            )
            obf = dict(endpoints_doc["obfuscation"])
            markers = {k: _compile(v, flags=0) for k, v in obf.pop("markers").items()}
            hints = {k: v for k, v in obf.pop("hints", {}).items()}
            return cls(
                fields=kinds,
                sensitive=frozenset(fields_doc["sensitive"]),
                card_data=frozenset(fields_doc["card_data"]),
                phrases=groups,
                endpoints=endpoints,
                endpoint_examples=endpoints_doc.get("examples") or {},
                obfuscation=obf,
                markers=markers,
                marker_hints={k: hints.get(k) for k in markers},
                weights={k: float(v) for k, v in rules_doc["weights"].items()},
                brand_points={k: int(v) for k, v in rules_doc["brand_points"].items()},
                brand_min_points=int(rules_doc["brand_min_points"]),
                offer=_offer_pattern(rules_doc.get("offer_words") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"page lexicon is malformed: {exc!r}") from None

    def field_kind(self, haystack: str, autocomplete: str, input_type: str) -> str | None:
        """The kind of a field from its folded text, autocomplete token and type."""
        for kind in self.fields:
            if autocomplete and autocomplete in kind.autocomplete:
                return kind.name
        if haystack and (self.any_field is None or self.any_field.search(haystack)):
            for kind in self.fields:
                if kind.pattern is not None and kind.pattern.search(haystack):
                    return kind.name
        for kind in self.fields:
            if input_type in kind.types:
                return kind.name
        return None

    def messenger_host(self, host: str) -> bool:
        """True when ``host`` is a messenger endpoint's host or under one (whatever the path:
        a cheap first test before :meth:`messenger_endpoint`)."""
        host = host.lower().rstrip(".")
        return any(ep.covers(host) for ep in self.endpoints)

    def messenger_endpoint(self, host: str, path: str) -> bool:
        """True when ``host``/``path`` is a messenger or bot endpoint."""
        host = host.lower().rstrip(".")
        for ep in self.endpoints:
            if ep.covers(host) and (not ep.paths or any(path.startswith(p) for p in ep.paths)):
                return True
        return False

    def weight(self, name: str) -> float:
        try:
            return self.weights[name]
        except KeyError:
            raise ConfigError(f"page rules have no weight {name!r}") from None


def _offer_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """A payment-option word at the start of a word."""
    alts = "|".join(re.escape(fold(str(w))) for w in words if str(w).strip())
    return _compile(rf"(?<!\w)(?:{alts})") if alts else None


_SENTENCE_END = re.compile(r"[.!?|·]")
_OFFER_REACH = 60  # characters of a sentence around an offer word that it covers


def without_offers(offer: re.Pattern[str], text: str) -> str:
    """``text`` with the sentence fragment around each match of ``offer`` (up to 60
    characters on each side, not across a sentence's end) blanked out."""
    parts: list[str] = []
    at = 0
    for match in offer.finditer(text):
        start = max(at, match.start() - _OFFER_REACH)
        ends = [m.end() for m in _SENTENCE_END.finditer(text, start, match.start())]
        start = max(start, ends[-1] if ends else start)
        stop = _SENTENCE_END.search(text, match.end(), match.end() + _OFFER_REACH)
        end = stop.start() if stop else min(len(text), match.end() + _OFFER_REACH)
        parts.append(text[at:start])
        parts.append(" ")
        at = max(at, end)
    parts.append(text[at:])
    return "".join(parts)


def _compile(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"bad pattern {pattern!r}: {exc}") from None
