"""Helpers: UDP payloads out of pcaps (dpkt), the akvorado test captures grouped by case."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import dpkt

AKVORADO = "data/ddos/akvorado_flow_testdata"
NETFLOW_PREFIX = "outlet__flow__decoder__netflow__testdata__"
SFLOW_PREFIX = "outlet__flow__decoder__sflow__testdata__"
# Order inside a case: options templates, options data, templates, then data.
_ORDER = ("options-template", "options-data", "template", "templates", "data")


def udp_payloads(path: Path) -> list[tuple[bytes, str]]:
    """``(payload, source address)`` of every UDP datagram in a pcap, in order."""
    out: list[tuple[bytes, str]] = []
    with path.open("rb") as fh:
        reader = dpkt.pcap.Reader(fh)
        link = reader.datalink()
        for _ts, buf in reader:
            pkt = dpkt.ethernet.Ethernet(buf) if link == dpkt.pcap.DLT_EN10MB else dpkt.sll.SLL(buf)
            ip = pkt.data
            while not isinstance(ip, dpkt.ip.IP | dpkt.ip6.IP6):
                ip = ip.data
            family = socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
            udp = ip.data
            if isinstance(udp, dpkt.udp.UDP):
                out.append((bytes(udp.data), socket.inet_ntop(family, ip.src)))
    return out


def netflow_cases(folder: Path) -> dict[str, list[Path]]:
    """akvorado's NetFlow/IPFIX captures grouped by test case, templates first."""
    cases: dict[str, list[tuple[int, Path]]] = {}
    for path in sorted(folder.glob(f"{NETFLOW_PREFIX}*.pcap")):
        stem = path.stem[len(NETFLOW_PREFIX) :]
        case, rank = stem, len(_ORDER)
        for i, suffix in enumerate(_ORDER):
            if stem == suffix or stem.endswith("-" + suffix):
                case = stem[: -len(suffix)].rstrip("-") or "base"
                rank = i
                break
        if stem == "data+templates":
            case = stem
        cases.setdefault(case, []).append((rank, path))
    return {k: [p for _r, p in sorted(v)] for k, v in cases.items()}


def sflow_files(folder: Path) -> list[Path]:
    """akvorado's sFlow captures."""
    return sorted(folder.glob(f"{SFLOW_PREFIX}*.pcap"))


def short(path: Path) -> str:
    """A readable test id for a capture."""
    return re.sub(r"^outlet__flow__decoder__(netflow__|sflow__)?testdata__", "", path.stem)
