"""Per-exporter counters kept by the flow decoders and the UDP listener.

A collector never raises on bad input: it counts what it dropped and goes on. Each exporter
(keyed by its address as text) has one :class:`ExporterStats`.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

__all__ = ["CollectorStats", "ExporterStats"]


@dataclass
class ExporterStats:
    """What one exporter sent and what became of it."""

    datagrams: int = 0  # datagrams received
    records: int = 0  # flow records decoded into batches
    malformed: int = 0  # datagrams (or sets) dropped as truncated, inconsistent or unknown
    unknown_template: int = 0  # data sets dropped because their template was not known yet
    templates: int = 0  # template and options-template records learnt (incl. refreshes)
    sequence_gaps: int = 0  # times the sequence number was not the expected one
    lost_records: int = 0  # records missing by the sequence numbers (v5 and IPFIX only)

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict (JSON-ready)."""
        return asdict(self)


@dataclass
class CollectorStats:
    """Counters of every exporter seen; safe to read from another thread."""

    exporters: dict[str, ExporterStats] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def get(self, exporter: str) -> ExporterStats:
        """The counters of ``exporter``, created on first use."""
        found = self.exporters.get(exporter)
        if found is None:
            with self._lock:
                found = self.exporters.setdefault(exporter, ExporterStats())
        return found

    def snapshot(self) -> dict[str, dict[str, int]]:
        """A copy of all counters: ``{exporter: {counter: value}}``."""
        with self._lock:
            items = list(self.exporters.items())
        return {name: st.as_dict() for name, st in items}

    def total(self) -> ExporterStats:
        """The counters summed over all exporters."""
        out = ExporterStats()
        with self._lock:
            items = list(self.exporters.values())
        for st in items:
            for key, value in st.as_dict().items():
                setattr(out, key, getattr(out, key) + value)
        return out
