"""Flow decoding speed: records decoded per second on one core, NetFlow v5, v9, IPFIX, sFlow.

Datagrams are built once (our encoders: 30 records per v5 datagram, 24 per v9/IPFIX message,
IPv4 with 10% IPv6 for v9/IPFIX; plus softflowd's own v9/IPFIX export of the SYN-flood capture
from ``derived_flows/wire`` when ``../shared`` is there), then decoded in batches of 1,000
datagrams by a fresh decoder, as the listener does. Runs in this one process, so the figure
is per core. Targets: v5 >= 2,000,000 and IPFIX >= 1,000,000 records/s per core.

    python -m bench flow_decode
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qalxan.collect import NetflowDecoder, SflowDecoder, encode_ipfix, encode_v5, encode_v9
from qalxan.domain.flows import addr_bytes, empty_flows

N_FLOWS = 300_000
BATCH = 1_000
WIRE = Path(__file__).resolve().parents[2] / "shared/data/ddos/derived_flows/wire"


def _flows(n: int, ipv6_share: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    batch = empty_flows(n)
    src = rng.integers(0, 2**32, n, dtype=np.uint64).astype(">u4").view(np.uint8).reshape(-1, 4)
    raw = np.zeros((n, 16), np.uint8)
    raw[:, 10:12] = 0xFF
    raw[:, 12:] = src
    v6 = rng.random(n) < ipv6_share
    raw[v6] = np.frombuffer(addr_bytes("2001:db8::1"), np.uint8)
    batch["src"] = raw.view("S16").reshape(-1)
    batch["dst"] = addr_bytes("203.0.113.10")
    batch["start"] = 1_700_000_000.0 + np.arange(n) / 10_000.0
    batch["end"] = batch["start"] + 0.5
    batch["sport"] = rng.integers(1024, 65536, n)
    batch["dport"] = 443
    batch["proto"] = 6
    batch["packets"] = rng.integers(1, 1000, n)
    batch["bytes"] = batch["packets"] * 60
    batch["sampling"] = 1
    return batch


def _rate(
    decoder_factory: Callable[[], object], datagrams: list[bytes], repeat: int = 3
) -> tuple[float, int]:
    pairs = [(d, "192.0.2.1") for d in datagrams]
    best = 0.0
    records = 0
    for _ in range(repeat):
        decoder = decoder_factory()
        decode = decoder.decode  # type: ignore[attr-defined]
        records = 0
        t0 = time.process_time()
        for i in range(0, len(pairs), BATCH):
            records += len(decode(pairs[i : i + BATCH], received=0.0))
        elapsed = time.process_time() - t0
        best = max(best, records / elapsed)
    return best, records


def _sflow_datagrams(n: int) -> list[bytes]:
    frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
    frame += struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 60, 1, 0, 64, 6, 0, b"\xc6\x33\x64\x07", b"\xcb\x00\x71\x0a"
    )
    frame += struct.pack("!HHIIBBHHH", 40000, 443, 1, 0, 0x50, 0x02, 1024, 0, 0)
    body = struct.pack("!4I", 1, 64, 4, len(frame)) + frame + b"\x00" * ((-len(frame)) % 4)
    record = struct.pack("!II", 1, len(body)) + body
    sample_body = struct.pack("!8I", 1, 3, 1024, 0, 0, 1, 2, 1) + record
    sample = struct.pack("!II", 1, len(sample_body)) + sample_body
    out = []
    for seq in range(n // 10):
        head = struct.pack("!II4sIIII", 5, 1, b"\xc0\x00\x02\x01", 0, seq, 0, 10)
        out.append(head + sample * 10)
    return out


def _wire(name: str) -> list[bytes]:
    import dpkt

    path = WIRE / name
    if not path.is_file():
        return []
    with path.open("rb") as fh:
        reader = dpkt.pcap.Reader(fh)
        out = []
        for _ts, buf in reader:
            ip = (
                dpkt.ethernet.Ethernet(buf).data
                if reader.datalink() == 1
                else dpkt.sll.SLL(buf).data
            )
            out.append(bytes(ip.data.data))
    return out * 8


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    v4 = _flows(N_FLOWS, 0.0)
    mixed = _flows(N_FLOWS, 0.1)
    cases = {
        "NetFlow v5 (encode_v5)": (NetflowDecoder, encode_v5(v4, boot_time=1_699_000_000.0)),
        "NetFlow v9 (encode_v9)": (NetflowDecoder, encode_v9(mixed, boot_time=1_699_000_000.0)),
        "IPFIX (encode_ipfix)": (NetflowDecoder, encode_ipfix(mixed)),
        "NetFlow v9 (softflowd wire x8)": (NetflowDecoder, _wire("softflowd_v9.pcap")),
        "IPFIX (softflowd wire x8)": (NetflowDecoder, _wire("softflowd_ipfix.pcap")),
        "NetFlow v5 (softflowd wire x8)": (NetflowDecoder, _wire("softflowd_v5.pcap")),
        "sFlow v5 (raw headers)": (SflowDecoder, _sflow_datagrams(100_000)),
    }
    print(f"records/s per core (process CPU time, best of 3, batches of {BATCH} datagrams)")
    for name, (factory, datagrams) in cases.items():
        if not datagrams:
            print(f"  {name:34s} skipped (no ../shared)")
            continue
        rate, records = _rate(factory, datagrams)
        size = f"({records:,} records, {len(datagrams):,} datagrams)"
        print(f"  {name:34s} {rate:>12,.0f} records/s/core  {size}")
