"""NetFlow v9 / IPFIX: templates per exporter and domain, refresh, replacement, withdrawal,
options templates giving sampling rates, variable-length fields, sequence numbers."""

from __future__ import annotations

import struct
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from qalxan.collect import NetflowDecoder, encode_ipfix, encode_v9
from qalxan.domain.flows import addr_text

from .flow_batches import make_batch
from .flow_pcaps import netflow_cases, udp_payloads

EXPORTER = "192.0.2.9"


def ipfix(*sets: bytes, seq: int = 0, domain: int = 1, export: int = 1_700_000_000) -> bytes:
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), export, seq, domain) + body


def a_set(set_id: int, body: bytes) -> bytes:
    return struct.pack("!HH", set_id, 4 + len(body)) + body


def template(tid: int, fields: list[tuple[int, int]]) -> bytes:
    spec = b"".join(struct.pack("!HH", i, n) for i, n in fields)
    return a_set(2, struct.pack("!HH", tid, len(fields)) + spec)


V4_FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4)]


def v4_record(
    src: bytes, dst: bytes, sport: int, dport: int, proto: int, pk: int, by: int
) -> bytes:
    return src + dst + struct.pack("!HHBII", sport, dport, proto, pk, by)


def decode(decoder: NetflowDecoder, *datagrams: bytes) -> np.ndarray:
    return decoder.decode([(d, EXPORTER) for d in datagrams], received=1_700_000_100.0)


@pytest.mark.parametrize("version", [9, 10])
def test_round_trip_ipv4_and_ipv6_sampled(version: int) -> None:
    batch = make_batch(200, ipv6_every=3)
    batch["sampling"] = 100
    if version == 10:
        datagrams = encode_ipfix(batch, domain=7)
    else:
        datagrams = encode_v9(batch, boot_time=1_699_000_000.0, source_id=7)
    decoder = NetflowDecoder()
    got = decode(decoder, *datagrams)
    assert len(got) == 200
    order_got = np.argsort(got["src"], kind="stable")
    order_in = np.argsort(batch["src"], kind="stable")
    for col in (
        "src",
        "dst",
        "sport",
        "dport",
        "proto",
        "tcp_flags",
        "packets",
        "bytes",
        "sampling",
    ):
        np.testing.assert_array_equal(got[col][order_got], batch[col][order_in], err_msg=col)
    np.testing.assert_allclose(got["start"][order_got], batch["start"][order_in], atol=1e-3)
    st = decoder.stats.get(EXPORTER)
    assert (st.malformed, st.unknown_template, st.sequence_gaps) == (0, 0, 0)


def test_data_before_its_template_is_counted_then_decoded_after() -> None:
    rec = v4_record(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 1234, 80, 6, 3, 180)
    decoder = NetflowDecoder()
    assert len(decode(decoder, ipfix(a_set(300, rec)))) == 0
    assert decoder.stats.get(EXPORTER).unknown_template == 1
    got = decode(decoder, ipfix(template(300, V4_FIELDS), a_set(300, rec * 2), seq=0))
    assert len(got) == 2 and addr_text(got[0]["dst"]) == "10.0.0.2"
    assert int(got[0]["packets"]) == 3 and int(got[0]["bytes"]) == 180


def test_templates_are_kept_per_exporter_and_domain() -> None:
    rec = v4_record(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 1, 2, 17, 1, 100)
    decoder = NetflowDecoder()
    decode(decoder, ipfix(template(300, V4_FIELDS), domain=1))
    other = decoder.decode([(ipfix(a_set(300, rec), domain=1), "192.0.2.10")], received=0.0)
    assert len(other) == 0  # another exporter has no template 300
    assert len(decode(decoder, ipfix(a_set(300, rec), domain=2))) == 0  # another domain
    assert len(decode(decoder, ipfix(a_set(300, rec), domain=1))) == 1
    assert decoder.stats.get("192.0.2.10").unknown_template == 1


