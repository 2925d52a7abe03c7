"""NetFlow v9 and IPFIX encoders (for tests, benchmarks and replays to a collector).

Flows are written with two fixed templates, one for IPv4 (id 256) and one for IPv6 (257),
sent in the first datagram and again every ``template_every`` datagrams. Each record carries
``samplingInterval`` (IE 34), so sampled batches survive a round trip. IPFIX records carry
absolute milliseconds (IEs 152/153); v9 records uptime milliseconds (21/22) since
``boot_time``.
"""

from __future__ import annotations

import struct

import numpy as np

__all__ = ["encode_ipfix", "encode_v9", "template_fields"]

_V4_MAP = b"\x00" * 10 + b"\xff\xff"


def template_fields(version: int, ipv6: bool) -> list[tuple[int, int]]:
    """The (IE id, length) list of the data template used for ``version`` 9 or 10."""
    times = [(152, 8), (153, 8)] if version == 10 else [(22, 4), (21, 4)]
    addrs = [(27, 16), (28, 16)] if ipv6 else [(8, 4), (12, 4)]
    return [*times, *addrs, (7, 2), (11, 2), (4, 1), (6, 1), (2, 8), (1, 8), (34, 4)]


def _record_dtype(version: int, ipv6: bool) -> np.dtype:
    names = {
        152: "start",
        153: "end",
        22: "start",
        21: "end",
        27: "src",
        28: "dst",
        8: "src",
        12: "dst",
        7: "sport",
        11: "dport",
        4: "proto",
        6: "tcp_flags",
        2: "packets",
        1: "bytes",
        34: "sampling",
    }
    fmt = []
    for ident, length in template_fields(version, ipv6):
        kind = ("u1", (length,)) if ident in (8, 12, 27, 28) else f">u{length}"
        fmt.append((names[ident], kind))
    return np.dtype(fmt)


def _records(batch: np.ndarray, version: int, ipv6: bool, boot_time: float) -> bytes:
    dt = _record_dtype(version, ipv6)
    recs = np.zeros(len(batch), dtype=dt)
    for col in ("src", "dst"):
        raw = np.frombuffer(batch[col].tobytes(), np.uint8).reshape(-1, 16)
        recs[col] = raw if ipv6 else raw[:, 12:]
    if version == 10:
        recs["start"] = np.round(batch["start"] * 1000.0).astype(np.uint64)
        recs["end"] = np.round(batch["end"] * 1000.0).astype(np.uint64)
    else:
        for edge in ("start", "end"):
            ms = np.round((batch[edge] - boot_time) * 1000.0).astype(np.int64)
            recs[edge] = (ms & 0xFFFFFFFF).astype(np.uint32)
    for name in ("sport", "dport", "proto", "tcp_flags", "packets", "bytes", "sampling"):
        recs[name] = batch[name]
    return recs.tobytes()


def _template_set(version: int) -> bytes:
    body = b""
    for tid, ipv6 in ((256, False), (257, True)):
        fields = template_fields(version, ipv6)
        body += struct.pack("!HH", tid, len(fields))
        body += b"".join(struct.pack("!HH", i, n) for i, n in fields)
    return struct.pack("!HH", 0 if version == 9 else 2, 4 + len(body)) + body


def _is_v4(batch: np.ndarray) -> np.ndarray:
    raw = np.frombuffer(batch["src"].tobytes(), np.uint8).reshape(-1, 16)
    return np.asarray(np.all(raw[:, :12] == np.frombuffer(_V4_MAP, np.uint8), axis=1))


def _encode(
    batch: np.ndarray,
    version: int,
    *,
    boot_time: float,
    export_time: float | None,
    sequence: int,
    domain: int,
    per_datagram: int,
    template_every: int,
) -> list[bytes]:
    out: list[bytes] = []
    v4 = _is_v4(batch)
    chunks: list[tuple[int, np.ndarray]] = []
    for tid, part in ((256, batch[v4]), (257, batch[~v4])):
        chunks += [(tid, part[i : i + per_datagram]) for i in range(0, len(part), per_datagram)]
    if not chunks:
        chunks = [(256, batch[:0])]
    for n, (tid, chunk) in enumerate(chunks):
        stamp = export_time if export_time is not None else float(chunk["end"].max(initial=0.0))
        stamp = max(stamp, boot_time)
        body = _template_set(version) if n % template_every == 0 else b""
        if len(chunk):
            data = _records(chunk, version, tid == 257, boot_time)
            body += struct.pack("!HH", tid, 4 + len(data)) + data
        if version == 9:
            count = len(chunk) + (2 if n % template_every == 0 else 0)
            uptime = round((stamp - boot_time) * 1000) & 0xFFFFFFFF
            head = struct.pack("!HHIIII", 9, count, uptime, int(stamp), sequence, domain)
            sequence = (sequence + 1) & 0xFFFFFFFF
        else:
            head = struct.pack("!HHIII", 10, 16 + len(body), int(stamp), sequence, domain)
            sequence = (sequence + len(chunk)) & 0xFFFFFFFF
        out.append(head + body)
    return out


def encode_ipfix(
    batch: np.ndarray,
    *,
    export_time: float | None = None,
    sequence: int = 0,
    domain: int = 0,
    per_datagram: int = 24,
    template_every: int = 20,
) -> list[bytes]:
    """Encode flows as IPFIX messages (``per_datagram`` records each, 24 fit a 1500 MTU)."""
    return _encode(
        batch,
        10,
        boot_time=0.0,
        export_time=export_time,
        sequence=sequence,
        domain=domain,
        per_datagram=per_datagram,
        template_every=template_every,
    )


def encode_v9(
    batch: np.ndarray,
    *,
    boot_time: float,
    export_time: float | None = None,
    sequence: int = 0,
    source_id: int = 0,
    per_datagram: int = 24,
    template_every: int = 20,
) -> list[bytes]:
    """Encode flows as NetFlow v9 export packets; times relative to ``boot_time``."""
    return _encode(
        batch,
        9,
        boot_time=boot_time,
        export_time=export_time,
        sequence=sequence,
        domain=source_id,
        per_datagram=per_datagram,
        template_every=template_every,
    )
