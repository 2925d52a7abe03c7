"""The DDoS detector: flow batches in, attack lifecycle events out.

Records are put in 1 s windows by their own timestamps (long flows spread over the windows
they span). When a window closes (the newest record is past its end plus ``lateness_s``),
it is counted per destination host and protocol class; hosts over a static limit of their
host group, or groups over their learned baseline, are classified into vectors, and attacks
start, grow and end. Pure: no I/O; state lives in ``*_`` attributes, reset by :meth:`reset`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import numpy as np

from qalxan.detect.ddos.attack import Attack, AttackEvent, VectorState
from qalxan.detect.ddos.classify import Classification, Component, classify, is_talker
from qalxan.detect.ddos.config import CLASSES, DetectorConfig, HostGroup
from qalxan.detect.ddos.counters import WindowCounts, count_window, in_prefix, split_by_window
from qalxan.domain.flows import addr_bytes, addr_text, empty_flows
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.verdict import Reason, Verdict

__all__ = ["DDoSDetector"]

# pps limit class that applies to each vector component
_COMPONENT_CLASS = {
    "syn_flood": "tcp_syn",
    "synack_reflection": "tcp",
    "tcp_other": "tcp",
    "udp_flood": "udp",
    "icmp_flood": "icmp",
    "fragment_flood": "fragments",
}
_METRICS = ("pps", "mbps", "flows")


class _Baseline:
    """EWMA mean and variance of one host group's packets per second."""

    __slots__ = ("mean", "n", "var")

    def __init__(self) -> None:
        self.mean, self.var, self.n = 0.0, 0.0, 0

    def update(self, x: float, alpha: float) -> None:
        if self.n == 0:
            self.mean = x
        else:
            diff = x - self.mean
            self.mean += alpha * diff
            self.var = (1 - alpha) * (self.var + alpha * diff * diff)
        self.n += 1


