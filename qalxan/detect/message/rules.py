"""Data-driven message rules: stable ids, folded regular expressions, examples.

A rule document (one YAML file per language under ``qalxan/data/message/``) lists rules::

    - id: az.otp.tell_code          # stable, unique over all files
      scheme: otp_request           # the scheme it names (null for context rules)
      reason: message.otp_request   # reason code (translated in data/reasons/message.yaml)
      weight: 0.85                  # in [-1, 1]; negative for legitimacy rules
      any: [regex, ...]             # one must match (its match is the evidence)
      all: [regex, ...]             # each must also match somewhere (optional)
      none: [regex, ...]            # none may match (optional)
      requires: [phone, short_code] # one of these indicator kinds must be present (optional)
      examples: {positive: [...], negative: [...]}

Patterns are written in lowercase and folded with the message normaliser, so one pattern
covers diacritics or none, ə written as a or e, and Cyrillic. A rule with a negative weight
(a legitimacy rule) only counts when no fraud rule of weight 0.5 or more fired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qalxan.detect.message.normalize import Normalizer
from qalxan.detect.message.triggers import necessary_literals
from qalxan.domain.errors import ConfigError

__all__ = ["Rule", "RuleHit", "RuleSet"]

_ID = re.compile(r"^[a-z]{2}\.[a-z0-9_]+(?:\.[a-z0-9_]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule (see the module docstring for the fields)."""

    id: str
    lang: str
    scheme: str | None
    reason: str
    weight: float
    any: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]
    requires: tuple[str, ...]
    positives: tuple[str, ...]
    negatives: tuple[str, ...]

    @property
    def legit(self) -> bool:
        return self.weight < 0

    def match(self, folded: str, kinds: Iterable[str]) -> re.Match[str] | None:
        """The evidence match on a folded text, or None when the rule does not fire."""
        if self.requires:
            present = kinds if isinstance(kinds, (set, frozenset)) else frozenset(kinds)
            if present.isdisjoint(self.requires):
                return None
        hit = None
        for pattern in self.any:
            hit = pattern.search(folded)
            if hit:
                break
        if hit is None:
            return None
        if any(p.search(folded) is None for p in self.all):
            return None
        if any(p.search(folded) for p in self.none):
            return None
        return hit


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired, with the folded span of its evidence."""

    rule: Rule
    start: int
    end: int


def _compile(
    normalizer: Normalizer, patterns: Sequence[str], where: str
) -> tuple[re.Pattern[str], ...]:
    out = []
    for p in patterns or ():
        try:
            out.append(re.compile(normalizer.fold_pattern(str(p))))
        except (re.error, ValueError) as exc:
            raise ConfigError(f"{where}: bad pattern {p!r}: {exc}") from None
    return tuple(out)


def _rule(doc: Mapping[str, Any], lang: str, normalizer: Normalizer) -> Rule:
    rid = str(doc.get("id", ""))
    if not _ID.match(rid):
        raise ConfigError(f"rule id {rid!r} is not of the form <lang>.<name>[.<name>]")
    examples = doc.get("examples") or {}
    weight = float(doc["weight"])
    if not -1.0 <= weight <= 1.0:
        raise ConfigError(f"rule {rid}: weight {weight} outside [-1, 1]")
    rule = Rule(
        id=rid,
        lang=lang,
        scheme=doc.get("scheme"),
        reason=str(doc["reason"]),
        weight=weight,
        any=_compile(normalizer, doc.get("any") or (), rid),
        all=_compile(normalizer, doc.get("all") or (), rid),
        none=_compile(normalizer, doc.get("none") or (), rid),
        requires=tuple(doc.get("requires") or ()),
        positives=tuple(str(x) for x in examples.get("positive") or ()),
        negatives=tuple(str(x) for x in examples.get("negative") or ()),
    )
    if not rule.any:
        raise ConfigError(f"rule {rid}: needs at least one 'any' pattern")
    if not rule.positives or not rule.negatives:
        raise ConfigError(f"rule {rid}: needs positive and negative examples")
    return rule


class RuleSet:
    """All rules of all languages, and one combined pattern for the batch prefilter."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        seen: set[str] = set()
        for r in rules:
            if r.id in seen:
                raise ConfigError(f"rule id {r.id!r} appears twice")
            seen.add(r.id)
        self.rules = tuple(rules)
        # Literal triggers: a rule can only fire on a folded text that contains one of the
        # literals its ``any`` patterns need. Rules with a pattern without a usable literal
        # are evaluated on every text; the fraud ones among them form the ``residual``
        # pattern of the batch prefilter. ``fraud_triggers`` are the literals of the fraud
        # rules alone: the batch prefilter looks for those (a legitimacy rule firing on its
        # own changes no score).
        trigger_map: dict[str, set[int]] = {}
        fraud_map: dict[str, set[int]] = {}
        always: list[int] = []
        residual: list[str] = []
        for i, rule in enumerate(self.rules):
            found = [necessary_literals(p.pattern) for p in rule.any]
            if any(f is None for f in found):
                always.append(i)
                if not rule.legit:
                    residual += [
                        p.pattern for p, f in zip(rule.any, found, strict=True) if f is None
                    ]
                continue
            for lits in found:
                for lit in lits or ():
                    trigger_map.setdefault(lit, set()).add(i)
                    if not rule.legit:
                        fraud_map.setdefault(lit, set()).add(i)
        self.trigger_map = {k: frozenset(v) for k, v in trigger_map.items()}
        self.fraud_map = {k: frozenset(v) for k, v in fraud_map.items()}
        self.triggers = frozenset(trigger_map)
        self.fraud_triggers = frozenset(fraud_map)
        self.always = frozenset(always)
        self.residual = re.compile("|".join(f"(?:{p})" for p in residual)) if residual else None

    @classmethod
    def from_documents(
        cls, docs: Mapping[str, Mapping[str, Any]], normalizer: Normalizer
    ) -> RuleSet:
        """Compile rule documents ``{lang: {"rules": [...]}}``."""
        rules = [
            _rule(entry, lang, normalizer)
            for lang, doc in docs.items()
            for entry in (doc.get("rules") or ())
        ]
        return cls(rules)

    def candidates(self, found_triggers: Iterable[str]) -> frozenset[int]:
        """Indexes of the rules worth evaluating on a text containing ``found_triggers``
        (literals of :attr:`triggers`)."""
        out = set(self.always)
        for lit in found_triggers:
            out |= self.trigger_map.get(lit, frozenset())
        return frozenset(out)

    def fraud_candidates(self, found_triggers: Iterable[str]) -> set[int]:
        """Indexes of the fraud rules with literals that ``found_triggers`` (literals of
        :attr:`fraud_triggers`) make possible."""
        out: set[int] = set()
        for lit in found_triggers:
            out |= self.fraud_map.get(lit, frozenset())
        return out

    def evaluate(
        self, folded: str, kinds: Iterable[str], candidates: frozenset[int] | None = None
    ) -> list[RuleHit]:
        """Rules that fire on ``folded`` (only ``candidates`` when given, see
        :meth:`candidates`); legitimacy rules drop out when fraud rules fired."""
        kinds = frozenset(kinds)
        hits: list[RuleHit] = []
        order = range(len(self.rules)) if candidates is None else sorted(candidates)
        for i in order:  # the rules' order, so that the same hits come in the same order
            rule = self.rules[i]
            m = rule.match(folded, kinds)
            if m is not None:
                hits.append(RuleHit(rule, m.start(), m.end()))
        if any(h.rule.weight >= 0.5 for h in hits):
            hits = [h for h in hits if not h.rule.legit]
        return hits
