"""Detector configuration: thresholds per host group, vector tables, lifecycle knobs.

Built from plain mappings (the YAML of ``qalxan/data/ddos`` and the operator's host-group
file, read by the service layer) so that this package does no I/O.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from qalxan.domain.errors import ConfigError

__all__ = [
    "CLASSES",
    "Baseline",
    "ClassifyConfig",
    "DetectorConfig",
    "HostGroup",
    "Lifecycle",
    "Limit",
    "Prefix",
]

# Protocol classes counted per host; "amplification" is UDP from a known reflector port.
CLASSES: tuple[str, ...] = (
    "total",
    "tcp_syn",
    "tcp",
    "udp",
    "icmp",
    "fragments",
    "amplification",
)


@dataclass(frozen=True, slots=True)
class Limit:
    """Ban limits of one class: any set one fires (``None`` = not checked)."""

    pps: float | None = None
    mbps: float | None = None
    flows: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Limit:
        data = data or {}
        unknown = set(data) - {"pps", "mbps", "flows"}
        if unknown:
            raise ConfigError(f"unknown limit keys {sorted(unknown)}")
        return cls(**{k: float(v) for k, v in data.items() if v is not None})

    def merged(self, other: Limit) -> Limit:
        return Limit(
            other.pps if other.pps is not None else self.pps,
            other.mbps if other.mbps is not None else self.mbps,
            other.flows if other.flows is not None else self.flows,
        )

    def to_dict(self) -> dict[str, float]:
        return {
            k: v
            for k, v in (("pps", self.pps), ("mbps", self.mbps), ("flows", self.flows))
            if v is not None
        }


@dataclass(frozen=True, slots=True)
class Baseline:
    """A learned baseline per host group: EWMA mean and variance of the group's pps."""

    enabled: bool = True
    alpha: float = 0.05
    k: float = 6.0
    min_pps: float = 2000.0
    warmup_windows: int = 30

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Baseline:
        return cls(**dict(data or {}))


@dataclass(frozen=True, slots=True)
class Prefix:
    """One network as two 64-bit halves of its 16-byte (IPv4-mapped) form plus a length."""

    text: str
    hi: int
    lo: int
    bits: int  # prefix length over the 128-bit form

    @classmethod
    def parse(cls, text: str) -> Prefix:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ConfigError(f"bad prefix {text!r}: {exc}") from None
        if net.version == 4:
            mapped = ipaddress.IPv6Address(b"\x00" * 10 + b"\xff\xff" + net.network_address.packed)
            value, bits = int(mapped), 96 + net.prefixlen
        else:
            value, bits = int(net.network_address), net.prefixlen
        return cls(str(net), value >> 64, value & 0xFFFF_FFFF_FFFF_FFFF, bits)


