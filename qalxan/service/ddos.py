"""Wiring of DDoS detection: packaged tables + the operator's host groups -> a detector."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

from qalxan.data import load_reasons, read_yaml
from qalxan.detect.ddos import AttackEvent, DDoSDetector, DetectorConfig
from qalxan.domain.errors import ConfigError
from qalxan.policy.ddos_alerts import (
    AlertDispatcher,
    NotifySink,
    StoreSink,
    WebhookSink,
    event_document,
)
from qalxan.policy.exabgp import FifoWriter
from qalxan.policy.mitigation import MitigationPolicy, Mitigator
from qalxan.settings import Settings
from qalxan.store import Store

__all__ = [
    "LiveDetection",
    "build_detector",
    "load_config",
    "mitigation_policy",
    "read_hostgroups",
]

log = logging.getLogger(__name__)


def read_hostgroups(path: Path | None) -> dict[str, Any]:
    """The operator's host-group file (docs/ddos.md), or nothing."""
    if path is None:
        return {}
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read host groups {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"host groups {path}: expected a mapping")
    return doc


def load_config(
    hostgroups: Path | None = None, *, profile: str = "default", **lifecycle: Any
) -> DetectorConfig:
    """Detector configuration from ``qalxan/data/ddos/*.yaml`` and ``hostgroups``."""
    cfg = DetectorConfig.build(
        read_yaml("ddos/thresholds.yaml"),
        read_yaml("ddos/vectors.yaml"),
        read_hostgroups(hostgroups),
        profile=profile,
    )
    changes = {k: v for k, v in lifecycle.items() if v is not None}
    return cfg.with_lifecycle(**changes) if changes else cfg


def build_detector(
    hostgroups: Path | None = None, *, profile: str = "default", **lifecycle: Any
) -> DDoSDetector:
    """A fresh detector."""
    return DDoSDetector(load_config(hostgroups, profile=profile, **lifecycle), load_reasons())


def mitigation_policy(settings: Settings) -> MitigationPolicy:
    """The mitigation policy of these settings (amplification ports from vectors.yaml)."""
    ports: dict[str, list[int]] = {}
    for entry in read_yaml("ddos/vectors.yaml").get("amplification", []):
        ports[str(entry["name"])] = [int(p) for p in entry["ports"]]
    return MitigationPolicy(
        next_hop=settings.ddos_next_hop,
        next_hop_v6=settings.ddos_next_hop_v6,
        community=settings.ddos_blackhole_community,
        blackhole_min_mbps=settings.ddos_blackhole_min_mbps,
        action=settings.ddos_flowspec_action,
        rate_bps=settings.ddos_flowspec_rate_bps,
        allowlist=tuple(settings.ddos_allowlist),
        max_prefix_v4=settings.ddos_max_prefix_v4,
        max_prefix_v6=settings.ddos_max_prefix_v6,
        amplification_ports=ports,
    )


class LiveDetection:
    """Live wiring: flow batches -> detector -> store, webhook, notify and mitigation.

    ``on_batch`` is called on the collector's thread and ``tick`` from a clock; a lock keeps
    the detector single-threaded. Every event is stored, then passed to the sinks.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        *,
        detector: DDoSDetector | None = None,
        webhook_client: httpx.Client | None = None,
        mitigation_writer: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.detector = detector or build_detector(
            settings.ddos_hostgroups,
            profile=settings.ddos_profile,
            lateness_s=settings.ddos_lateness_s,
        )
        sinks: list[Callable[[dict[str, Any]], None]] = []
        if store is not None:
            sinks.append(StoreSink(store))
        if settings.ddos_webhook_url:
            sinks.append(
                WebhookSink(
                    settings.ddos_webhook_url,
                    timeout=settings.ddos_webhook_timeout_s,
                    client=webhook_client,
                )
            )
        if settings.ddos_notify_command:
            sinks.append(NotifySink(settings.ddos_notify_command))
        self.dispatch = AlertDispatcher(sinks)
        writer = mitigation_writer
        if writer is None and not settings.ddos_mitigation_dry_run:
            writer = FifoWriter(settings.ddos_exabgp_fifo)
        self.mitigator = Mitigator(
            mitigation_policy(settings),
            writer,
            ttl_s=settings.ddos_mitigation_ttl_s,
            dry_run=settings.ddos_mitigation_dry_run,
        )
        self.events: list[AttackEvent] = []
        self._lock = threading.Lock()

    def on_batch(self, batch: np.ndarray) -> None:
        with self._lock:
            self._handle(self.detector.process(batch))

    def tick(self, now: float) -> None:
        """Close windows up to ``now`` and withdraw mitigations past their TTL."""
        with self._lock:
            self._handle(self.detector.advance(now))
            self.mitigator.expire()

    def close(self) -> None:
        with self._lock:
            self._handle(self.detector.flush())

    def _handle(self, events: list[AttackEvent]) -> None:
        for ev in events:
            self.events.append(ev)
            try:
                lines = self.mitigator.handle(ev.kind, ev.attack)
            except Exception as exc:  # mitigation trouble must not stop alerting
                log.warning("mitigation failed for %s: %s", ev.attack["id"], exc)
                lines = []
            doc = event_document(ev.kind, ev.time, ev.attack)
            doc["mitigation"] = [
                {"line": line, "dry_run": self.mitigator.dry_run, "event": ev.kind}
                for line in lines
            ]
            self.dispatch(doc)
