"""Fixtures for the collector tests: the akvorado captures."""

from __future__ import annotations

from pathlib import Path

import pytest

from .flow_pcaps import AKVORADO


@pytest.fixture(scope="session")
def akvorado(shared_dir: Path) -> Path:
    folder = shared_dir / AKVORADO
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    return folder
