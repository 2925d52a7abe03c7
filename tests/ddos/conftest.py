"""Fixtures of the DDoS tests: the shared data folder and its labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def ddos_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "ddos"
    if not path.is_dir():
        pytest.skip("../shared/data/ddos is missing")
    return path


@pytest.fixture(scope="session")
def labels(ddos_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ddos_dir / "synthetic_scapy" / "labels.json").read_text())
    return doc
