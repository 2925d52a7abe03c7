"""Test doubles shipped with the package (for Qalxan's tests and for integrators)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from qalxan.domain.verdict import Indicator, Reason, Verdict

__all__ = ["FakeDetector", "ScriptedDetector"]


class FakeDetector:
    """A detector that answers from a function of the input: ``score_of(item) -> weight``.

    Register it with ``engine.register(kind, FakeDetector(kind, ...))``.
    """

    kind: ClassVar[str] = "fake"

    def __init__(self, kind: str, score_of: Callable[[Any], float] = lambda _: 0.0) -> None:
        self.kind_name = kind
        self.score_of = score_of

    def analyze(self, item: Any) -> Verdict:
        weight = max(-1.0, min(1.0, self.score_of(item)))
        reasons = [Reason("fake.score", weight, str(item)[:80])] if weight else []
        return Verdict.from_reasons(self.kind_name, str(item), reasons)

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        return ["x", ""]


_URLS = re.compile(r"https?://[^\s<>\"']+")


class ScriptedDetector:
    """A detector double with explanations: each rule is ``(pattern, weight, code, messages)``.

    Every rule whose pattern matches the input adds a reason (messages in az/ru/en); URLs in
    the input become ``url`` indicators; ``brand`` and ``extra["scheme"]`` are set when a rule
    fired. Use it to test what consumers do with reasons, indicators, brands and schemes.
    """

    kind: ClassVar[str] = "scripted"

    def __init__(
        self,
        kind: str,
        rules: Sequence[tuple[re.Pattern[str], float, str, Mapping[str, str]]] = (),
        *,
        brand: str | None = None,
        scheme: str | None = None,
    ) -> None:
        self.kind_name = kind
        self.rules = rules
        self.brand = brand
        self.scheme = scheme
        self.calls: list[str] = []

    def analyze(self, item: Any) -> Verdict:
        text = str(getattr(item, "text", item))
        self.calls.append(text)
        reasons = [
            Reason(code, weight, m.group(0), dict(messages), where="text", span=m.span())
            for pattern, weight, code, messages in self.rules
            if (m := pattern.search(text))
        ]
        indicators = [Indicator("url", u) for u in _URLS.findall(text)]
        fired = bool(reasons)
        return Verdict.from_reasons(
            self.kind_name,
            text,
            reasons,
            indicators=indicators,
            brand=self.brand if fired else None,
            extra={"scheme": self.scheme} if fired and self.scheme else None,
        )

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        return ["x", ""]
