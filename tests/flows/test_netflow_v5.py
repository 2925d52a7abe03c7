"""NetFlow v5: decoding (akvorado capture, Wireshark-verified values), encoding, counters."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from qalxan.collect import NetflowDecoder, decode_v5, encode_v5
from qalxan.domain.flows import FLOW_DTYPE, addr_bytes, addr_text
from qalxan.errors import ParseError

from .flow_batches import make_batch
from .flow_pcaps import NETFLOW_PREFIX, udp_payloads

COLUMNS = ("src", "dst", "sport", "dport", "proto", "tcp_flags", "packets", "bytes", "sampling")


@pytest.mark.shared_data
def test_akvorado_nfv5_capture(akvorado: Path) -> None:
    """Values as Wireshark 4.0 shows them for pdu 1/29 of nfv5.pcap."""
    datagrams = udp_payloads(akvorado / f"{NETFLOW_PREFIX}nfv5.pcap")
    decoder = NetflowDecoder()
    batch = decoder.decode(datagrams, received=0.0)
    assert batch.dtype == FLOW_DTYPE and len(batch) == 29
    first = batch[0]
    assert addr_text(first["src"]) == "161.202.212.212"
    assert addr_text(first["dst"]) == "202.152.70.24"
    assert (int(first["sport"]), int(first["dport"]), int(first["proto"])) == (30104, 11963, 6)
    assert (int(first["packets"]), int(first["bytes"]), int(first["tcp_flags"])) == (1, 133, 0x18)
    # export 1680626679 s at uptime 2874339.000 s; the record started at uptime 2874324.000 s
    assert first["start"] == pytest.approx(1680626679 - 15.0)
    assert int(first["sampling"]) == 1
    assert int(first["exporter"]) == int.from_bytes(bytes([10, 19, 144, 41]), "big")
    stats = decoder.stats.snapshot()["10.19.144.41"]
    assert stats["datagrams"] == 1 and stats["records"] == 29 and stats["malformed"] == 0


def test_encode_decode_round_trip() -> None:
    batch = make_batch(100)
    batch["sampling"] = 64
    datagrams = encode_v5(batch, boot_time=1_699_999_000.0)
    assert len(datagrams) == 4 and all(len(d) <= 24 + 30 * 48 for d in datagrams)
    got = NetflowDecoder().decode([(d, "192.0.2.1") for d in datagrams], received=0.0)
    for col in COLUMNS:
        np.testing.assert_array_equal(got[col], batch[col], err_msg=col)
    np.testing.assert_allclose(got["start"], batch["start"], atol=1e-3)
    np.testing.assert_allclose(got["end"], batch["end"], atol=1e-3)
    assert set(got["exporter"].tolist()) == {0xC0000201}


def test_uptime_wraps_around() -> None:
    """Exporters up for more than 49.7 days wrap the uptime counter; times stay right."""
    batch = make_batch(3)
    boot = float(batch["start"].min()) - 2**32 / 1000 + 1.0  # wraps one second in
    got = decode_v5(encode_v5(batch, boot_time=boot)[0])
    np.testing.assert_allclose(got["start"], batch["start"], atol=1e-3)


def test_ipv6_cannot_be_encoded() -> None:
    batch = make_batch(2)
    batch["src"][1] = addr_bytes("2001:db8::1")
    with pytest.raises(ParseError):
        encode_v5(batch, boot_time=0.0)


def test_sequence_gaps_and_lost_records_are_counted() -> None:
    datagrams = encode_v5(make_batch(90), boot_time=1_699_999_000.0)  # 3 x 30 records
    decoder = NetflowDecoder()
    decoder.decode([(datagrams[0], "192.0.2.1"), (datagrams[2], "192.0.2.1")], received=0.0)
    st = decoder.stats.get("192.0.2.1")
    assert (st.sequence_gaps, st.lost_records, st.records) == (1, 30, 60)


def test_truncated_and_unknown_datagrams_are_counted_not_raised() -> None:
    good = encode_v5(make_batch(5), boot_time=1_699_999_000.0)[0]
    bad = [
        (good[:-1], "192.0.2.7"),  # one byte short
        (good[:10], "192.0.2.7"),  # header cut
        (struct.pack("!H", 7) + good[2:], "192.0.2.7"),  # unknown version
        (b"", "192.0.2.7"),
        (good, "192.0.2.7"),
    ]
    decoder = NetflowDecoder()
    batch = decoder.decode(bad, received=0.0)
    st = decoder.stats.get("192.0.2.7")
    assert len(batch) == 5
    assert (st.datagrams, st.malformed, st.records) == (5, 4, 5)
