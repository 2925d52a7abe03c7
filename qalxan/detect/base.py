"""The detector contract (after scikit-learn's estimator API).

- ``__init__`` only stores its keyword parameters (reference data, models, thresholds).
- Stateful detectors learn in ``fit()``, which returns ``self``; learned state ends in ``_``.
- ``analyze()`` has no side effects and does no I/O: the same input gives the same verdict.
- ``conformance_inputs()`` gives a few inputs the shared conformance test runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from qalxan.domain.verdict import Verdict

__all__ = ["Detector"]


@runtime_checkable
class Detector(Protocol):
    """What every registered detector offers."""

    kind: ClassVar[str]

    def analyze(self, item: Any) -> Verdict:
        """Judge one input and explain why."""
        ...

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        """Inputs for the shared conformance test (good and bad ones)."""
        ...
