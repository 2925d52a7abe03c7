"""The shared conformance test over every registered detector (DETECTOR_BUILDERS).

A detector whose builder still says "not built yet" is skipped (its area fills it in);
every other one must: offer conformance inputs, be deterministic, score in [0, 1] with a
label that matches the thresholds, serialise to JSON, and use only catalogued reason codes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from qalxan.domain.errors import ConfigError, ParseError
from qalxan.domain.verdict import Thresholds, Verdict
from qalxan.service import DETECTOR_BUILDERS, Engine
from qalxan.settings import Settings
from qalxan.testing import FakeDetector


def _build(engine: Engine, kind: str) -> Any:
    try:
        return engine.detector(kind)
    except ConfigError as exc:
        if "not built yet" in str(exc):
            pytest.skip(f"{kind}: {exc}")
        raise


def thresholds_of(detector: Any) -> Thresholds:
    """The detector's own ``thresholds`` (or learned ``thresholds_``), else the defaults."""
    for name in ("thresholds", "thresholds_"):
        value = getattr(detector, name, None)
        if isinstance(value, Thresholds):
            return value
    return Thresholds()


def check_conformance(detector: Any, reasons: Any, thresholds: Thresholds | None = None) -> None:
    """Assertions every detector passes; importable by other areas' tests."""
    inputs = list(detector.conformance_inputs())
    assert inputs, "conformance_inputs() is empty"
    labelled: list[Verdict] = []
    assert isinstance(detector.kind, str) and detector.kind
    for item in inputs:
        try:
            first = detector.analyze(item)
        except ParseError:
            continue  # a documented refusal of bad input is allowed
        second = detector.analyze(item)
        assert isinstance(first, Verdict)
        assert first.to_dict() == second.to_dict(), f"not deterministic on {item!r}"
        assert 0.0 <= first.score <= 1.0
        cuts = thresholds or thresholds_of(detector)
        assert first.verdict == cuts.label(first.score), f"label does not fit score on {item!r}"
        json.dumps(first.to_dict(), ensure_ascii=False)
        for code in first.codes:
            assert code in reasons, f"reason code {code!r} is not in the catalogue"
        labelled.append(first)
    assert labelled, "every conformance input was refused"


@pytest.mark.parametrize("kind", sorted(DETECTOR_BUILDERS))
def test_registered_detector_conforms(kind: str, settings: Settings) -> None:
    engine = Engine(settings)
    detector = _build(engine, kind)
    check_conformance(detector, engine.reasons)


def test_checker_passes_a_good_detector_and_fails_a_bad_one(settings: Settings) -> None:
    engine = Engine(settings)
    catalogue = engine.reasons.merged(
        type(engine.reasons).from_mapping({"fake.score": {"az": "x", "ru": "x", "en": "x"}})
    )
    check_conformance(FakeDetector("fake", lambda item: 0.9 if item else 0.0), catalogue)
    with pytest.raises(AssertionError, match="catalogue"):
        check_conformance(FakeDetector("fake", lambda item: 0.9 if item else 0.0), engine.reasons)

    class Flaky(FakeDetector):
        calls = 0

        def analyze(self, item: Any) -> Verdict:
            Flaky.calls += 1
            return Verdict.from_reasons("flaky", f"{item}{Flaky.calls}", [])

    with pytest.raises(AssertionError, match="deterministic"):
        check_conformance(Flaky("flaky"), catalogue)

    class Mislabelled(FakeDetector):
        def analyze(self, item: Any) -> Verdict:
            return Verdict("fake", str(item), "malicious", 0.1)

    with pytest.raises(AssertionError, match="label"):
        check_conformance(Mislabelled("fake"), catalogue)
