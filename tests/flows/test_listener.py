"""The UDP listener on 127.0.0.1: our encoders, and Debian's softflowd exporting shared pcaps.

softflowd 1.1.0 replays a pcap as NetFlow v5, v9 and IPFIX to the listener; the flows, packets
and bytes received must equal what nfdump 1.7.1 recorded from the same softflowd export
(``derived_flows/csv``, made with ``nfcapd``), and the packets the pcap's packet count.
"""

from __future__ import annotations

import csv
import gzip
import shutil
import socket
import subprocess
import time
from pathlib import Path

import dpkt
import pytest

from qalxan.collect import FlowListener, encode_v5
from qalxan.errors import ConfigError

from .flow_batches import Sink, make_batch, wait_for


def test_listener_decodes_netflow_and_sflow_on_loopback() -> None:
    sink = Sink()
    batch = make_batch(95)
    sflow = bytes.fromhex("00000005000000017f0000010000000000000001000003e800000000")
    with FlowListener(("127.0.0.1", 0), ("127.0.0.1", 0), sink) as listener:
        nf, sf = listener.netflow_address, listener.sflow_address
        assert nf is not None and sf is not None and nf[0] == "127.0.0.1" and nf[1] > 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for datagram in encode_v5(batch, boot_time=1_699_999_000.0):
                sock.sendto(datagram, nf)
            sock.sendto(sflow, sf)
            sock.sendto(b"\x00\x05garbage", nf)
        assert wait_for(lambda: len(sink.flows()) == 95)
        assert wait_for(
            lambda: listener.stats()["sflow"].get("127.0.0.1", {}).get("datagrams") == 1
        )
        stats = listener.stats()
    got = sink.flows()
    assert sorted(got["packets"].tolist()) == sorted(batch["packets"].tolist())
    assert stats["netflow"]["127.0.0.1"] == {
        "datagrams": 5,
        "records": 95,
        "malformed": 1,
        "unknown_template": 0,
        "templates": 0,
        "sequence_gaps": 0,
        "lost_records": 0,
    }
    assert listener.netflow_address is None  # closed


def test_listener_needs_an_address_and_a_free_port() -> None:
    with pytest.raises(ConfigError):
        FlowListener(None, None, lambda b: None)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        listener = FlowListener(taken.getsockname(), None, lambda b: None)
        with pytest.raises(ConfigError):
            listener.start()


