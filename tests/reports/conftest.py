"""Fixtures of the reports area: clients over a migrated SQLite store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qalxan.settings import Settings
from qalxan.store import Store

from .support import build_app


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[Store]:
    store = Store(settings.database_url)
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture
def make_client(settings: Settings, sqlite_store: Store) -> Iterator[Callable[..., TestClient]]:
    """``make_client(workers=0, ...)``: a TestClient (lifespan started) over the SQLite store."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        detectors = overrides.pop("detectors", True)
        app = build_app(settings, sqlite_store, detectors=detectors, **overrides)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
