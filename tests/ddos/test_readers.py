"""pcap/pcapng and nfdump CSV readers against the shared captures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qalxan.collect.nfdump import parse_flags, read_nfdump_csv
from qalxan.collect.pcap import read_pcap
from qalxan.domain.errors import FlowDecodeError
from qalxan.domain.flows import addr_bytes, addr_text


def _all(it: Any) -> np.ndarray:
    return np.concatenate(list(it))


@pytest.mark.parametrize(
    "name",
    ["syn_flood.pcap", "udp_flood.pcap", "icmp_flood.pcap", "dns_amp.pcap", "cldap_amp.pcap"],
)
def test_synthetic_packet_counts_match_labels(
    ddos_dir: Path, labels: dict[str, Any], name: str
) -> None:
    recs = _all(read_pcap(ddos_dir / "synthetic_scapy" / name))
    assert len(recs) == labels[name]["packets"]
    assert set(recs["dst"].tolist()) == {addr_bytes(labels[name]["victim"])}
    assert (recs["packets"] == 1).all()
    start = labels[name]["start"]
    assert start <= recs["start"].min() and recs["end"].max() <= start + 1.0


def test_fields_of_syn_and_fragmented_amplification(ddos_dir: Path) -> None:
    syn = _all(read_pcap(ddos_dir / "synthetic_scapy" / "syn_flood.pcap"))
    assert (syn["proto"] == 6).all() and (syn["tcp_flags"] == 0x02).all()
    assert (syn["dport"] == 80).all() and (syn["bytes"] == 40).all()
    dns = _all(read_pcap(ddos_dir / "synthetic_scapy" / "dns_amp.pcap"))
    # 1000 responses in 3 fragments each: the first carries the ports, two follow
    assert int(dns["frag"].sum()) == 2000
    assert (dns["sport"][dns["frag"] == 0] == 53).all()
    assert (dns["sport"][dns["frag"] == 1] == 0).all()


def test_pcapng_and_ipv6(ddos_dir: Path) -> None:
    recs = _all(read_pcap(ddos_dir / "ddosdb_dissector_samples" / "24-AnonymousDoS-10s-3.pcapng"))
    assert len(recs) == 6339
    rrsig = _all(read_pcap(ddos_dir / "stopddos_packet_captures" / "amp.dns.RRSIG.fragmented.pcap"))
    assert any(":" in addr_text(d) for d in set(rrsig["dst"].tolist()))


def test_not_a_capture(tmp_path: Path) -> None:
    bad = tmp_path / "x.pcap"
    bad.write_bytes(b"hello world, not a capture at all")
    with pytest.raises(FlowDecodeError):
        list(read_pcap(bad))


def test_nfdump_csv_of_the_synthetic_timeline(ddos_dir: Path) -> None:
    recs = _all(read_nfdump_csv(ddos_dir / "derived_flows" / "csv" / "synthetic_timeline.csv.gz"))
    assert len(recs) > 50_000
    assert recs["start"].min() == pytest.approx(1_700_000_000.0, abs=1)
    syn = recs[(recs["proto"] == 6) & (recs["tcp_flags"] == 0x02)]
    assert len(syn) > 20_000
    assert parse_flags("...AP.S.") == 0x1A and parse_flags("0x12") == 0x12


@pytest.mark.skipif(shutil.which("nfdump") is None, reason="Debian nfdump is not installed")
def test_nfdump_csv_with_summary_and_sampling(ddos_dir: Path, tmp_path: Path) -> None:
    src = ddos_dir / "ddosdb_dissector_samples" / "20151011134357_dst80.nfdump"
    out = tmp_path / "real.csv"
    out.write_bytes(
        subprocess.run(
            ["nfdump", "-r", str(src), "-o", "csv"], check=True, capture_output=True
        ).stdout
    )
    assert b"Summary" in out.read_bytes()
    recs = _all(read_nfdump_csv(out, sampling=10))
    assert len(recs) == 58_750  # the summary's flow count; the summary lines are skipped
    assert int(recs["packets"].sum()) == 58_750_000
    assert (recs["sampling"] == 10).all()


def _rewrite(src: Path, dst: Path, linktype: int, head: Any) -> None:
    """Copy a classic Ethernet pcap with another link type: ``head(frame) -> new frame``."""
    import struct

    data = src.read_bytes()
    out = bytearray(data[:20] + struct.pack("<I", linktype))
    pos = 24
    while pos + 16 <= len(data):
        sec, usec, incl, _orig = struct.unpack_from("<IIII", data, pos)
        frame = head(data[pos + 16 : pos + 16 + incl])
        out += struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame
        pos += 16 + incl
    dst.write_bytes(bytes(out))


@pytest.mark.parametrize(
    ("linktype", "head"),
    [
        (101, lambda f: f[14:]),  # raw IP
        (113, lambda f: b"\x00\x00\x00\x01\x00\x06" + f[6:12] + b"\x00\x00" + f[12:]),  # SLL
        (1, lambda f: f[:12] + b"\x81\x00\x00\x64" + f[12:]),  # one 802.1Q tag
    ],
    ids=["raw", "linux_sll", "vlan"],
)
def test_other_link_types_decode_the_same(
    ddos_dir: Path, tmp_path: Path, linktype: int, head: Any
) -> None:
    src = ddos_dir / "synthetic_scapy" / "cldap_amp.pcap"
    dst = tmp_path / "x.pcap"
    _rewrite(src, dst, linktype, head)
    a, b = _all(read_pcap(src)), _all(read_pcap(dst))
    assert len(a) == len(b) == 2000
    for field in ("src", "dst", "sport", "dport", "proto", "frag", "bytes", "start"):
        assert (a[field] == b[field]).all(), field
