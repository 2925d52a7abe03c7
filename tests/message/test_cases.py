"""Data-driven cases: tests/message/cases/messages.yaml (verdict, scheme, reason codes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from qalxan.detect.message import MessageDetector, MessageInput

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "messages.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:40])
def test_case(detector: MessageDetector, case: dict[str, Any]) -> None:
    v = detector.analyze(MessageInput(case["text"], sender=case.get("sender")))
    expected = case["verdict"]
    allowed = expected if isinstance(expected, list) else [expected]
    assert v.verdict in allowed, (v.verdict, v.score, v.codes)
    if "scheme" in case:
        assert v.extra["scheme"] == case["scheme"], v.codes
    if "brand" in case:
        assert v.brand == case["brand"]
    for code in case.get("codes", ()):
        assert code in v.codes, (code, v.codes)
    for code in case.get("absent", ()):
        assert code not in v.codes, (code, v.codes)