def test_refresh_keeps_and_replacement_changes_the_template() -> None:
    decoder = NetflowDecoder()
    decode(decoder, ipfix(template(300, V4_FIELDS)))
    key = (EXPORTER, 10, 1)
    first = decoder.templates.templates[key][300]
    decode(decoder, ipfix(template(300, V4_FIELDS)))
    assert decoder.templates.templates[key][300] is first  # refreshed, not recompiled
    swapped = [(12, 4), (8, 4), (11, 2), (7, 2), (4, 1), (2, 4), (1, 4)]  # dst first now
    rec = v4_record(bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]), 80, 1234, 6, 1, 60)
    got = decode(decoder, ipfix(template(300, swapped), a_set(300, rec)))
    assert addr_text(got[0]["src"]) == "10.0.0.1" and int(got[0]["sport"]) == 1234
    assert decoder.stats.get(EXPORTER).templates == 3


def test_withdrawn_template_is_forgotten() -> None:
    rec = v4_record(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 1, 2, 17, 1, 100)
    decoder = NetflowDecoder()
    decode(decoder, ipfix(template(300, V4_FIELDS)))
    decode(decoder, ipfix(a_set(2, struct.pack("!HH", 300, 0))))  # withdrawal
    assert len(decode(decoder, ipfix(a_set(300, rec)))) == 0
    assert decoder.stats.get(EXPORTER).unknown_template == 1


def test_options_template_sampling_per_selector() -> None:
    """IPFIX options (scope observationDomainId; selectorId, samplingPacketInterval/Space)
    give 1:100 and 1:1000; data records name their selector."""
    opt_fields = [(149, 4), (302, 2), (305, 4), (306, 4)]
    spec = b"".join(struct.pack("!HH", i, n) for i, n in opt_fields)
    options_tmpl = a_set(3, struct.pack("!HHH", 400, len(opt_fields), 1) + spec)
    options_data = a_set(
        400, struct.pack("!IHII", 1, 5, 1, 99) + struct.pack("!IHII", 1, 6, 1, 999)
    )
    fields = [*V4_FIELDS, (302, 2)]
    rec5 = v4_record(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 1, 2, 17, 1, 100) + b"\x00\x05"
    rec6 = v4_record(bytes([10, 0, 0, 3]), bytes([10, 0, 0, 2]), 1, 2, 17, 1, 100) + b"\x00\x06"
    decoder = NetflowDecoder()
    got = decode(
        decoder, ipfix(options_tmpl, options_data, template(300, fields), a_set(300, rec5 + rec6))
    )
    assert got["sampling"].tolist() == [100, 1000]


def test_variable_length_fields() -> None:
    """applicationName (IE 96) of variable length, with a 1-byte and a 3-byte length prefix."""
    fields = [(8, 4), (96, 0xFFFF), (12, 4), (2, 4)]
    short = bytes([10, 0, 0, 1]) + b"\x03abc" + bytes([10, 0, 0, 2]) + struct.pack("!I", 7)
    long_name = b"x" * 300
    long = bytes([10, 0, 0, 3]) + b"\xff" + struct.pack("!H", 300) + long_name
    long += bytes([10, 0, 0, 4]) + struct.pack("!I", 9)
    decoder = NetflowDecoder()
    got = decode(decoder, ipfix(template(310, fields), a_set(310, short + long + b"\x00")))
    assert [addr_text(a) for a in got["dst"]] == ["10.0.0.2", "10.0.0.4"]
    assert got["packets"].tolist() == [7, 9]


def test_ipfix_lost_records_and_softflowd_v9_steps() -> None:
    batch = make_batch(72)
    datagrams = encode_ipfix(batch)  # 3 messages of 24 records
    decoder = NetflowDecoder()
    decode(decoder, datagrams[0], datagrams[2])
    st = decoder.stats.get(EXPORTER)
    assert (st.sequence_gaps, st.lost_records) == (1, 24)
    # v9: per export packet (RFC 3954) or per flow (softflowd) are both continuous
    v9 = encode_v9(batch, boot_time=1_699_000_000.0)
    flows_step = [v9[0], v9[1][:12] + struct.pack("!I", 24) + v9[1][16:]]
    decoder = NetflowDecoder()
    decode(decoder, *flows_step)
    assert decoder.stats.get(EXPORTER).sequence_gaps == 0


