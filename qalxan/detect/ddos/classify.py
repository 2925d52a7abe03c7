"""Which attack vectors make up the traffic towards one victim in one window, with evidence.

The victim's packets are split into components (SYN, SYN-ACK, other TCP, UDP per
amplification source port, other UDP, ICMP, fragments). A component becomes a vector when it
carries at least ``min_share`` of the packets or crosses its own class limit, unless it looks
like one legitimate transfer (few 5-tuples, or one 5-tuple carrying nearly all of it). A
victim that sends as much back to its top sources as it gets from them is in a conversation
(or is the attacker seeing replies), and gets no vector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from qalxan.detect.ddos.config import ClassifyConfig
from qalxan.detect.ddos.counters import ACK, PSH, SYN, addr_hash, flow_keys
from qalxan.domain.flows import addr_text

__all__ = ["Classification", "Component", "classify"]


@dataclass(frozen=True, slots=True)
class Component:
    """One vector's share of the victim's traffic in a window."""

    vector: str
    pps: float
    mbps: float
    share: float
    flows: int
    sources: int
    why: str  # what made it a vector: "share" or "limit"

    def to_dict(self) -> dict[str, object]:
        return {
            "pps": round(self.pps, 1),
            "mbps": round(self.mbps, 3),
            "share": round(self.share, 3),
            "flows": self.flows,
            "sources": self.sources,
        }


@dataclass(frozen=True, slots=True)
class Classification:
    """Vectors found (largest first) and why other traffic was not called an attack."""

    components: tuple[Component, ...] = ()
    skipped: Mapping[str, str] = field(default_factory=dict)  # component -> reason
    top_sources: tuple[tuple[str, float], ...] = ()
    top_sports: tuple[tuple[int, float], ...] = ()
    top_dports: tuple[tuple[int, float], ...] = ()

    @property
    def vectors(self) -> tuple[str, ...]:
        return tuple(c.vector for c in self.components)


def _component_masks(recs: np.ndarray, cfg: ClassifyConfig) -> dict[str, np.ndarray]:
    proto, flags, sport = recs["proto"], recs["tcp_flags"], recs["sport"]
    whole = recs["frag"] == 0
    tcp = whole & (proto == 6)
    syn = tcp & ((flags & SYN) != 0)
    ack = (flags & ACK) != 0
    udp = whole & (proto == 17)
    amp_ports = np.fromiter(cfg.amplification, dtype=np.int64, count=len(cfg.amplification))
    amp = udp & np.isin(sport, amp_ports)
    # SYNs of connections that went on (ACK seen on the same 5-tuple) are not a SYN flood
    pure_syn = syn & ~ack
    if pure_syn.any():
        keys = flow_keys(recs)
        went_on = np.isin(keys[pure_syn], keys[tcp & ~syn & ack])
        pure_syn[np.flatnonzero(pure_syn)[went_on]] = False
    out: dict[str, np.ndarray] = {
        "syn_flood": pure_syn,
        "synack_reflection": syn & ack,
        "tcp_other": tcp & ~(pure_syn | (syn & ack)),
        "udp_flood": udp & ~amp,
        "icmp_flood": whole & ((proto == 1) | (proto == 58)),
        "fragment_flood": ~whole,
    }
    names = sorted(set(cfg.amplification.values()))
    for name in names:
        ports = [p for p, n in cfg.amplification.items() if n == name]
        out[f"{name}_amplification"] = amp & np.isin(sport, ports)
    return out


def _is_transfer(recs: np.ndarray, weight: np.ndarray, cfg: ClassifyConfig) -> bool:
    """Few 5-tuples, or one carrying nearly everything: a legitimate bulk transfer."""
    _, inv = np.unique(flow_keys(recs), return_inverse=True)
    per = np.bincount(inv.ravel(), weights=weight)
    return len(per) <= cfg.elephant_max_flows or per.max() >= cfg.elephant_top_share * per.sum()


def _top(values: np.ndarray, weight: np.ndarray, n: int) -> list[tuple[object, float]]:
    keys = addr_hash(values) if values.dtype.kind == "S" else values
    _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=weight)
    order = np.argsort(-sums, kind="stable")[:n]
    return [(values[first[i]], float(sums[i])) for i in order]


def is_talker(
    window: np.ndarray, wpk: np.ndarray, victim: bytes, sources: list[bytes], ratio: float
) -> bool:
    """Does ``victim`` send at least ``ratio`` times what its top sources send it?"""
    if not sources:
        return False
    src_set = np.asarray(sources, dtype="S16")
    to_victim = (window["dst"] == victim) & np.isin(window["src"], src_set)
    from_victim = (window["src"] == victim) & np.isin(window["dst"], src_set)
    got = float(wpk[to_victim].sum())
    return got > 0 and float(wpk[from_victim].sum()) >= ratio * got


def classify(
    recs: np.ndarray,
    wpk: np.ndarray,
    wbits: np.ndarray,
    width: float,
    cfg: ClassifyConfig,
    *,
    limits_pps: Mapping[str, float],
    top_n: int = 5,
) -> Classification:
    """Vectors of the traffic ``recs`` (all towards one victim, or one prefix) in a window.

    ``wpk``/``wbits`` are per-record packet and bit counts (sampling and weights applied);
    ``limits_pps`` the victim's per-vector pps limits that make a small share a vector.
    """
    total = float(wpk.sum())
    if total <= 0:
        return Classification()
    comps: list[Component] = []
    skipped: dict[str, str] = {}
    masks = _component_masks(recs, cfg)
    transfers = {k for k, m in masks.items() if m.any() and _is_transfer(recs[m], wpk[m], cfg)}
    attack_total = total - sum(float(wpk[masks[k]].sum()) for k in transfers)
    amp_present = False
    for name, mask in masks.items():
        pk = float(wpk[mask].sum())
        if pk <= 0:
            continue
        if name in transfers and name not in ("syn_flood", "icmp_flood", "fragment_flood"):
            skipped[name] = "one transfer (few 5-tuples)"
            continue
        share = pk / attack_total if attack_total > 0 else 0.0
        limit = limits_pps.get(name)
        why = "share" if share >= cfg.min_share else ""
        if not why and limit is not None and pk / width >= 2 * limit and share >= 0.05:
            why = "limit"
        if not why:
            continue
        vector = _name_tcp(recs[mask], wpk[mask], cfg) if name == "tcp_other" else name
        sub = recs[mask]
        comps.append(
            Component(
                vector=vector,
                pps=pk / width,
                mbps=float(wbits[mask].sum()) / width / 1e6,
                share=share,
                flows=len(np.unique(flow_keys(sub))),
                sources=len(np.unique(addr_hash(sub["src"]))),
                why=why,
            )
        )
        amp_present = amp_present or name.endswith("_amplification")
    comps = _fold_fragments(comps, amp_present)
    comps.sort(key=lambda c: (-c.pps, c.vector))
    return Classification(
        components=tuple(comps),
        skipped=skipped,
        top_sources=tuple(
            (addr_text(bytes(a)), round(v / width, 1))  # type: ignore[call-overload]
            for a, v in _top(recs["src"], wpk, top_n)
        ),
        top_sports=_ports(recs["sport"], wpk, width, top_n),
        top_dports=_ports(recs["dport"], wpk, width, top_n),
    )


def _ports(
    values: np.ndarray, wpk: np.ndarray, width: float, n: int
) -> tuple[tuple[int, float], ...]:
    return tuple((int(p), round(v / width, 1)) for p, v in _top(values, wpk, n))  # type: ignore[call-overload]


def _name_tcp(recs: np.ndarray, wpk: np.ndarray, cfg: ClassifyConfig) -> str:
    """Non-SYN TCP: an HTTP flood when aimed at web ports with payload, else an ACK flood."""
    web = np.isin(recs["dport"], list(cfg.web_ports))
    total = float(wpk.sum())
    web_share = float(wpk[web].sum()) / total
    psh_share = float(wpk[web & ((recs["tcp_flags"] & PSH) != 0)].sum()) / total
    if web_share >= 0.5 and psh_share >= cfg.http_payload_share:
        return "http_flood"
    return "ack_flood"


def _fold_fragments(comps: list[Component], amp_present: bool) -> list[Component]:
    """Fragments that come with an amplification are its tail, not a vector of their own."""
    if not amp_present:
        return comps
    return [c for c in comps if c.vector != "fragment_flood"]