class DDoSDetector:
    """Streams of flow batches -> :class:`AttackEvent` (start, update, end)."""

    kind: ClassVar[str] = "ddos"

    def __init__(self, config: DetectorConfig, reasons: ReasonCatalog | None = None) -> None:
        self.config = config
        self.reasons = reasons
        self._amp_ports = np.fromiter(config.classify.amplification, dtype=np.int64)
        self._all_groups: tuple[HostGroup, ...] = (*config.groups, config.default)
        # limit per (group, class, metric); inf where a limit is not set
        self._limits = np.array(
            [
                [[getattr(g.limit(c), m) or math.inf for m in _METRICS] for c in CLASSES]
                for g in self._all_groups
            ],
            dtype=np.float64,
        )
        self.reset()

    def reset(self) -> DDoSDetector:
        """Forget windows, baselines and attacks."""
        self.pending_: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.watermark_: float = -math.inf
        self.closed_until_: int | None = None  # next window index still open
        self.late_records_: int = 0
        self.baselines_: dict[str, _Baseline] = {}
        self.attacks_: dict[str, Attack] = {}
        self.windows_: int = 0
        return self

    # --- streaming ----------------------------------------------------------------------------

    def process(self, batch: np.ndarray) -> list[AttackEvent]:
        """Add a batch; return the events of every window it closes."""
        if len(batch) == 0:
            return []
        width = self.config.lifecycle.window_s
        recs, widx, weight = split_by_window(batch, width)
        if self.closed_until_ is not None:
            late = widx < self.closed_until_
            self.late_records_ += int(late.sum())
            recs, widx, weight = recs[~late], widx[~late], weight[~late]
        order = np.argsort(widx, kind="stable")
        recs, widx, weight = recs[order], widx[order], weight[order]
        bounds = np.flatnonzero(np.diff(widx)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(widx)], strict=True):
            if hi > lo:
                self.pending_.setdefault(int(widx[lo]), []).append((recs[lo:hi], weight[lo:hi]))
        self.watermark_ = max(self.watermark_, float(batch["end"].max()))
        return self._close(self.watermark_ - self.config.lifecycle.lateness_s)

    def advance(self, now: float) -> list[AttackEvent]:
        """Close windows up to ``now`` (a clock tick with no records, for live collectors)."""
        return self._close(now - self.config.lifecycle.lateness_s)

    def flush(self) -> list[AttackEvent]:
        """Close every window and end every attack (end of a capture)."""
        events = self._close(math.inf)
        for key in list(self.attacks_):
            events.append(self._end(key, self.attacks_[key].last_seen))
        return events

    def _close(self, until: float) -> list[AttackEvent]:
        width = self.config.lifecycle.window_s
        events: list[AttackEvent] = []
        for w in sorted(self.pending_):
            if until != math.inf and (w + 1) * width > until:
                break
            chunks = self.pending_.pop(w)
            recs = np.concatenate([c[0] for c in chunks])
            weight = np.concatenate([c[1] for c in chunks])
            events += self._window(w * width, recs, weight)
            self.closed_until_ = w + 1
        if until != math.inf:
            events += self._expire(until)
        return events

    # --- one window ---------------------------------------------------------------------------

    def _window(self, start: float, recs: np.ndarray, weight: np.ndarray) -> list[AttackEvent]:
        life = self.config.lifecycle
        width = life.window_s
        self.windows_ += 1
        events = self._expire(start)
        counts = count_window(recs, weight, start, width, self._amp_ports)
        scale = weight * recs["sampling"].astype(np.float64).clip(min=1)
        wpk = recs["packets"].astype(np.float64) * scale
        wbits = recs["bytes"].astype(np.float64) * scale * 8
        gidx = self._group_of(counts.hosts)
        groups = self._all_groups
        hit = self._over(counts, gidx, 1.0)
        hold = self._over(counts, gidx, life.release_ratio)
        busy_groups: set[str] = set()
        for i in (int(x) for x in np.flatnonzero(hit | hold)):
            victim = addr_text(bytes(counts.hosts[i]))
            if not hit[i] and victim not in self.attacks_:
                continue
            group = groups[gidx[i]]
            fired = self._fired(counts, i, group) if hit[i] else []
            ev = self._host(victim, counts, i, recs, wpk, wbits, group, fired)
            if ev is not None or victim in self.attacks_:
                busy_groups.add(group.name)
            events += [ev] if ev is not None else []
        events += self._carpet_and_baseline(counts, gidx, hit, recs, wpk, wbits, busy_groups)
        return events

    def _group_of(self, hosts: np.ndarray) -> np.ndarray:
        """Index into ``_all_groups`` of the most specific group per host (the default group,
        last, otherwise)."""
        best = np.full(len(hosts), len(self.config.groups))
        bits = np.full(len(hosts), -1)
        for gi, group in enumerate(self.config.groups):
            for prefix in group.prefixes:
                inside = in_prefix(hosts, prefix) & (prefix.bits > bits)
                best[inside], bits[inside] = gi, prefix.bits
        return best

    def _over(self, counts: WindowCounts, gidx: np.ndarray, ratio: float) -> np.ndarray:
        out = np.zeros(len(counts.hosts), dtype=bool)
        for c, cls in enumerate(CLASSES):
            for m, metric in enumerate(_METRICS):
                out |= counts.metric(metric, cls) >= self._limits[gidx, c, m] * ratio
        return out

    def _fired(self, counts: WindowCounts, i: int, group: HostGroup) -> list[dict[str, Any]]:
        fired = []
        for cls in counts.pps:
            for metric in _METRICS:
                lim = getattr(group.limit(cls), metric)
                value = float(counts.metric(metric, cls)[i])
                if lim is not None and value >= lim:
                    fired.append(
                        {
                            "kind": "threshold",
                            "host_group": group.name,
                            "class": cls,
                            "metric": metric,
                            "value": round(value, 3),
                            "limit": lim,
                        }
                    )
        return fired

    def _limits_pps(self, group: HostGroup) -> dict[str, float]:
        out = {k: group.limit(c).pps for k, c in _COMPONENT_CLASS.items()}
        amp = group.limit("amplification").pps
        for name in set(self.config.classify.amplification.values()):
            out[f"{name}_amplification"] = amp
        return {k: v for k, v in out.items() if v is not None}

    def _host(
        self,
        victim: str,
        counts: WindowCounts,
        i: int,
        recs: np.ndarray,
        wpk: np.ndarray,
        wbits: np.ndarray,
        group: HostGroup,
        fired: list[dict[str, Any]],
    ) -> AttackEvent | None:
        mask = counts.inverse == i
        cls = classify(
            recs[mask],
            wpk[mask],
            wbits[mask],
            counts.end - counts.start,
            self.config.classify,
            limits_pps=self._limits_pps(group),
            top_n=self.config.lifecycle.top_n,
        )
        top = [addr_bytes(a) for a, _ in cls.top_sources]
        if not cls.components or is_talker(
            recs, wpk, bytes(counts.hosts[i]), top, self.config.classify.reply_ratio
        ):
            return None
        metrics = {
            "pps": float(counts.pps["total"][i]),
            "bps": float(counts.mbps["total"][i]) * 1e6,
            "flows": float(counts.flows["total"][i]),
            "sources": int(counts.sources[i]),
        }
        return self._record(victim, "host", group.name, counts, cls, metrics, fired)

    # --- prefixes: carpet bombing and baselines -----------------------------------------------

    def _carpet_and_baseline(
        self,
        counts: WindowCounts,
        gidx: np.ndarray,
        hit: np.ndarray,
        recs: np.ndarray,
        wpk: np.ndarray,
        wbits: np.ndarray,
        busy: set[str],
    ) -> list[AttackEvent]:
        events: list[AttackEvent] = []
        for gi, group in enumerate(self._all_groups):
            members = gidx == gi
            pps = float(counts.pps["total"][members].sum())
            mbps = float(counts.mbps["total"][members].sum())
            fired = self._prefix_fired(group, pps, mbps)
            base = self.baselines_.setdefault(group.name, _Baseline())
            b = group.baseline
            if b.enabled and base.n >= b.warmup_windows:
                bar = max(base.mean + b.k * math.sqrt(base.var), b.min_pps)
                if pps >= bar:
                    fired.append(
                        {
                            "kind": "baseline",
                            "host_group": group.name,
                            "metric": "pps",
                            "value": round(pps, 1),
                            "mean": round(base.mean, 1),
                            "std": round(math.sqrt(base.var), 1),
                            "limit": round(bar, 1),
                        }
                    )
            hot = fired or (self._prefix_victim(group) in self.attacks_)
            if hot and not hit[members].any() and group.name not in busy:
                top = self._dominant_host(counts, members, pps)
                if top is not None:  # the baseline fired for one host's traffic
                    victim = addr_text(bytes(counts.hosts[top]))
                    ev = self._host(victim, counts, top, recs, wpk, wbits, group, fired)
                else:
                    ev = self._prefix(group, counts, members, recs, wpk, wbits, fired)
                if ev is not None:
                    events.append(ev)
                    busy.add(group.name)
            if group.name not in busy and b.enabled:
                base.update(pps, b.alpha)
        return events

    @staticmethod
    def _dominant_host(counts: WindowCounts, members: np.ndarray, total: float) -> int | None:
        """The host that carries most of a group's packets, if one does."""
        if total <= 0 or not members.any():
            return None
        idx = np.flatnonzero(members)
        top = int(idx[np.argmax(counts.pps["total"][idx])])
        return top if counts.pps["total"][top] >= 0.5 * total else None

    def _prefix_fired(self, group: HostGroup, pps: float, mbps: float) -> list[dict[str, Any]]:
        if not group.prefixes:
            return []
        lim = group.prefix.get("total")
        out: list[dict[str, Any]] = []
        for metric, value in (("pps", pps), ("mbps", mbps)):
            limit = getattr(lim, metric) if lim is not None else None
            if limit is not None and value >= limit:
                out.append(
                    {
                        "kind": "prefix_threshold",
                        "host_group": group.name,
                        "metric": metric,
                        "value": round(value, 3),
                        "limit": limit,
                    }
                )
        return out

    @staticmethod
    def _prefix_victim(group: HostGroup) -> str:
        return ",".join(p.text for p in group.prefixes) or f"group:{group.name}"

    def _prefix(
        self,
        group: HostGroup,
        counts: WindowCounts,
        members: np.ndarray,
        recs: np.ndarray,
        wpk: np.ndarray,
        wbits: np.ndarray,
        fired: list[dict[str, Any]],
    ) -> AttackEvent | None:
        mask = members[counts.inverse]
        width = counts.end - counts.start
        cls = classify(
            recs[mask],
            wpk[mask],
            wbits[mask],
            width,
            self.config.classify,
            limits_pps={},
            top_n=self.config.lifecycle.top_n,
        )
        if not cls.components:
            return None
        victim = self._prefix_victim(group)
        if not fired and victim not in self.attacks_:
            return None
        n_hosts = int(members.sum())
        metrics = {
            "pps": float(wpk[mask].sum()) / width,
            "bps": float(wbits[mask].sum()) / width,
            "flows": float(counts.flows["total"][members].sum()),
            "sources": len(np.unique(recs["src"][mask])),
        }
        extra = ("carpet_bombing", n_hosts) if group.prefixes and n_hosts > 1 else None
        return self._record(victim, "prefix", group.name, counts, cls, metrics, fired, extra)

    # --- lifecycle ----------------------------------------------------------------------------

    def _record(
        self,
        victim: str,
        kind: Any,
        group: str,
        counts: WindowCounts,
        cls: Classification,
        metrics: dict[str, float],
        fired: list[dict[str, Any]],
        extra: tuple[str, int] | None = None,
    ) -> AttackEvent | None:
        life = self.config.lifecycle
        start, end = counts.start, counts.end
        attack = self.attacks_.get(victim)
        new = attack is None
        if attack is None:
            if not fired:
                return None
            attack = Attack(victim, kind, group, start=start, detected_at=end, last_seen=end)
            self.attacks_[victim] = attack
        attack.last_seen = end
        before = set(attack.vectors)
        comps = list(cls.components)
        if any(v.endswith("_amplification") for v in [*attack.vectors, *cls.vectors]):
            # fragments of an amplification are its tail, even in windows of their own
            comps = [c for c in comps if c.vector != "fragment_flood"]
            attack.vectors.pop("fragment_flood", None)
        if extra is not None:
            name, n_hosts = extra
            total_share = sum(c.share for c in comps)
            comps.insert(
                0,
                Component(
                    name,
                    metrics["pps"],
                    metrics["bps"] / 1e6,
                    total_share,
                    n_hosts,
                    int(metrics["sources"]),
                    "prefix",
                ),
            )
        for c in comps:
            vs = attack.vectors.get(c.vector)
            if vs is None:
                vs = attack.vectors[c.vector] = VectorState(start, end, end)
            vs.last_seen = end
            vs.peak_pps = max(vs.peak_pps, c.pps)
            vs.peak_mbps = max(vs.peak_mbps, c.mbps)
            vs.peak_share = max(vs.peak_share, c.share)
            vs.peak_sources = max(vs.peak_sources, c.sources)
        attack.peak_pps = max(attack.peak_pps, metrics["pps"])
        attack.peak_bps = max(attack.peak_bps, metrics["bps"])
        attack.peak_flows = max(attack.peak_flows, metrics["flows"])
        attack.peak_sources = max(attack.peak_sources, int(metrics["sources"]))
        a = life.smoothing_alpha
        attack.smoothed_pps = (
            metrics["pps"] if new else a * metrics["pps"] + (1 - a) * attack.smoothed_pps
        )
        for f in fired:
            key = (f["kind"], f.get("class"), f["metric"])
            if all((g["kind"], g.get("class"), g["metric"]) != key for g in attack.fired):
                attack.fired.append(f)
        attack.confidence = max(attack.confidence, _confidence(fired, comps))
        attack.absorb(cls, end - start)
        if new:
            attack.reported_peak = attack.peak_pps
            return AttackEvent("start", end, self._doc(attack))
        if (
            set(attack.vectors) != before
            or attack.peak_pps >= attack.reported_peak * life.update_growth
        ):
            attack.reported_peak = attack.peak_pps
            return AttackEvent("update", end, self._doc(attack))
        return None

    def _expire(self, now: float) -> list[AttackEvent]:
        quiet = self.config.lifecycle.end_after_s
        return [
            self._end(k, a.last_seen)
            for k, a in list(self.attacks_.items())
            if now - a.last_seen >= quiet
        ]

    def _end(self, key: str, when: float) -> AttackEvent:
        attack = self.attacks_.pop(key)
        attack.state = "ended"
        return AttackEvent("end", when, self._doc(attack))

    def _doc(self, attack: Attack) -> dict[str, Any]:
        """The alert document, with the explanation of each vector in az/ru/en."""
        doc = attack.to_dict(self.config.lifecycle.top_n)
        doc["reasons"] = [r.to_dict() | {"messages": dict(r.messages)} for r in self._reasons(doc)]
        return doc

    def _reasons(self, doc: dict[str, Any]) -> list[Reason]:
        out = []
        for v in doc["vectors"]:
            pps = f"{doc['evidence']['vectors'][v]['peak_pps']:.0f}"
            weight = min(1.0, max(0.05, doc["confidence"]))
            where = f"{doc['start']}-{doc['end']}"
            if v.endswith("_amplification"):
                code, evidence = "ddos.amplification", v.removesuffix("_amplification").upper()
            else:
                code, evidence = f"ddos.{v}", v
            if self.reasons is not None and code in self.reasons:
                r = self.reasons.reason(
                    code, weight, evidence, where=where, victim=doc["victim"], pps=pps
                )
                out.append(Reason(f"ddos.{v}", r.weight, r.evidence, r.messages, r.where))
            else:
                text = f"{v.replace('_', ' ')} against {doc['victim']}: {pps} packets per second"
                out.append(Reason(f"ddos.{v}", weight, evidence, {"en": text}, where))
        return out

    # --- the detector contract ----------------------------------------------------------------

    def run(self, batches: Iterable[np.ndarray]) -> list[AttackEvent]:
        """All events of a finite stream (a capture), ending with :meth:`flush`."""
        events: list[AttackEvent] = []
        for batch in batches:
            events += self.process(batch)
        return events + self.flush()

    def analyze(self, item: np.ndarray) -> Verdict:
        """A verdict over one finite batch, on a fresh copy (this detector is untouched)."""
        fresh = DDoSDetector(self.config, self.reasons)
        ends = [e.attack for e in fresh.run([item]) if e.kind == "end"]
        reasons = [r for a in ends for r in self._reasons(a)]
        return Verdict.from_reasons(
            self.kind, f"{len(item)} flow records", reasons, extra={"attacks": ends}
        )

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        quiet = empty_flows(3)
        quiet["packets"], quiet["bytes"], quiet["sampling"] = 1, 60, 1
        return [quiet, empty_flows(0)]


def _confidence(fired: list[dict[str, Any]], comps: Sequence[Any]) -> float:
    """How sure: how far over the limit (log scale) times how much traffic the vectors explain."""
    if not fired:
        return 0.0
    ratio = max(float(f["value"]) / float(f["limit"]) for f in fired if f["limit"])
    base = min(0.99, 0.6 + 0.2 * math.log10(max(ratio, 1.0)))
    if any(f["kind"] == "baseline" for f in fired) and len(fired) == 1:
        base *= 0.85
    explained = min(1.0, sum(c.share for c in comps if c.why != "prefix"))
    return float(base * (0.5 + 0.5 * explained))
