"""Routers of the API, listed explicitly (no discovery). Each module exposes ``router``."""

ROUTER_MODULES: tuple[str, ...] = (
    "qalxan.api.routes.health",
    "qalxan.api.routes.brands",
    "qalxan.api.routes.keys",
    "qalxan.api.routes.check_url",
    "qalxan.api.routes.check_message",
    "qalxan.api.routes.check_page",
    "qalxan.api.routes.ddos",
    "qalxan.api.routes.reports",
    "qalxan.web.routes",
)

__all__ = ["ROUTER_MODULES"]
