"""Store models, one module per area, imported here explicitly so Alembic sees every table."""

from qalxan.store.base import Base

# Each area adds its module to this import list (no discovery by scanning).
MODEL_MODULES: tuple[str, ...] = (
    "qalxan.store.models.core",
    "qalxan.store.models.ddos",
    "qalxan.store.models.reports",
    "qalxan.store.models.page",
)

__all__ = ["MODEL_MODULES", "Base"]
