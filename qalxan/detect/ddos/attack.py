"""Attacks and their lifecycle events (start, update, end) as the detector reports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from qalxan.detect.ddos.classify import Classification

__all__ = ["Attack", "AttackEvent", "VectorState"]

EventKind = Literal["start", "update", "end"]


@dataclass(slots=True)
class VectorState:
    """One vector of an attack: when it was first seen and detected, its peaks."""

    first_seen: float
    detected_at: float
    last_seen: float
    peak_pps: float = 0.0
    peak_mbps: float = 0.0
    peak_share: float = 0.0
    peak_sources: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.first_seen,
            "detected_at": self.detected_at,
            "end": self.last_seen,
            "peak_pps": round(self.peak_pps, 1),
            "peak_bps": round(self.peak_mbps * 1e6),
            "peak_share": round(self.peak_share, 3),
            "peak_sources": self.peak_sources,
        }


@dataclass(slots=True)
class Attack:
    """An attack on one victim (a host, or a prefix for carpet bombing), as it unfolds."""

    victim: str
    victim_kind: Literal["host", "prefix"]
    group: str
    start: float
    detected_at: float
    last_seen: float
    vectors: dict[str, VectorState] = field(default_factory=dict)
    peak_pps: float = 0.0
    peak_bps: float = 0.0
    peak_flows: float = 0.0
    peak_sources: int = 0
    smoothed_pps: float = 0.0
    confidence: float = 0.0
    fired: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, float] = field(default_factory=dict)  # address -> packets
    sports: dict[int, float] = field(default_factory=dict)
    dports: dict[int, float] = field(default_factory=dict)
    state: Literal["active", "ended"] = "active"
    reported_peak: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.victim}@{self.start:.0f}"

    def absorb(self, cls: Classification, width: float, keep: int = 50) -> None:
        """Add one window's top sources and ports (as packets) to the running tallies."""
        tables: list[tuple[dict[Any, float], tuple[tuple[Any, float], ...]]] = [
            (self.sources, cls.top_sources),
            (self.sports, cls.top_sports),
            (self.dports, cls.top_dports),
        ]
        for table, items in tables:
            for key, rate in items:
                table[key] = table.get(key, 0.0) + rate * width
            if len(table) > keep:
                for k in sorted(table, key=table.__getitem__)[: len(table) - keep]:
                    del table[k]

    def primary_vectors(self) -> list[str]:
        return sorted(self.vectors, key=lambda v: (-self.vectors[v].peak_pps, v))

    def to_dict(self, top_n: int = 5) -> dict[str, Any]:
        """The alert document (JSON): what `qalxan ddos replay` prints and alerts store."""
        vectors = self.primary_vectors()

        def top(table: dict[Any, float], key: str) -> list[dict[str, Any]]:
            best = sorted(table.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top_n]
            return [{key: k, "packets": round(v)} for k, v in best]

        return {
            "id": self.id,
            "victim": self.victim,
            "victim_kind": self.victim_kind,
            "host_group": self.group,
            "vector": vectors[0] if vectors else None,
            "vectors": vectors,
            "start": round(self.start, 6),
            "end": round(self.last_seen, 6),
            "detected_at": round(self.detected_at, 6),
            "state": self.state,
            "peak_pps": round(self.peak_pps, 1),
            "peak_bps": round(self.peak_bps),
            "peak_flows": round(self.peak_flows, 1),
            "peak_sources": self.peak_sources,
            "smoothed_pps": round(self.smoothed_pps, 1),
            "confidence": round(self.confidence, 3),
            "fired": self.fired,
            "top_sources": top(self.sources, "address"),
            "top_source_ports": top(self.sports, "port"),
            "top_destination_ports": top(self.dports, "port"),
            "evidence": {"vectors": {v: self.vectors[v].to_dict() for v in vectors}},
        }


@dataclass(frozen=True, slots=True)
class AttackEvent:
    """A lifecycle step of an attack: ``start``, ``update`` (new vector, higher peak), ``end``."""

    kind: EventKind
    time: float  # capture clock: end of the window that caused the event
    attack: dict[str, Any]
