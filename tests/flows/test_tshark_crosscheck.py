"""Every akvorado NetFlow/IPFIX capture decoded by us and by Wireshark's dissector agree.

tshark (Debian ``tshark``) decodes the same merged capture (templates first) as PDML; each
flow record's addresses, ports, protocol, octets and packets must match ours, as multisets.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from qalxan.collect import NetflowDecoder
from qalxan.domain.flows import addr_text

from .flow_pcaps import AKVORADO, NETFLOW_PREFIX, netflow_cases, udp_payloads

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(
        not (shutil.which("tshark") and shutil.which("mergecap")), reason="needs Debian's tshark"
    ),
]
SHARED = Path(__file__).resolve().parents[3] / "shared"
KEYS = {
    "cflow.srcaddr": "src",
    "cflow.srcaddrv6": "src",
    "cflow.dstaddr": "dst",
    "cflow.dstaddrv6": "dst",
    "cflow.srcport": "sport",
    "cflow.dstport": "dport",
    "cflow.protocol": "proto",
    "cflow.octets": "bytes",
    "cflow.packets": "packets",
}
_SKIP = ("cflow.timedelta", "cflow.timestart", "cflow.timeend", "cflow.template", "cflow.flowset")


def _tshark(paths: list[Path], tmp: Path) -> list[dict[str, str]]:
    merged = tmp / "merged.pcap"
    subprocess.run(
        ["mergecap", "-F", "pcap", "-a", "-w", str(merged), *map(str, paths)], check=True
    )
    fields = subprocess.run(
        ["tshark", "-r", str(merged), "-T", "fields", "-e", "udp.dstport"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    args: list[str] = []
    for port in sorted({p for line in fields.split() for p in line.split(",")}):
        args += ["-d", f"udp.port=={port},cflow"]
    xml = subprocess.run(
        ["tshark", "-r", str(merged), *args, "-T", "pdml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    records: list[dict[str, str]] = []
    for proto in ET.fromstring(xml).iter("proto"):
        if proto.get("name") != "cflow":
            continue
        current: dict[str, str] = {}
        for node in proto.iter("field"):
            name, show = node.get("name") or "", node.get("show") or ""
            if not name and show.startswith(("Flow ", "pdu ")):  # a record begins
                records.append(current)
                current = {}
            if not name.startswith("cflow.") or name.startswith(_SKIP):
                continue
            if "Reverse" in (node.get("showname") or ""):  # RFC 5103 reverse direction
                continue
            current.setdefault(name, show)
        records.append(current)
    return [r for r in records if "cflow.srcaddr" in r or "cflow.srcaddrv6" in r]


def _theirs(rec: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out = {KEYS[k]: v for k, v in rec.items() if k in KEYS and v not in ("::", "0.0.0.0")}
    if out.get("proto") in ("1", "58"):  # ICMP: we carry type/code in dport
        out.pop("dport", None)
    return tuple(sorted(out.items()))


def _ours(row: object, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    values = {
        "src": addr_text(row["src"]),  # type: ignore[index]
        "dst": addr_text(row["dst"]),  # type: ignore[index]
    }
    for name in ("sport", "dport", "proto", "bytes", "packets"):
        values[name] = str(int(row[name]))  # type: ignore[index]
    return tuple(sorted((k, values[k]) for k in names))


def _cases() -> list[tuple[str, list[Path]]]:
    folder = SHARED / AKVORADO
    return sorted(netflow_cases(folder).items()) if folder.is_dir() else []


@pytest.mark.parametrize(("case", "paths"), _cases(), ids=[c for c, _p in _cases()])
def test_records_match_wireshark(case: str, paths: list[Path], tmp_path: Path) -> None:
    theirs = [_theirs(r) for r in _tshark(paths, tmp_path)]
    decoder = NetflowDecoder()
    batch = decoder.decode([p for path in paths for p in udp_payloads(path)], received=0.0)
    total = decoder.stats.total()
    assert total.malformed == 0, case
    if not theirs:  # Wireshark shows no address here (e.g. data-link sections only)
        assert all(path.name.startswith(NETFLOW_PREFIX) for path in paths)
        return
    assert len(batch) == len(theirs), case
    shapes = {tuple(k for k, _v in t) for t in theirs}
    got = Counter(_ours(row, names) for row in batch for names in shapes)
    for t, n in Counter(theirs).items():
        assert got[t] >= n, f"{case}: Wireshark has {dict(t)}, we do not"
