"""Fixtures for the core API tests: a prepared store, the full app, keys of each scope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qalxan.api import create_app
from qalxan.api.auth import SCOPES
from qalxan.service.bootstrap import prepare
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.keys import KeyStore


@pytest.fixture
def prepared(settings: Settings) -> Iterator[Store]:
    """A migrated and seeded SQLite store."""
    store = Store(settings.database_url)
    prepare(settings, store)
    try:
        yield store
    finally:
        store.dispose()


@pytest.fixture
def app(settings: Settings, prepared: Store) -> FastAPI:
    """The whole app, every router included."""
    return create_app(settings, store=prepared)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def tokens(prepared: Store) -> dict[str, str]:
    """One key per scope: ``{"analyst": "qx_...", ...}``."""
    keys = KeyStore(prepared)
    return {scope: keys.create(f"test-{scope}", [scope], actor="test")[1] for scope in SCOPES}
