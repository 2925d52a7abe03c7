"""Storage adapter: SQLAlchemy 2 models, Alembic migrations, SQLite default, PostgreSQL at scale."""

from qalxan.store.base import Base, utcnow
from qalxan.store.db import Store

__all__ = ["Base", "Store", "utcnow"]
