"""Wiring of DDoS detection: packaged tables + the operator's host groups -> a detector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from qalxan.data import read_yaml
from qalxan.detect.ddos import DDoSDetector, DetectorConfig
from qalxan.domain.errors import ConfigError

__all__ = ["build_detector", "load_config", "read_hostgroups"]


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
    return DDoSDetector(load_config(hostgroups, profile=profile, **lifecycle))
