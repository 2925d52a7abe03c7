"""Every labelled vector in ../shared/data/ddos is detected and classified, in time.

Driven by synthetic_scapy/labels.json and by the table of real captures below (their file
names are the labels: see DATASETS.md). Regenerate nothing: the data is read in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qalxan.cli.ddos import Format, replay_file

# label of labels.json -> vector name
VECTOR = {
    "syn_flood": "syn_flood",
    "udp_flood": "udp_flood",
    "icmp_flood": "icmp_flood",
    "http_flood": "http_flood",
    "ntp_amp": "ntp_amplification",
    "memcached_amp": "memcached_amplification",
    "cldap_amp": "cldap_amplification",
    "ssdp_amp": "ssdp_amplification",
    "dns_amp": "dns_amplification",
    "chargen_amp": "chargen_amplification",
}
MAX_DELAY_S = 2.0

# real captures: file -> (threshold profile, victim, vectors that must be reported for it,
# vector that must come first or None). "excerpt" captures are trimmed to a few packets per
# second (see docs/ddos.md); the default thresholds rightly call those rates no attack.
REAL: dict[str, tuple[str, str, set[str], str | None]] = {
    "stopddos_packet_captures/pkt.TCP.synflood.spoofed.pcap": (
        "default",
        "10.10.10.10",
        {"syn_flood"},
        "syn_flood",
    ),
    "stopddos_packet_captures/pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng": (
        "default",
        "10.10.10.10",
        {"syn_flood"},
        "syn_flood",
    ),
    "stopddos_packet_captures/amp.TCP.reflection.SYNACK.pcap": (
        "default",
        "10.10.10.10",
        {"synack_reflection"},
        "synack_reflection",
    ),
    "stopddos_packet_captures/amp.UDP.isakmp.pcap": (
        "default",
        "10.10.10.10",
        {"isakmp_amplification"},
        "isakmp_amplification",
    ),
    "stopddos_packet_captures/amp.UDP.snmp.src161.pcapng": (
        "default",
        "10.10.10.10",
        {"snmp_amplification"},
        "snmp_amplification",
    ),
    "stopddos_packet_captures/amp.UDP.bacnet.IOT.37810.pcapng": (
        "default",
        "10.10.10.1",
        {"bacnet_amplification", "dhdiscover_amplification"},
        "bacnet_amplification",
    ),
    "stopddos_packet_captures/amp.dns.RRSIG.fragmented.pcap": (
        "excerpt",
        "10.10.10.10",
        {"dns_amplification"},
        None,
    ),
    "stopddos_packet_captures/amp.TCP.syn.optionallyACK.optionallysamePort.pcapng": (
        "excerpt",
        "10.10.10.10",
        {"synack_reflection"},
        None,
    ),
    "cicddos2019_lucid_samples/CIC-DDoS-2019-SynFlood.pcap": (
        "default",
        "192.168.50.4",
        {"syn_flood"},
        "syn_flood",
    ),
    "cicddos2019_lucid_samples/CIC-DDoS-2019-WebDDoS.pcap": (
        "excerpt",
        "192.168.50.1",
        {"http_flood"},
        "http_flood",
    ),
    "ddosdb_dissector_samples/24-AnonymousDoS-10s-3.pcapng": (
        "excerpt",
        "192.168.0.100",
        {"http_flood"},
        "http_flood",
    ),
    "ddosdb_dissector_samples/20141229_src53.pcap": (
        "excerpt",
        "1.1.1.1",
        {"dns_amplification"},
        "dns_amplification",
    ),
    "ddosdb_dissector_samples/20141229_dst80.pcap": (
        "excerpt",
        "1.1.1.1",
        {"udp_flood", "ssdp_amplification"},
        None,
    ),
    "ddosdb_dissector_samples/rep.pcap": (
        "excerpt",
        "172.31.28.132",
        {"udp_flood", "ssdp_amplification"},
        None,
    ),
    "ddosdb_dissector_samples/1.pcap": (
        "excerpt",
        "172.31.28.132",
        {"udp_flood", "ssdp_amplification", "dns_amplification"},
        None,
    ),
}


LABELS = Path(__file__).resolve().parents[2].parent / "shared/data/ddos/synthetic_scapy/labels.json"


def _single() -> list[str]:
    if not LABELS.is_file():
        return []
    return sorted(k for k, v in json.loads(LABELS.read_text()).items() if "attack" in v)


@pytest.mark.parametrize("name", _single())
def test_synthetic_flood_detected_and_classified(
    ddos_dir: Path, labels: dict[str, Any], name: str
) -> None:
    label = labels[name]
    attacks = replay_file(ddos_dir / "synthetic_scapy" / name)["attacks"]
    assert len(attacks) == 1, attacks
    a = attacks[0]
    assert a["victim"] == label["victim"]
    assert a["vector"] == VECTOR[label["attack"]]
    assert a["vectors"] == [VECTOR[label["attack"]]]
    assert a["detected_at"] - label["start"] <= MAX_DELAY_S
    assert a["start"] == pytest.approx(label["start"], abs=1.0)
    assert a["peak_pps"] >= label["attack_pps_nominal"] * 0.9
    assert a["peak_bps"] > 0 and a["fired"] and 0 < a["confidence"] <= 1


def test_timeline_benign_then_syn_and_ntp(ddos_dir: Path, labels: dict[str, Any]) -> None:
    label = labels["timeline_benign_then_syn_ntp.pcap"]
    attacks = replay_file(ddos_dir / "synthetic_scapy" / "timeline_benign_then_syn_ntp.pcap")[
        "attacks"
    ]
    first_attack = min(x["from"] for x in label["attacks"])
    # no alert in the benign part, and only the labelled victim
    assert all(a["start"] >= first_attack for a in attacks), attacks
    assert {a["victim"] for a in attacks} == {label["victim"]}
    assert len(attacks) == 1
    a = attacks[0]
    assert set(a["vectors"]) == {VECTOR[x["type"]] for x in label["attacks"]}
    for x in label["attacks"]:
        v = a["evidence"]["vectors"][VECTOR[x["type"]]]
        assert x["from"] <= v["detected_at"] <= x["from"] + MAX_DELAY_S, (x, v)
        assert v["end"] == pytest.approx(x["to"], abs=1.0)
    assert a["end"] == pytest.approx(max(x["to"] for x in label["attacks"]), abs=1.0)


@pytest.mark.parametrize("rel", sorted(REAL))
def test_real_capture_classified(ddos_dir: Path, rel: str) -> None:
    profile, victim, must, first = REAL[rel]
    attacks = replay_file(ddos_dir / rel, profile=profile)["attacks"]
    mine = [a for a in attacks if a["victim"] == victim]
    assert mine, f"no attack on {victim}: {[(a['victim'], a['vectors']) for a in attacks]}"
    seen = {v for a in mine for v in a["vectors"]}
    assert must <= seen, seen
    if first is not None:
        assert max(mine, key=lambda a: a["peak_pps"])["vector"] == first
    if profile == "default":
        assert len(attacks) == 1, [(a["victim"], a["vectors"]) for a in attacks]


def test_real_router_nfdump_csv(ddos_dir: Path, tmp_path: Path) -> None:
    """The real sampled UDP flood (mx480, 1:1000, already scaled) as nfdump CSV."""
    import shutil
    import subprocess

    if shutil.which("nfdump") is None:
        pytest.skip("Debian nfdump is not installed")
    src = ddos_dir / "ddosdb_dissector_samples" / "20151011134357_dst80.nfdump"
    out = tmp_path / "real.csv"
    out.write_bytes(
        subprocess.run(
            ["nfdump", "-r", str(src), "-o", "csv"], check=True, capture_output=True
        ).stdout
    )
    attacks = replay_file(out, fmt=Format.nfdump_csv)["attacks"]
    assert [a["vectors"] for a in attacks] == [["udp_flood"]]
    assert attacks[0]["peak_pps"] > 500_000


def test_derived_flows_csv_of_the_timeline(ddos_dir: Path, labels: dict[str, Any]) -> None:
    """The same timeline exported by softflowd and read back from nfdump CSV."""
    path = ddos_dir / "derived_flows" / "csv" / "synthetic_timeline.csv.gz"
    attacks = replay_file(path)["attacks"]
    assert len(attacks) == 1
    assert set(attacks[0]["vectors"]) == {"syn_flood", "ntp_amplification"}
    assert attacks[0]["detected_at"] - 1_700_000_030.0 <= MAX_DELAY_S


@pytest.mark.parametrize(
    "rel", sorted(r for r, v in REAL.items() if v[0] == "default" and v[3] is not None)
)
def test_real_capture_as_softflowd_flows(ddos_dir: Path, rel: str) -> None:
    """The same captures exported by softflowd -> nfcapd -> nfdump CSV (derived_flows)."""
    _, victim, must, first = REAL[rel]
    csv = ddos_dir / "derived_flows" / "csv" / (Path(rel).stem + ".csv.gz")
    if not csv.exists():
        pytest.skip(f"no derived flows for {rel}")
    attacks = replay_file(csv)["attacks"]
    assert [a["victim"] for a in attacks] == [victim]
    assert must <= set(attacks[0]["vectors"]) and attacks[0]["vector"] == first
