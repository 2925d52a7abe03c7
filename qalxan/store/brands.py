"""The brand registry in the store: seeded from the package YAML, edited by analysts.

Seeding is idempotent: a brand the seed wrote is refreshed when the seed changes, a brand an
analyst wrote (``source == "analyst"``) is never overwritten, and nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, inspect, select

from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.errors import ConflictError, NotFoundError
from qalxan.store.audit import aware, record_audit
from qalxan.store.db import Store
from qalxan.store.models.core import BrandRow

__all__ = ["BrandRecord", "BrandStore", "SeedResult"]


@dataclass(frozen=True, slots=True)
class BrandRecord:
    """A stored brand with where it came from."""

    brand: Brand
    source: str
    updated_at: datetime
    updated_by: str | None

    def to_dict(self) -> dict[str, Any]:
        out = self.brand.to_dict()
        out.update(
            source=self.source, updated_at=self.updated_at.isoformat(), updated_by=self.updated_by
        )
        return out


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What one seeding run did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_analyst: int = 0

    def __str__(self) -> str:
        return (
            f"brands: {self.inserted} inserted, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept_analyst} analyst-edited kept"
        )


def _record(row: BrandRow) -> BrandRecord:
    return BrandRecord(
        Brand.from_dict(row.document), row.source, aware(row.updated_at), row.updated_by
    )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "changed": changed,
        "before": {k: before.get(k) for k in changed},
        "after": {k: after.get(k) for k in changed},
    }


class BrandStore:
    """Repository of brands."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def is_ready(self) -> bool:
        """True when the store has been migrated (the brands table exists)."""
        return inspect(self.store.engine).has_table(BrandRow.__tablename__)

    def count(self) -> int:
        with self.store.read() as session:
            return int(session.scalar(select(func.count()).select_from(BrandRow)) or 0)

    def all(self) -> list[BrandRecord]:
        with self.store.read() as session:
            return [_record(r) for r in session.scalars(select(BrandRow).order_by(BrandRow.id))]

    def get(self, brand_id: str) -> BrandRecord | None:
        with self.store.read() as session:
            row = session.get(BrandRow, brand_id)
            return None if row is None else _record(row)

    def registry(self) -> BrandRegistry:
        """The brands in force, as the detectors see them."""
        return BrandRegistry(r.brand for r in self.all())

    def seed(self, registry: BrandRegistry) -> SeedResult:
        """Load the packaged registry; never touches a brand an analyst edited."""
        counts = {"inserted": 0, "updated": 0, "unchanged": 0, "kept_analyst": 0}
        now = datetime.now(UTC)
        with self.store.write() as session:
            rows = {r.id: r for r in session.scalars(select(BrandRow))}
            for brand in registry:
                doc = brand.to_dict()
                row = rows.get(brand.id)
                if row is None:
                    session.add(BrandRow(id=brand.id, document=doc, source="seed", updated_at=now))
                    counts["inserted"] += 1
                elif row.source != "seed":
                    counts["kept_analyst"] += 1
                elif row.document == doc:
                    counts["unchanged"] += 1
                else:
                    row.document, row.updated_at = doc, now
                    counts["updated"] += 1
        return SeedResult(**counts)

    def create(self, brand: Brand, *, actor: str) -> BrandRecord:
        """Add a new brand (409 if the id exists), with an audit line."""
        now = datetime.now(UTC)
        with self.store.write() as session:
            if session.get(BrandRow, brand.id) is not None:
                raise ConflictError(f"brand {brand.id!r} already exists")
            doc = brand.to_dict()
            session.add(
                BrandRow(
                    id=brand.id, document=doc, source="analyst", updated_at=now, updated_by=actor
                )
            )
            record_audit(
                session,
                actor=actor,
                action="brand.create",
                object_type="brand",
                object_id=brand.id,
                summary=_diff({}, doc),
            )
        return BrandRecord(brand, "analyst", now, actor)

    def replace(self, brand: Brand, *, actor: str) -> BrandRecord:
        """Replace a stored brand (404 if absent); it becomes analyst-owned. Audited."""
        now = datetime.now(UTC)
        with self.store.write() as session:
            row = session.get(BrandRow, brand.id)
            if row is None:
                raise NotFoundError(f"no brand {brand.id!r}")
            before, after = dict(row.document), brand.to_dict()
            row.document, row.source, row.updated_at, row.updated_by = after, "analyst", now, actor
            record_audit(
                session,
                actor=actor,
                action="brand.update",
                object_type="brand",
                object_id=brand.id,
                summary=_diff(before, after),
            )
        return BrandRecord(brand, "analyst", now, actor)
