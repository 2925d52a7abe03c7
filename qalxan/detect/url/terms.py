"""Brand terms: the names a lookalike imitates, derived from the brand registry.

Each brand gives the labels of its official domains (``kapitalbank`` of ``kapitalbank.az``)
and its keywords, folded to their skeleton. A term is *distinctive* when it is long and not
an ordinary word: only distinctive terms are searched as substrings and with edits on any
suffix. Short or ordinary terms (``nar``, ``tap``, ``kapital``) match as exact tokens, and
with edits only on the brand's own public suffix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qalxan.detect.url.skeleton import Confusables
from qalxan.domain.brands import BrandRegistry
from qalxan.domain.errors import ConfigError, DomainError
from qalxan.domain.url import split_domain

__all__ = ["LookalikeConfig", "Term", "build_terms"]


@dataclass(frozen=True, slots=True)
class Term:
    """A brand name as it appears in domains, with the official domain it stands for."""

    text: str
    brand: str
    official: str
    suffix: str
    own_label: bool
    distinctive: bool
    typo_anywhere: bool = False
    # The text without hyphens (derived; kept because every look-up compares it).
    compact: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compact", self.text.replace("-", ""))

    @property
    def typo_own_suffix(self) -> bool:
        """Edits of this term count on the brand's own suffix."""
        return self.distinctive or self.own_label


@dataclass(frozen=True)
class LookalikeConfig:
    """The content of ``data/url/lookalike.yaml``."""

    combo_words: frozenset[str] = frozenset()
    country_codes: tuple[str, ...] = ("az",)
    generic_words: frozenset[str] = frozenset()
    strong_words: frozenset[str] = frozenset()
    affix_words: tuple[str, ...] = ()
    legitimate: frozenset[str] = frozenset()
    restricted_tlds: frozenset[str] = frozenset()
    restricted_labels: frozenset[str] = frozenset()
    path_lure_words: tuple[str, ...] = ()
    plain_names: frozenset[str] = frozenset()
    local_words: frozenset[str] = frozenset()
    short_length: int = 5
    typo_anywhere_length: int = 8
    two_edit_length: int = 10
    any_replacement_length: int = 0
    ascii_glyphs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sequences: Mapping[str, str] = field(default_factory=dict)
    loose: Mapping[str, str] = field(default_factory=dict)
    keyboard: Mapping[str, str] = field(default_factory=dict)
    transliteration: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cyrillic_words: frozenset[str] = frozenset()
    weights: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> LookalikeConfig:
        """Validate and build the configuration from its YAML document."""
        try:
            weights = {str(k): float(v) for k, v in doc["weights"].items()}
            return cls(
                combo_words=frozenset(str(w).lower() for w in doc["combo_words"]),
                country_codes=tuple(str(c).lower() for c in doc["country_codes"]),
                generic_words=frozenset(str(w).lower() for w in doc["generic_words"]),
                strong_words=frozenset(str(w).lower() for w in doc["strong_words"]),
                affix_words=tuple(str(w).lower() for w in doc["affix_words"]),
                legitimate=frozenset(str(d).lower() for d in doc["legitimate_lookalikes"]),
                restricted_tlds=frozenset(str(t).lower() for t in doc["restricted_tlds"]),
                restricted_labels=frozenset(str(t).lower() for t in doc["restricted_labels"]),
                path_lure_words=tuple(str(w).lower() for w in doc.get("path_lure_words") or ()),
                plain_names=frozenset(str(w).lower() for w in doc.get("plain_names") or ()),
                local_words=frozenset(str(w).lower() for w in doc.get("local_words") or ()),
                short_length=int(doc["short_length"]),
                typo_anywhere_length=int(doc["typo_anywhere_length"]),
                two_edit_length=int(doc["two_edit_length"]),
                any_replacement_length=int(doc.get("any_replacement_length", 0)),
                ascii_glyphs={str(k): tuple(map(str, v)) for k, v in doc["ascii_glyphs"].items()},
                sequences={str(k): str(v) for k, v in doc["sequences"].items()},
                loose={str(k): str(v) for k, v in doc["loose"].items()},
                keyboard={str(k): str(v) for k, v in doc["keyboard"].items()},
                transliteration={
                    str(k): tuple(str(x) for x in v)
                    for k, v in (doc.get("transliteration") or {}).items()
                },
                cyrillic_words=frozenset(str(w).lower() for w in doc.get("cyrillic_words") or ()),
                weights=weights,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"lookalike configuration is invalid: {exc!r}") from None

    def restricted(self, suffix: str) -> bool:
        """Whether only governments, armed forces or universities register names under the
        public suffix ``suffix`` (``gov``, ``edu``, ``gov.au``; not ``com.au``, and not
        ``ac.uk`` or ``edu.pl``, which ``lookalike.yaml`` leaves out)."""
        labels = suffix.split(".")
        if len(labels) == 1:
            return labels[0] in self.restricted_tlds
        return len(labels) == 2 and labels[0] in self.restricted_labels

    def weight(self, name: str) -> float:
        try:
            return self.weights[name]
        except KeyError:
            raise ConfigError(f"lookalike weight {name!r} is missing") from None


def _official_for(keyword: str, domains: Sequence[tuple[str, str, str]]) -> tuple[str, str]:
    """The official domain a keyword stands for: same label, else overlapping label."""
    for dom, label, suffix in domains:
        if label.replace("-", "") == keyword:
            return dom, suffix
    for dom, label, suffix in domains:
        flat = label.replace("-", "")
        if flat and (flat in keyword or keyword in flat):
            return dom, suffix
    return domains[0][0], domains[0][2]


def build_terms(
    brands: BrandRegistry, confusables: Confusables, config: LookalikeConfig
) -> tuple[Term, ...]:
    """Terms of every brand (first brand wins when two brands share a term)."""
    seen: dict[str, Term] = {}
    for brand in brands:
        domains = _parsed_domains(brand.domains)
        if not domains:
            continue
        candidates: list[tuple[str, str, str, bool]] = [
            (confusables.skeleton(label), dom, suffix, True) for dom, label, suffix in domains
        ]
        for keyword in brand.keywords:
            skel = confusables.skeleton(keyword.replace(".", "-"))
            official, suffix = _official_for(skel.replace("-", ""), domains)
            candidates.append((skel, official, suffix, False))
        for text, official, suffix, own in candidates:
            text = text.strip("-")
            compact = text.replace("-", "")
            # a name that is itself a glue word (my of my.gov.az) cannot be told from the glue
            if len(compact) < 3 or compact in seen or compact in config.combo_words:
                continue
            generic = compact in config.generic_words or text in config.generic_words
            distinctive = len(compact) > config.short_length and not generic
            core = _core(compact, config.affix_words)
            anywhere = (
                distinctive
                and len(compact) >= config.typo_anywhere_length
                and len(core) >= config.short_length
            )
            seen[compact] = Term(text, brand.id, official, suffix, own, distinctive, anywhere)
    return tuple(seen.values())


def _core(compact: str, affixes: Sequence[str]) -> str:
    """The name without ordinary affixes (``birbank`` -> ``bir``)."""
    for affix in affixes:
        if compact.endswith(affix) and len(compact) > len(affix):
            compact = compact[: -len(affix)]
        if compact.startswith(affix) and len(compact) > len(affix):
            compact = compact[len(affix) :]
    return compact


def _parsed_domains(domains: Iterable[str]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for dom in domains:
        try:
            parts = split_domain(dom)
        except DomainError:
            continue
        if parts.is_ip or not parts.suffix:
            continue
        out.append((parts.registered, parts.label, parts.suffix))
    return out