def _nfdump_totals(path: Path) -> tuple[int, int, int]:
    flows = packets = octets = 0
    with gzip.open(path, "rt", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["ts"][:2].isdigit():  # the summary lines at the end
                continue
            flows += 1
            packets += int(row["ipkt"])
            octets += int(row["ibyt"])
    return flows, packets, octets


def _pcap_packets(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in dpkt.pcap.Reader(fh))


@pytest.mark.shared_data
@pytest.mark.skipif(shutil.which("softflowd") is None, reason="needs Debian's softflowd")
@pytest.mark.parametrize("version", ["5", "9", "10"])
@pytest.mark.parametrize(
    "capture",
    ["amp.TCP.syn.optionallyACK.optionallysamePort.pcapng", "pkt.TCP.synflood.spoofed.pcap"],
)
def test_softflowd_export_matches_nfdump(
    shared_dir: Path, tmp_path: Path, version: str, capture: str
) -> None:
    pcap = shared_dir / "data/ddos/stopddos_packet_captures" / capture
    stem = capture.rsplit(".", 1)[0]
    flows, packets, octets = _nfdump_totals(
        shared_dir / f"data/ddos/derived_flows/csv/{stem}.csv.gz"
    )
    sink = Sink()
    with FlowListener(("127.0.0.1", 0), None, sink) as listener:
        port = listener.netflow_address[1]  # type: ignore[index]
        subprocess.run(
            [
                "softflowd",
                "-r",
                str(pcap),
                "-n",
                f"127.0.0.1:{port}",
                "-v",
                version,
                "-A",
                "milli",
                "-d",
                "-c",
                "none",
                "-p",
                str(tmp_path / "softflowd.pid"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        wait_for(
            lambda: int(sink.flows()["packets"].sum()) >= packets if len(sink.flows()) else False
        )
        stats = listener.stats()["netflow"]["127.0.0.1"]
    got = sink.flows()
    assert (len(got), int(got["packets"].sum()), int(got["bytes"].sum())) == (
        flows,
        packets,
        octets,
    )
    assert int(got["packets"].sum()) == _pcap_packets(pcap)
    assert stats["malformed"] == stats["unknown_template"] == stats["lost_records"] == 0
    assert stats["sequence_gaps"] == 0  # softflowd's own numbering is not a gap
    assert (got["sampling"] == 1).all()
    if version != "5":  # softflowd's v5 times come from the wall clock, not the capture
        with pcap.open("rb") as fh:
            stamps = [ts for ts, _buf in dpkt.pcap.Reader(fh)]
        assert got["start"].min() == pytest.approx(min(stamps), abs=0.002)
        assert got["end"].max() == pytest.approx(max(stamps), abs=0.002)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _softflowd(pcap: Path, port: int, version: str, tmp: Path) -> None:
    subprocess.run(
        [
            "softflowd",
            "-r",
            str(pcap),
            "-n",
            f"127.0.0.1:{port}",
            "-v",
            version,
            "-A",
            "milli",
            "-d",
            "-c",
            "none",
            "-p",
            str(tmp / "softflowd.pid"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.shared_data
@pytest.mark.skipif(
    not all(shutil.which(b) for b in ("softflowd", "nfcapd", "nfdump")),
    reason="needs Debian's softflowd and nfdump",
)
@pytest.mark.parametrize("version", ["5", "9", "10"])
def test_same_records_as_a_live_nfcapd(shared_dir: Path, tmp_path: Path, version: str) -> None:
    """softflowd exports one pcap twice: to nfcapd (nfdump 1.7.1) and to our listener; the
    flow records (addresses, ports, protocol, packets, bytes) are the same multiset."""
    pcap = shared_dir / "data/ddos/stopddos_packet_captures/amp.UDP.snmp.src161.pcapng"
    port = _free_udp_port()
    spool = tmp_path / "nfcapd"
    spool.mkdir()
    # nfcapd's default socket buffer drops part of softflowd's burst: give it 8 MiB as ours
    nfcapd = subprocess.Popen(
        ["nfcapd", "-w", str(spool), "-b", "127.0.0.1", "-p", str(port), "-B", "8388608"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        _softflowd(pcap, port, version, tmp_path)
        time.sleep(0.5)
    finally:
        nfcapd.terminate()
        nfcapd.wait(timeout=20)
    files = sorted(spool.glob("nfcapd.*"))
    assert files, "nfcapd wrote nothing"
    out = subprocess.run(
        ["nfdump", "-r", str(files[-1]), "-o", "csv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    theirs = sorted(
        (r["sa"], r["da"], int(r["sp"]), int(r["dp"]), int(r["ipkt"]), int(r["ibyt"]))
        for r in csv.DictReader(out.splitlines())
        if (r.get("ts") or "")[4:5] == "-" and r.get("ibyt") is not None
    )
    sink = Sink()
    with FlowListener(("127.0.0.1", 0), None, sink) as listener:
        _softflowd(pcap, listener.netflow_address[1], version, tmp_path)  # type: ignore[index]
        wait_for(lambda: len(sink.flows()) >= len(theirs))
    from qalxan.domain.flows import addr_text

    ours = sorted(
        (
            addr_text(r["src"]),
            addr_text(r["dst"]),
            int(r["sport"]),
            int(r["dport"]),
            int(r["packets"]),
            int(r["bytes"]),
        )
        for r in sink.flows()
    )
    assert len(theirs) > 1000
    assert ours == theirs
