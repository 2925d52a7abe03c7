"""HTTP API: a FastAPI app factory and versioned routers. Thin: parse, call a service, answer."""

from qalxan.api.app import create_app

__all__ = ["create_app"]
