"""The brand registry in force: the store's copy when migrated, else the packaged seed."""

from __future__ import annotations

from qalxan.data import load_brands
from qalxan.domain.brands import BrandRegistry
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.brands import BrandStore

__all__ = ["seed_brands", "stored_brands"]


def seed_brands(settings: Settings, store: Store) -> str:
    """Reference loader: put the packaged registry into the store (idempotent)."""
    del settings  # the seed does not depend on settings
    return str(BrandStore(store).seed(load_brands()))


def stored_brands(store: Store) -> BrandRegistry | None:
    """The store's registry, or None when the store is not migrated or holds no brand."""
    repo = BrandStore(store)
    if not repo.is_ready() or repo.count() == 0:
        return None
    return repo.registry()
