"""The app of one ``qalxan serve`` worker process, built from the environment.

With ``--workers N`` uvicorn starts N processes that each import this factory
(``qalxan.api.asgi:app_from_env``) and build their own app from the same ``QALXAN_*``
environment. The parent process has already migrated the store and loaded reference data.
"""

from __future__ import annotations

from fastapi import FastAPI

from qalxan.api.app import create_app
from qalxan.settings import Settings

__all__ = ["app_from_env"]


def app_from_env() -> FastAPI:
    """The app for this process's ``QALXAN_*`` settings."""
    return create_app(Settings())
