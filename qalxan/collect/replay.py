"""Replay a flow batch to a collector on the loopback, as NetFlow v5 or IPFIX, paced.

Used to feed the same flows to Qalxan's listener and to another collector (fastnetmon) side by
side. Collectors that count records on arrival and ignore flow times need the replay paced in
real time: flows are sent in slices of ``slice_s`` seconds of capture time, by their end time,
each slice when ``(slice end - first end) / speed`` seconds have passed (``speed=0``: as fast
as possible). Only loopback destinations are allowed: this tool never sends to a network.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable

import numpy as np

from qalxan.collect.encode import encode_ipfix
from qalxan.collect.netflow import encode_v5
from qalxan.domain.flows import addr_bytes
from qalxan.errors import ConfigError

__all__ = ["replay"]

_V4_HEAD = addr_bytes("0.0.0.0")[:12]


def _loopback(address: tuple[str, int]) -> None:
    try:
        ok = ipaddress.ip_address(address[0]).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"replay sends to loopback addresses only, not {address[0]}")


def _ipv4_only(batch: np.ndarray) -> np.ndarray:
    keep = np.ones(len(batch), dtype=bool)
    for col in ("src", "dst"):
        raw = np.frombuffer(batch[col].tobytes(), np.uint8).reshape(-1, 16)[:, :12]
        keep &= np.all(raw == np.frombuffer(_V4_HEAD, np.uint8), axis=1)
    return batch[keep]


def replay(
    batch: np.ndarray,
    address: tuple[str, int],
    *,
    fmt: str = "v5",
    speed: float = 1.0,
    slice_s: float = 0.1,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send ``batch`` to ``address`` (loopback only); returns the datagrams sent.

    ``fmt`` is ``"v5"`` (IPv6 flows are left out) or ``"ipfix"``. Times in the datagrams are
    the batch's own (capture clock); the exporter's boot is put a minute before the first flow.
    """
    _loopback(address)
    if fmt not in ("v5", "ipfix"):
        raise ConfigError(f"unknown replay format {fmt!r}; use 'v5' or 'ipfix'")
    flows = _ipv4_only(batch) if fmt == "v5" else batch
    if not len(flows):
        return 0
    flows = flows[np.argsort(flows["end"], kind="stable")]
    first = float(flows["end"][0])
    boot = float(flows["start"].min()) - 60.0
    slot = np.floor((flows["end"] - first) / slice_s).astype(np.int64)
    bounds = np.flatnonzero(np.diff(slot)) + 1
    sent = 0
    sequence = 0
    started = clock()
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        for part in np.split(flows, bounds):
            due = (float(part["end"][-1]) - first) / speed if speed > 0 else 0.0
            wait = started + due - clock()
            if wait > 0:
                sleep(wait)
            export = float(part["end"].max())
            if fmt == "v5":
                datagrams = encode_v5(part, boot_time=boot, export_time=export, sequence=sequence)
            else:
                datagrams = encode_ipfix(part, export_time=export, sequence=sequence)
            sequence += len(part)
            for datagram in datagrams:
                sock.sendto(datagram, address)
            sent += len(datagrams)
    return sent
