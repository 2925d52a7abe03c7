"""Dependencies that hand routes the process-wide objects kept on ``app.state``."""

from __future__ import annotations

from fastapi import Request

from qalxan.service import Engine
from qalxan.settings import Settings
from qalxan.store import Store

__all__ = ["get_engine", "get_settings", "get_store"]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store
