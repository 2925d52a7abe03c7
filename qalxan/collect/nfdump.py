"""``nfdump -o csv`` output as flow batches.

The CSV has a header line (``ts,te,td,sa,da,sp,dp,pr,flg,...,ipkt,ibyt,...``), one line per
flow, and may end with a ``Summary`` block (``flows,bytes,packets,...`` and its values),
which is skipped. Times are printed in the local time of the machine that ran nfdump
(``tz``, UTC by default), with or without milliseconds. Counts are taken as exported and
``sampling`` (1-in-N) is recorded on every record for the detector to apply.
"""

from __future__ import annotations

import csv
import gzip
import io
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np

from qalxan.domain.errors import FlowDecodeError
from qalxan.domain.flows import addr_bytes, empty_flows

__all__ = ["parse_flags", "read_nfdump_csv"]

_PROTOS = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58, "GRE": 47, "ESP": 50, "SCTP": 132}
_FLAG_BITS = {"C": 0x80, "E": 0x40, "U": 0x20, "A": 0x10, "P": 0x08, "R": 0x04, "S": 0x02}
_FLAG_BITS["F"] = 0x01


def parse_flags(text: str) -> int:
    """``'...AP.S.'`` (nfdump's CEUAPRSF columns) or ``'0x12'`` -> TCP flag bits."""
    text = text.strip()
    if text.startswith("0x"):
        return int(text, 16) & 0x3F
    return sum(_FLAG_BITS.get(ch, 0) for ch in text) & 0x3F


_V4 = b"\x00" * 10 + b"\xff\xff"


def _addr(text: str) -> bytes:
    """Address text -> 16 bytes (IPv4-mapped), without the cost of :mod:`ipaddress`."""
    text = text.strip()
    try:
        if ":" in text:
            return socket.inet_pton(socket.AF_INET6, text)
        return _V4 + socket.inet_pton(socket.AF_INET, text)
    except OSError:
        return addr_bytes(text)  # raises a clear ValueError


def _port(text: str) -> int:
    """A port, or ICMP ``type.code`` as type * 256 + code (as NetFlow v5 exporters do)."""
    text = text.strip()
    if "." in text:
        kind, _, code = text.partition(".")
        return (int(float(kind)) << 8) | int(float(code or 0))
    return int(float(text or 0))


def read_nfdump_csv(
    path: str | Path,
    *,
    sampling: int = 1,
    tz: tzinfo = UTC,
    batch_size: int = 100_000,
) -> Iterator[np.ndarray]:
    """Yield batches of flow records from an ``nfdump -o csv`` file (``.gz`` allowed).

    Rows that cannot be parsed raise :class:`~qalxan.domain.errors.FlowDecodeError` naming
    the line; the summary block is skipped.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace")))
    header = next(reader, None)
    if not header or "ts" not in header or "sa" not in header:
        raise FlowDecodeError("no nfdump CSV header (ts,te,...,sa,da)", field=str(path))
    col = {name.strip(): i for i, name in enumerate(header)}
    need = ("ts", "te", "sa", "da", "sp", "dp", "pr", "flg", "ipkt", "ibyt")
    missing = [n for n in need if n not in col]
    if missing:
        raise FlowDecodeError(f"nfdump CSV lacks columns {missing}", field=str(path))
    rows: list[list[str]] = []
    first = 2
    for lineno, row in enumerate(reader, 2):
        if not row or not row[0].strip():
            continue
        if row[0].strip() in ("Summary", "flows") or len(row) < len(need):
            # the summary block: "Summary", then "flows,bytes,packets,..." and its values
            break
        rows.append(row)
        if len(rows) >= batch_size:
            yield _batch(rows, col, first, str(path), sampling, tz)
            rows, first = [], lineno + 1
    if rows:
        yield _batch(rows, col, first, str(path), sampling, tz)


def _batch(
    rows: list[list[str]],
    col: dict[str, int],
    first: int,
    name: str,
    sampling: int,
    tz: tzinfo,
) -> np.ndarray:
    """Parse a block of rows column by column (times and numbers in NumPy)."""
    out = empty_flows(len(rows))
    cols = list(zip(*rows, strict=False))
    try:
        offset = datetime(2000, 1, 1, tzinfo=tz).utcoffset() or timedelta(0)
        for field, key in (("start", "ts"), ("end", "te")):
            stamps = np.array([t.strip().replace(" ", "T") for t in cols[col[key]]])
            secs = stamps.astype("datetime64[ms]").astype(np.int64) / 1000.0
            out[field] = secs - offset.total_seconds()
        cache: dict[str, bytes] = {}
        for field, key in (("src", "sa"), ("dst", "da")):
            out[field] = [cache.get(a) or cache.setdefault(a, _addr(a)) for a in cols[col[key]]]
        ports: dict[str, int] = {}
        for field, key in (("sport", "sp"), ("dport", "dp")):
            out[field] = [ports.get(p) or ports.setdefault(p, _port(p)) for p in cols[col[key]]]
        protos = [_PROTOS.get(p.strip().upper()) or int(p) for p in cols[col["pr"]]]
        out["proto"] = protos
        flags = {f: parse_flags(f) for f in set(cols[col["flg"]])}
        out["tcp_flags"] = [
            flags[f] if pr == 6 else 0 for f, pr in zip(cols[col["flg"]], protos, strict=True)
        ]
        out["packets"] = np.array(cols[col["ipkt"]], dtype=np.float64)
        out["bytes"] = np.array(cols[col["ibyt"]], dtype=np.float64)
    except (ValueError, IndexError) as exc:
        raise FlowDecodeError(f"rows from line {first}: {exc}", field=name) from None
    out["sampling"] = max(1, int(sampling))
    return out
