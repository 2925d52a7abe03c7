"""Test doubles shipped with the package (for Qalxan's tests and for integrators)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from qalxan.domain.verdict import Reason, Verdict

__all__ = ["FakeDetector"]


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
