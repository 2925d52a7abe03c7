"""sFlow v5: akvorado captures (values as Wireshark 4.0 shows them) and built datagrams."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from qalxan.collect import SflowDecoder
from qalxan.domain.flows import addr_text

from .flow_pcaps import SFLOW_PREFIX, sflow_files, short, udp_payloads


def row(batch, i):  # type: ignore[no-untyped-def]
    r = batch[i]
    return (
        addr_text(r["src"]),
        addr_text(r["dst"]),
        int(r["sport"]),
        int(r["dport"]),
        int(r["proto"]),
        int(r["tcp_flags"]),
        int(r["bytes"]),
        int(r["sampling"]),
    )


@pytest.mark.shared_data
def test_every_akvorado_sflow_capture_decodes(akvorado: Path) -> None:
    files = sflow_files(akvorado)
    assert len(files) == 11
    for path in files:
        decoder = SflowDecoder()
        batch = decoder.decode(udp_payloads(path), received=5.0)
        total = decoder.stats.total()
        assert total.malformed == 0, short(path)
        assert len(batch) == total.records > 0, short(path)
        assert (batch["packets"] == 1).all() and (batch["start"] == 5.0).all()


@pytest.mark.shared_data
def test_akvorado_sflow_values(akvorado: Path) -> None:
    batch = SflowDecoder().decode(udp_payloads(akvorado / f"{SFLOW_PREFIX}data-1140.pcap"))
    assert len(batch) == 5
    v6 = "2a0c:8880:2:0:185:21:130:3"
    assert row(batch, 0)[:6] == (v6 + "8", v6 + "9", 46026, 22, 6, 0x10)
    assert row(batch, 1) == ("104.26.8.24", "45.90.161.46", 443, 56876, 6, 0x18, 421, 1024)
    expanded = SflowDecoder().decode(
        udp_payloads(akvorado / f"{SFLOW_PREFIX}data-sflow-expanded-sample.pcap")
    )
    assert row(expanded, 0)[:5] == ("52.52.52.52", "53.53.53.53", 22, 52237, 6)
    assert int(expanded[0]["sampling"]) == 1000
    qinq = SflowDecoder().decode(udp_payloads(akvorado / f"{SFLOW_PREFIX}data-qinq.pcap"))
    assert row(qinq, 0)[:5] == ("49.49.49.2", "49.49.49.109", 32017, 443, 6)
    icmp = SflowDecoder().decode(udp_payloads(akvorado / f"{SFLOW_PREFIX}data-icmpv4.pcap"))
    assert row(icmp, 0)[3:5] == (8 << 8, 1)  # echo request in the destination port


def _datagram(samples: list[bytes], seq: int = 1) -> bytes:
    head = struct.pack("!II4sIIII", 5, 1, bytes([192, 0, 2, 1]), 0, seq, 1000, len(samples))
    return head + b"".join(samples)


def _flow_sample(rate: int, records: list[bytes]) -> bytes:
    body = struct.pack("!8I", 1, 3, rate, 1000, 0, 1, 2, len(records)) + b"".join(records)
    return struct.pack("!II", 1, len(body)) + body


def _raw_header(frame: bytes) -> bytes:
    pad = (-len(frame)) % 4
    body = struct.pack("!4I", 1, len(frame) + 4, 4, len(frame)) + frame + b"\x00" * pad
    return struct.pack("!II", 1, len(body)) + body


def _ipv4_fragment() -> bytes:
    eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        1500,
        1,
        185,
        64,
        17,
        0,
        bytes([198, 51, 100, 7]),
        bytes([203, 0, 113, 10]),
    )
    return eth + ip + b"\x00" * 20


def test_built_datagrams_fragments_sampled_ipv4_and_counters() -> None:
    sampled_v4 = struct.pack(
        "!II4s4sIIII", 60, 17, bytes([10, 1, 1, 1]), bytes([10, 2, 2, 2]), 123, 5555, 0, 0
    )
    counter = struct.pack("!II", 2, 8) + b"\x00" * 8
    data = _datagram(
        [
            _flow_sample(512, [_raw_header(_ipv4_fragment())]),
            counter,
            _flow_sample(0, [struct.pack("!II", 3, len(sampled_v4)) + sampled_v4]),
        ]
    )
    decoder = SflowDecoder()
    batch = decoder.decode([(data, "192.0.2.1")], received=0.0)
    assert len(batch) == 2
    frag = batch[0]
    assert (int(frag["frag"]), int(frag["sport"]), int(frag["bytes"]), int(frag["sampling"])) == (
        1,
        0,
        1500,
        512,
    )
    assert addr_text(frag["dst"]) == "203.0.113.10"
    assert row(batch, 1) == ("10.1.1.1", "10.2.2.2", 123, 5555, 17, 0, 60, 1)
    assert int(batch[0]["exporter"]) == 0xC0000201
    decoder.decode([(_datagram([], seq=5), "192.0.2.1")], received=0.0)
    assert decoder.stats.get("192.0.2.1").sequence_gaps == 1


def test_truncated_sflow_is_counted() -> None:
    data = _datagram([_flow_sample(512, [_raw_header(_ipv4_fragment())])])
    decoder = SflowDecoder()
    for cut in range(0, len(data) - 1, 7):
        decoder.decode([(data[:cut], "192.0.2.1")], received=0.0)
    st = decoder.stats.get("192.0.2.1")
    assert st.malformed == st.datagrams and st.records == 0
