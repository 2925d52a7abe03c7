"""Decoders never raise: random bytes, and valid datagrams with random corruption."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from qalxan.collect import NetflowDecoder, SflowDecoder, encode_ipfix, encode_v5, encode_v9
from qalxan.domain.flows import FLOW_DTYPE

from .flow_batches import make_batch

_BATCH = make_batch(30, ipv6_every=4)
VALID = [
    *encode_v5(make_batch(40), boot_time=1_699_000_000.0),
    *encode_v9(_BATCH, boot_time=1_699_000_000.0),
    *encode_ipfix(_BATCH),
]
HEADS = [struct.pack("!H", v) for v in (5, 9, 10)] + [struct.pack("!II", 5, 1)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=5), st.sampled_from(HEADS))
def test_random_bytes_never_raise(blobs: list[bytes], head: bytes) -> None:
    datagrams = [(head + b, "192.0.2.1") for b in blobs] + [(b, "192.0.2.2") for b in blobs]
    for decoder in (NetflowDecoder(), SflowDecoder()):
        batch = decoder.decode(datagrams, received=0.0)
        assert batch.dtype == FLOW_DTYPE
        assert decoder.stats.total().datagrams == len(datagrams)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(range(len(VALID))),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), min_size=1, max_size=6),
    st.integers(0, 2000),
)
def test_corrupted_datagrams_never_raise(
    index: int, flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(VALID[index])
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    decoder = NetflowDecoder()
    decoder.decode([(bytes(d), "192.0.2.1") for d in VALID[:2]], received=0.0)  # templates
    batch = decoder.decode([(bytes(data[: max(cut, 4)]), "192.0.2.1")], received=0.0)
    assert batch.dtype == FLOW_DTYPE
