"""Fixtures of the message tests: one engine and detector per session (loading is cheap,
but rules compile and the model loads once)."""

from __future__ import annotations

import pytest

from qalxan.detect.message import MessageDetector
from qalxan.service import Engine
from qalxan.settings import Settings


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(Settings(database_url="sqlite://"))


@pytest.fixture(scope="session")
def detector(engine: Engine) -> MessageDetector:
    det: MessageDetector = engine.detector("message")
    return det
