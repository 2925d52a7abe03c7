"""softflowd's own datagrams captured on the wire (``derived_flows/wire``) decode to exactly
the flows nfdump recorded from the same export (``derived_flows/csv``)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from qalxan.collect import NetflowDecoder

from .flow_pcaps import udp_payloads

pytestmark = pytest.mark.shared_data


def _nfdump(path: Path) -> tuple[int, int, int]:
    flows = packets = octets = 0
    with gzip.open(path, "rt", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["ts"][:2].isdigit():
                flows, packets, octets = (
                    flows + 1,
                    packets + int(row["ipkt"]),
                    octets + int(row["ibyt"]),
                )
    return flows, packets, octets


@pytest.mark.parametrize(
    ("wire", "csv_name"),
    [
        ("softflowd_v5.pcap", "pkt.TCP.synflood.spoofed"),
        ("softflowd_v9.pcap", "pkt.TCP.synflood.spoofed"),
        ("softflowd_ipfix.pcap", "pkt.TCP.synflood.spoofed"),
        ("softflowd_ipfix_abs_ms_isakmp.pcap", "amp.UDP.isakmp"),
    ],
)
def test_wire_capture_totals_equal_nfdump(shared_dir: Path, wire: str, csv_name: str) -> None:
    base = shared_dir / "data/ddos/derived_flows"
    decoder = NetflowDecoder()
    batch = decoder.decode(udp_payloads(base / "wire" / wire), received=0.0)
    assert (len(batch), int(batch["packets"].sum()), int(batch["bytes"].sum())) == _nfdump(
        base / "csv" / f"{csv_name}.csv.gz"
    )
    total = decoder.stats.total()
    assert (total.malformed, total.unknown_template, total.sequence_gaps) == (0, 0, 0)


def test_absolute_millisecond_times(shared_dir: Path) -> None:
    """IPFIX flowStart/EndMilliseconds: the capture's own clock (2021-06-14 19:45 UTC)."""
    wire = shared_dir / "data/ddos/derived_flows/wire/softflowd_ipfix_abs_ms_isakmp.pcap"
    batch = NetflowDecoder().decode(udp_payloads(wire), received=0.0)
    assert 1623699900 < batch["start"].min() <= batch["end"].max() < 1623699902