@dataclass(frozen=True, slots=True)
class HostGroup:
    """Protected addresses with their own limits (FastNetMon's hostgroup)."""

    name: str
    prefixes: tuple[Prefix, ...] = ()
    host: Mapping[str, Limit] = field(default_factory=dict)
    prefix: Mapping[str, Limit] = field(default_factory=dict)
    baseline: Baseline = Baseline()

    def limit(self, cls: str) -> Limit:
        return self.host.get(cls, Limit())


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Windows and the start/update/end rules of an attack."""

    window_s: float = 1.0
    lateness_s: float = 0.0
    release_ratio: float = 0.5
    end_after_s: float = 5.0
    smoothing_alpha: float = 0.3
    update_growth: float = 1.25
    top_n: int = 5


@dataclass(frozen=True, slots=True)
class ClassifyConfig:
    """Vector tables and classification knobs."""

    amplification: Mapping[int, str] = field(default_factory=dict)  # source port -> name
    web_ports: frozenset[int] = frozenset({80, 443})
    min_share: float = 0.2
    elephant_max_flows: int = 3
    elephant_top_share: float = 0.8
    reply_ratio: float = 1.0
    http_payload_share: float = 0.2

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClassifyConfig:
        amp: dict[int, str] = {}
        for entry in data.get("amplification", []):
            for port in entry["ports"]:
                if int(port) in amp:
                    raise ConfigError(f"amplification port {port} listed twice")
                amp[int(port)] = str(entry["name"])
        knobs = dict(data.get("classify", {}))
        return cls(
            amplification=amp,
            web_ports=frozenset(int(p) for p in data.get("web_ports", (80, 443))),
            **knobs,
        )

    def vector_names(self) -> list[str]:
        """Every vector name this configuration can report."""
        fixed = ["syn_flood", "synack_reflection", "ack_flood", "udp_flood", "icmp_flood"]
        fixed += ["fragment_flood", "http_flood", "carpet_bombing"]
        return fixed + sorted({f"{n}_amplification" for n in self.amplification.values()})


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Everything the detector needs: groups (most specific prefix wins), tables, lifecycle.

    ``groups`` are the operator's host groups; ``default`` applies to every other address.
    """

    default: HostGroup
    groups: tuple[HostGroup, ...] = ()
    classify: ClassifyConfig = ClassifyConfig()
    lifecycle: Lifecycle = Lifecycle()

    @classmethod
    def build(
        cls,
        thresholds: Mapping[str, Any],
        vectors: Mapping[str, Any],
        hostgroups: Mapping[str, Any] | None = None,
        *,
        profile: str = "default",
    ) -> DetectorConfig:
        """From the packaged ``thresholds.yaml`` / ``vectors.yaml`` and an optional
        host-group document (see docs/ddos.md)."""
        profiles = thresholds.get("profiles", {})
        if profile not in profiles:
            raise ConfigError(f"unknown threshold profile {profile!r}; known: {sorted(profiles)}")
        default = _group("default", profiles[profile], None)
        groups: list[HostGroup] = []
        for entry in (hostgroups or {}).get("hostgroups", []) or []:
            groups.append(_group(str(entry["name"]), entry, default))
        names = [g.name for g in groups]
        if len(set(names)) != len(names):
            raise ConfigError("host group names must be unique")
        life = dict(thresholds.get("lifecycle", {}))
        life.update(profiles[profile].get("lifecycle", {}) or {})
        life.update((hostgroups or {}).get("lifecycle", {}) or {})
        knobs = dict(vectors)
        knobs["classify"] = {
            **(vectors.get("classify", {}) or {}),
            **(profiles[profile].get("classify", {}) or {}),
        }
        return cls(
            default=default,
            groups=tuple(groups),
            classify=ClassifyConfig.from_dict(knobs),
            lifecycle=Lifecycle(**life),
        )

    def with_lifecycle(self, **changes: Any) -> DetectorConfig:
        return replace(self, lifecycle=replace(self.lifecycle, **changes))


def _limits(data: Mapping[str, Any] | None, base: Mapping[str, Limit]) -> dict[str, Limit]:
    out = dict(base)
    for cls_name, value in (data or {}).items():
        if cls_name not in CLASSES:
            raise ConfigError(f"unknown traffic class {cls_name!r}; known: {list(CLASSES)}")
        out[cls_name] = out.get(cls_name, Limit()).merged(Limit.from_dict(value))
    return out


def _group(name: str, data: Mapping[str, Any], base: HostGroup | None) -> HostGroup:
    prefixes: Sequence[str] = data.get("prefixes", []) or []
    baseline = base.baseline if base is not None else Baseline()
    if "baseline" in data:
        merged = {**_baseline_dict(baseline), **(data["baseline"] or {})}
        baseline = Baseline.from_dict(merged)
    return HostGroup(
        name=name,
        prefixes=tuple(Prefix.parse(p) for p in prefixes),
        host=_limits(data.get("host"), base.host if base else {}),
        prefix=_limits(data.get("prefix"), base.prefix if base else {}),
        baseline=baseline,
    )


def _baseline_dict(b: Baseline) -> dict[str, Any]:
    return {
        "enabled": b.enabled,
        "alpha": b.alpha,
        "k": b.k,
        "min_pps": b.min_pps,
        "warmup_windows": b.warmup_windows,
    }
