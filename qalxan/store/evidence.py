"""The evidence repository: files named by SHA-256 under one folder, rows in ``page_evidence``."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qalxan.domain.errors import ConfigError, NotFoundError
from qalxan.store.base import utcnow
from qalxan.store.db import Store
from qalxan.store.models.page import EVIDENCE_KINDS, EvidenceItem

__all__ = ["EvidenceRecord", "EvidenceRepository"]


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One stored piece of evidence (without its bytes)."""

    id: int
    kind: str
    sha256: str
    size: int
    media_type: str
    url: str | None
    path: str
    fetched_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "url": self.url,
            "fetched_at": self.fetched_at.isoformat(),
        }


def _record(row: EvidenceItem) -> EvidenceRecord:
    return EvidenceRecord(
        row.id, row.kind, row.sha256, row.size, row.media_type, row.url, row.path, row.fetched_at
    )


class EvidenceRepository:
    """Adds and reads evidence; the same bytes are written to disk only once."""

    def __init__(self, store: Store, root: Path) -> None:
        self.store = store
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        url: str | None = None,
        media_type: str = "application/octet-stream",
        fetched_at: datetime | None = None,
    ) -> EvidenceRecord:
        """Keep ``data`` as evidence of ``kind`` seen at ``url``."""
        if kind not in EVIDENCE_KINDS:
            raise ConfigError(f"unknown evidence kind {kind!r}")
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        with self.store.write() as session:
            row = EvidenceItem(
                kind=kind,
                sha256=digest,
                size=len(data),
                media_type=media_type,
                url=url[:2048] if url else None,
                path=str(path.relative_to(self.root)),
                fetched_at=fetched_at or utcnow(),
            )
            session.add(row)
            session.flush()
            return _record(row)

    def find(self, sha256: str) -> list[EvidenceRecord]:
        """Every observation of the content with this hash, newest first."""
        with self.store.read() as session:
            rows = session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.sha256 == sha256.lower())
                .order_by(EvidenceItem.fetched_at.desc(), EvidenceItem.id.desc())
            ).all()
            return [_record(r) for r in rows]

    def content(self, sha256: str) -> tuple[EvidenceRecord, bytes]:
        """The newest record and the bytes of the content with this hash."""
        sha256 = sha256.lower()
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFoundError("no evidence with that hash")
        records = self.find(sha256)
        path = self._path(sha256)
        if not records or not path.is_file():
            raise NotFoundError("no evidence with that hash")
        return records[0], path.read_bytes()
