"""Verdicts, reasons and indicators: the JSON contract every detector answers with.

A verdict is computed from its reasons, never set by hand: each reason carries a weight in
[-1, 1] (positive points to fraud, negative to legitimacy) and the score is their noisy-OR,
damped by the legitimacy reasons. The reasons are the explanation shown to people.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "LANGUAGES",
    "Indicator",
    "Label",
    "Reason",
    "Thresholds",
    "Verdict",
    "combine_weights",
]

Label = Literal["malicious", "suspicious", "benign"]
LANGUAGES: tuple[str, ...] = ("az", "ru", "en")


@dataclass(frozen=True, slots=True)
class Indicator:
    """Something that can be blocked or joined on: a URL, domain, phone number, card hash...

    ``value`` is never a clear card number: cards carry the masked PAN as value and the keyed
    hash in ``attrs["hash"]``.
    """

    kind: str
    value: str
    attrs: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "value": self.value}
        out.update(self.attrs)
        return out


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence and what it means.

    ``code`` is stable (``lookalike.homoglyph``), ``weight`` in [-1, 1], ``evidence`` the value
    or text span that triggered it, ``where`` its location (URL part, span, HTML element) and
    ``messages`` the explanation in az, ru and en.
    """

    code: str
    weight: float
    evidence: str = ""
    messages: Mapping[str, str] = field(default_factory=dict)
    where: str | None = None
    span: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not -1.0 <= self.weight <= 1.0 or math.isnan(self.weight):
            raise ValueError(f"reason {self.code}: weight {self.weight} outside [-1, 1]")

    @property
    def severity(self) -> str:
        """A coarse name for the weight: high, medium, low or info (legitimacy is info)."""
        if self.weight >= 0.7:
            return "high"
        if self.weight >= 0.4:
            return "medium"
        if self.weight > 0:
            return "low"
        return "info"

    def message(self, lang: str = "en") -> str:
        """The explanation in ``lang``, falling back to English, then to the code."""
        return self.messages.get(lang) or self.messages.get("en") or self.code

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "weight": round(self.weight, 4),
            "message": self.message(lang),
            "evidence": self.evidence,
        }
        if self.where is not None:
            out["where"] = self.where
        if self.span is not None:
            out["span"] = list(self.span)
        return out


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score cut-offs that turn a score into a label."""

    malicious: float = 0.8
    suspicious: float = 0.4

    def label(self, score: float) -> Label:
        if score >= self.malicious:
            return "malicious"
        if score >= self.suspicious:
            return "suspicious"
        return "benign"


def combine_weights(weights: Iterable[float]) -> float:
    """Noisy-OR of the positive weights, damped by each negative (legitimacy) weight."""
    keep_benign = 1.0
    damp = 1.0
    for w in weights:
        if w > 0:
            keep_benign *= 1.0 - w
        elif w < 0:
            damp *= 1.0 + w
    return max(0.0, min(1.0, (1.0 - keep_benign) * damp))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a detector concluded about one input. Build it with :meth:`from_reasons`."""

    kind: str
    input: str
    verdict: Label
    score: float
    reasons: tuple[Reason, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    brand: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_reasons(
        cls,
        kind: str,
        input: str,
        reasons: Iterable[Reason],
        *,
        indicators: Iterable[Indicator] = (),
        brand: str | None = None,
        extra: Mapping[str, Any] | None = None,
        thresholds: Thresholds = Thresholds(),
    ) -> Verdict:
        """Compute score and label from the reasons, strongest reason first."""
        ordered = tuple(sorted(reasons, key=lambda r: (-r.weight, r.code)))
        score = round(combine_weights(r.weight for r in ordered), 6)
        return cls(
            kind=kind,
            input=input,
            verdict=thresholds.label(score),
            score=score,
            reasons=ordered,
            indicators=_unique(indicators),
            brand=brand,
            extra=dict(extra or {}),
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON object of ../shared/DESIGN.md (plus detector extras such as ``scheme``)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "input": self.input,
            "verdict": self.verdict,
            "score": self.score,
            "brand": self.brand,
            "reasons": [r.to_dict(lang) for r in self.reasons],
            "indicators": [i.to_dict() for i in self.indicators],
        }
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out


def _unique(indicators: Iterable[Indicator]) -> tuple[Indicator, ...]:
    seen: set[tuple[str, str]] = set()
    out: list[Indicator] = []
    for ind in indicators:
        key = (ind.kind, ind.value)
        if key not in seen:
            seen.add(key)
            out.append(ind)
    return tuple(out)
