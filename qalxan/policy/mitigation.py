"""Mitigation: attacks -> BGP blackhole routes and FlowSpec rules, announced through ExaBGP.

Detection says what it saw; this policy decides what to filter:

- **FlowSpec** per vector: destination = victim, protocol, the amplification source port or the
  flooded destination port, and the sources when there are only a few; action ``discard``
  or ``rate-limit``.
- **Blackhole**: the victim's /32 or /128 with community 65535:666 when the attack's peak
  reaches ``blackhole_min_mbps``.

Guardrails: nothing for an allowlisted address, no destination wider than the maximum prefix
length, no blackhole of a prefix, and in dry-run mode nothing is written (the plan is still
returned, logged and stored). Rules are withdrawn when the attack ends or their TTL passes.
Lines are ExaBGP text API commands; :func:`nft_rules` exports the same rules for nftables.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["MitigationPolicy", "Mitigator", "Rule", "exabgp_line", "nft_rules"]

log = logging.getLogger(__name__)

_PROTO = {"tcp": 6, "udp": 17, "icmp": 1}


@dataclass(frozen=True, slots=True)
class Rule:
    """One mitigation: a blackhole route or a FlowSpec rule."""

    kind: str  # "blackhole" | "flowspec"
    destination: str  # prefix text, e.g. 203.0.113.10/32
    attack_id: str
    vector: str = ""
    protocol: str | None = None
    source_port: int | None = None
    destination_port: int | None = None
    source: str | None = None
    action: str = "discard"  # discard | rate-limit
    rate: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class MitigationPolicy:
    """What to announce for an attack, with the guardrails."""

    next_hop: str = "192.0.2.1"
    next_hop_v6: str = "100::1"
    community: str = "65535:666"
    blackhole_min_mbps: float = 1000.0
    action: str = "discard"
    rate_bps: int = 1_000_000
    allowlist: Sequence[str] = ()
    max_prefix_v4: int = 24
    max_prefix_v6: int = 48
    max_sources: int = 4
    amplification_ports: Mapping[str, Sequence[int]] = field(default_factory=dict)

    def refused(self, victim: str) -> str | None:
        """Why nothing may be announced for ``victim`` (None when allowed)."""
        try:
            net = ipaddress.ip_network(victim, strict=False)
        except ValueError:
            return f"not a prefix: {victim}"
        limit = self.max_prefix_v4 if net.version == 4 else self.max_prefix_v6
        if net.prefixlen < limit:
            return f"{net} is wider than /{limit}"
        for entry in self.allowlist:
            allowed = ipaddress.ip_network(entry, strict=False)
            if allowed.version == net.version and (
                net.subnet_of(allowed) or allowed.subnet_of(net)  # type: ignore[arg-type]
            ):
                return f"{net} overlaps allowlisted {allowed}"
        return None

    def plan(self, attack: Mapping[str, Any]) -> tuple[list[Rule], list[str]]:
        """Rules for an attack document, and the guardrail refusals."""
        victims = str(attack["victim"]).split(",")
        rules: list[Rule] = []
        refusals: list[str] = []
        for victim in victims:
            why = self.refused(victim)
            if why:
                refusals.append(why)
                continue
            net = ipaddress.ip_network(victim, strict=False)
            dest = str(net)
            host = net.num_addresses == 1
            if host and float(attack.get("peak_bps", 0)) >= self.blackhole_min_mbps * 1e6:
                rules.append(Rule("blackhole", dest, str(attack["id"]), "blackhole"))
            for vector in attack.get("vectors", []):
                rules += self._flowspec(dest, str(attack["id"]), vector, attack)
        return rules, refusals

    def _flowspec(
        self, dest: str, attack_id: str, vector: str, attack: Mapping[str, Any]
    ) -> list[Rule]:
        def rule(**match: Any) -> Rule:
            rate = self.rate_bps if self.action == "rate-limit" else 0
            return Rule("flowspec", dest, attack_id, vector, action=self.action, rate=rate, **match)

        if vector.endswith("_amplification"):
            ports = self.amplification_ports.get(vector.removesuffix("_amplification"), ())
            return [rule(protocol="udp", source_port=int(p)) for p in ports]
        proto = {
            "syn_flood": "tcp",
            "synack_reflection": "tcp",
            "ack_flood": "tcp",
            "http_flood": "tcp",
            "udp_flood": "udp",
            "icmp_flood": "icmp",
        }.get(vector)
        if proto is None:
            return []  # fragments and carpet bombing: no safe FlowSpec match without more
        dport: int | None = None
        ports = attack.get("top_destination_ports") or []
        if vector in ("syn_flood", "http_flood", "ack_flood") and ports:
            dport = int(ports[0]["port"])
        sources = [str(s["address"]) for s in attack.get("top_sources") or []]
        if 0 < int(attack.get("peak_sources", 0)) <= self.max_sources:
            return [
                rule(protocol=proto, destination_port=dport, source=_host_prefix(s))
                for s in sources[: self.max_sources]
            ]
        return [rule(protocol=proto, destination_port=dport)]


def _host_prefix(addr: str) -> str:
    ip = ipaddress.ip_address(addr)
    return f"{ip}/{32 if ip.version == 4 else 128}"


def exabgp_line(rule: Rule, policy: MitigationPolicy, *, announce: bool = True) -> str:
    """The ExaBGP text API command that announces (or withdraws) ``rule``."""
    verb = "announce" if announce else "withdraw"
    if rule.kind == "blackhole":
        hop = policy.next_hop_v6 if ":" in rule.destination else policy.next_hop
        return f"{verb} route {rule.destination} next-hop {hop} community [{policy.community}]"
    match = [f"destination {rule.destination};"]
    if rule.source:
        match.append(f"source {rule.source};")
    if rule.protocol:
        match.append(f"protocol ={rule.protocol};")
    if rule.source_port is not None:
        match.append(f"source-port ={rule.source_port};")
    if rule.destination_port is not None:
        match.append(f"destination-port ={rule.destination_port};")
    then = "discard;" if rule.action == "discard" else f"rate-limit {rule.rate};"
    return f"{verb} flow route {{ match {{ {' '.join(match)} }} then {{ {then} }} }}"


def nft_rules(rules: Iterable[Rule], *, table: str = "qalxan", chain: str = "ddos") -> str:
    """An nftables script (``nft -f``) that drops what the rules match."""
    lines = [
        f"table inet {table} {{",
        f"  chain {chain} {{",
        "    type filter hook prerouting priority -300; policy accept;",
    ]
    for r in rules:
        fam = "ip6" if ":" in r.destination else "ip"
        parts = [f"{fam} daddr {r.destination}"]
        if r.source:
            parts.append(f"{fam} saddr {r.source}")
        if r.protocol in ("tcp", "udp"):
            parts.append(f"meta l4proto {r.protocol}")
            if r.source_port is not None:
                parts.append(f"{r.protocol} sport {r.source_port}")
            if r.destination_port is not None:
                parts.append(f"{r.protocol} dport {r.destination_port}")
        elif r.protocol == "icmp":
            parts.append("meta l4proto { icmp, ipv6-icmp }")
        verdict = (
            "drop"
            if r.action == "discard" or r.kind == "blackhole"
            else (f"limit rate over {max(1, r.rate // 1024)} kbytes/second drop")
        )
        lines.append(f'    {" ".join(parts)} {verdict} comment "{r.attack_id} {r.vector}"')
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


@dataclass
class _Active:
    rule: Rule
    line: str
    expires: float


class Mitigator:
    """Applies attack events: announces rules at start/update, withdraws at end or TTL.

    ``write`` receives ExaBGP command lines (for example, appends to the FIFO that
    ``qalxan ddos exabgp-relay`` copies to ExaBGP); in dry-run mode it is never called.
    """

    def __init__(
        self,
        policy: MitigationPolicy,
        write: Callable[[list[str]], None] | None,
        *,
        ttl_s: float = 600.0,
        dry_run: bool = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.policy = policy
        self.write = write
        self.ttl_s = ttl_s
        self.dry_run = dry_run
        self.clock = clock or time.time
        self.active: dict[str, _Active] = {}  # line -> rule
        self.log: list[dict[str, Any]] = []

    def handle(self, kind: str, attack: Mapping[str, Any]) -> list[str]:
        """Announce (start/update) or withdraw (end) for one event; returns the lines."""
        if kind == "end":
            return self.withdraw(lambda a: a.rule.attack_id == attack["id"])
        rules, refusals = self.policy.plan(attack)
        for why in refusals:
            log.warning("mitigation refused for %s: %s", attack["victim"], why)
            self.log.append({"attack_id": attack["id"], "refused": why})
        now = self.clock()
        fresh: dict[str, _Active] = {}
        for rule in rules:
            line = exabgp_line(rule, self.policy)
            if line not in self.active and line not in fresh:
                fresh[line] = _Active(rule, line, now + self.ttl_s)
        self._emit(list(fresh), attack["id"])  # raises when ExaBGP cannot be reached
        self.active.update(fresh)
        return list(fresh)

    def expire(self) -> list[str]:
        """Withdraw rules whose TTL has passed."""
        now = self.clock()
        return self.withdraw(lambda a: a.expires <= now)

    def withdraw(self, which: Callable[[_Active], bool]) -> list[str]:
        gone = [a for a in self.active.values() if which(a)]
        lines = [exabgp_line(a.rule, self.policy, announce=False) for a in gone]
        self._emit(lines, gone[0].rule.attack_id if gone else "")
        for a in gone:
            del self.active[a.line]
        return lines

    def _emit(self, lines: list[str], attack_id: str) -> None:
        if not lines:
            return
        for line in lines:
            log.info("%s%s", "[dry-run] " if self.dry_run else "", line)
            self.log.append({"attack_id": attack_id, "line": line, "dry_run": self.dry_run})
        if not self.dry_run and self.write is not None:
            self.write(lines)
