"""Start-up: apply migrations and load reference data, idempotently."""

from __future__ import annotations

import importlib

from qalxan.settings import Settings
from qalxan.store import Store

__all__ = ["REFERENCE_LOADERS", "prepare"]

# ``loader(settings, store) -> str`` summaries; listed explicitly.
REFERENCE_LOADERS: tuple[str, ...] = ("qalxan.service.brands:seed_brands",)


def prepare(settings: Settings, store: Store) -> str:
    """Migrate the store and load reference data; running it twice changes nothing."""
    store.migrate()
    parts = ["migrations applied"]
    if settings.load_reference_data:
        for target in REFERENCE_LOADERS:
            module_name, _, attr = target.partition(":")
            parts.append(getattr(importlib.import_module(module_name), attr)(settings, store))
    return "; ".join(parts)
