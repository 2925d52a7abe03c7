"""`qalxan ddos replay` prints the {"attacks": [...]} contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qalxan.cli.main import app


def test_replay_json_contract(ddos_dir: Path) -> None:
    path = ddos_dir / "synthetic_scapy" / "timeline_benign_then_syn_ntp.pcap"
    res = CliRunner().invoke(app, ["ddos", "replay", str(path), "--format", "pcap", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    (attack,) = doc["attacks"]
    for key in ("victim", "vector", "vectors", "start", "end", "peak_pps", "peak_bps"):
        assert key in attack
    assert attack["victim"] == "203.0.113.10"
    assert attack["vectors"] == ["syn_flood", "ntp_amplification"]
    assert 1_700_000_030 <= attack["start"] < attack["end"] <= 1_700_000_041


def test_replay_nfdump_csv_with_plan(ddos_dir: Path) -> None:
    path = ddos_dir / "derived_flows" / "csv" / "amp.UDP.snmp.src161.csv.gz"
    res = CliRunner().invoke(
        app, ["ddos", "replay", str(path), "--format", "nfdump-csv", "--json", "--plan"]
    )
    assert res.exit_code == 0, res.output
    (attack,) = json.loads(res.stdout)["attacks"]
    assert attack["vector"] == "snmp_amplification"
    assert any("source-port =161;" in line for line in attack["mitigation"]["exabgp"])


def test_replay_human_output_and_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"\x00" * 64)
    res = CliRunner().invoke(app, ["ddos", "replay", str(bad)])
    assert res.exit_code == 2


def test_replay_nft_export(ddos_dir: Path) -> None:
    path = ddos_dir / "synthetic_scapy" / "memcached_amp.pcap"
    res = CliRunner().invoke(app, ["ddos", "replay", str(path), "--nft"])
    assert res.exit_code == 0, res.output
    assert "ip daddr 203.0.113.10/32 meta l4proto udp udp sport 11211 drop" in res.stdout
