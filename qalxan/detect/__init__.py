"""Detectors: pure functions of their input plus loaded reference data.

Each subpackage extracts features (with where they were found), applies data-driven rules and
models, and returns a :class:`~qalxan.domain.verdict.Verdict`. Detectors import only
:mod:`qalxan.domain` and third-party libraries (a test enforces it); content such as the
brand registry, lexicons and models is passed to their ``__init__``.
"""

from qalxan.detect.base import Detector

__all__ = ["Detector"]