@pytest.mark.shared_data
def test_akvorado_sampling_rates(akvorado: Path) -> None:
    """Rates from v9 options (FLOW_SAMPLER_ID + SAMPLING_INTERVAL), IPFIX options
    (samplingPacketInterval/Space) and data records (SAMPLING_INTERVAL), as in akvorado."""
    expected = {
        "base": {30000: 4},
        "multiplesamplingrates": {2000: 11, 4000: 1},
        "samplingrate": {2048: 6},
        "physicalinterfaces": {1000: 8},
        "mpls": {10: 2},
        "data+templates": {100: 10},
    }
    cases = netflow_cases(akvorado)
    for case, rates in expected.items():
        decoder = NetflowDecoder()
        batch = decoder.decode([p for f in cases[case] for p in udp_payloads(f)], received=0.0)
        assert dict(Counter(batch["sampling"].tolist())) == rates, case


@pytest.mark.shared_data
def test_akvorado_ipv6_and_icmp(akvorado: Path) -> None:
    decoder = NetflowDecoder()
    batch = decoder.decode([p for f in netflow_cases(akvorado)["icmp"] for p in udp_payloads(f)])
    by_proto = Counter(batch["proto"].tolist())
    assert by_proto[58] >= 1 and by_proto[1] >= 1
    v6 = batch[batch["proto"] == 58][0]
    assert addr_text(v6["src"]) == "2001:db8::" and int(v6["dport"]) >> 8 == 128  # echo request


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("datalink", ("51.51.51.51", "52.52.52.52", 55501, 11777, 17)),
        ("ethernet-over-mpls-with-control-word", ("198.51.100.19", "198.51.100.20", 80, 43908, 6)),
        ("ipfix-srv6", ("fc30:2200:1b::f", "fc30:2200:23:e009::", 0, 0, 4)),  # outer IPv6
        ("juniper-cpid", ("fc30:2200:1b::f", "fc30:2200:23:e009::", 0, 0, 4)),
    ],
)
def test_packet_sampling_records(akvorado: Path, case: str, expected: tuple[object, ...]) -> None:
    """IPFIX dataLinkFrameSection (315) records: the sampled frame decoded as Wireshark does
    (Ethernet, MPLS with a pseudowire control word, SRv6 outer header)."""
    decoder = NetflowDecoder()
    batch = decoder.decode([p for f in netflow_cases(akvorado)[case] for p in udp_payloads(f)])
    assert len(batch) >= 1 and (batch["packets"] == 1).all()
    first = batch[0]
    got = (
        addr_text(first["src"]),
        addr_text(first["dst"]),
        int(first["sport"]),
        int(first["dport"]),
        int(first["proto"]),
    )
    assert got == expected
    assert decoder.stats.total().malformed == 0


def test_ipfix_sequence_counts_options_records_either_way() -> None:
    opt_fields = [(149, 4), (34, 4)]
    spec = b"".join(struct.pack("!HH", i, n) for i, n in opt_fields)
    options = a_set(3, struct.pack("!HHH", 400, 2, 1) + spec) + a_set(
        400, struct.pack("!II", 1, 10)
    )
    rec = v4_record(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 1, 2, 17, 1, 100)
    first = ipfix(options, template(300, V4_FIELDS), a_set(300, rec * 2), seq=0)
    for next_seq, gaps in ((2, 0), (3, 0), (9, 1)):
        decoder = NetflowDecoder()
        got = decode(decoder, first, ipfix(a_set(300, rec), seq=next_seq))
        assert (got["sampling"] == 10).all()
        assert decoder.stats.get(EXPORTER).sequence_gaps == gaps, next_seq
