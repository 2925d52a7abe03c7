"""Fixtures of the url tests: one engine and detector for the whole module (building the
screening automaton takes a fraction of a second; the detector is pure)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qalxan.detect.url import UrlDetector
from qalxan.service import Engine
from qalxan.settings import Settings


@pytest.fixture(scope="session")
def url_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    tmp = tmp_path_factory.mktemp("url")
    return Engine(Settings(database_url=f"sqlite:///{tmp / 'q.db'}", var_dir=tmp))


@pytest.fixture(scope="session")
def detector(url_engine: Engine) -> Iterator[UrlDetector]:
    det = url_engine.detector("url")
    assert isinstance(det, UrlDetector)
    yield det
