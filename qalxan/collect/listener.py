"""UDP flow listener: NetFlow v5/v9/IPFIX and sFlow v5 datagrams into flow batches.

One thread reads both sockets, drains every datagram waiting, and decodes them in batches
(every ``batch_interval`` seconds or ``max_batch`` datagrams, whichever first), then hands
each non-empty :data:`FLOW_DTYPE` batch to ``on_batch`` on that thread. The sockets get a
large receive buffer: an exporter replaying a capture (softflowd ``-r``) sends thousands of
datagrams in a fraction of a second. It binds only to the addresses it is given; port 0 picks a
free port, read back from :attr:`FlowListener.netflow_address` / ``sflow_address``.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable

import numpy as np

from qalxan.collect.netflow import NetflowDecoder
from qalxan.collect.sflow import SflowDecoder
from qalxan.collect.stats import CollectorStats
from qalxan.errors import ConfigError

__all__ = ["DEFAULT_RCVBUF", "FlowListener"]

log = logging.getLogger(__name__)

DEFAULT_RCVBUF = 32 * 1024 * 1024
Address = tuple[str, int]
_MAX_DATAGRAM = 65535


class FlowListener:
    """Listens for NetFlow/IPFIX and/or sFlow on UDP and calls ``on_batch`` with flows."""

    def __init__(
        self,
        netflow: Address | None,
        sflow: Address | None,
        on_batch: Callable[[np.ndarray], None],
        *,
        batch_interval: float = 0.05,
        max_batch: int = 1024,
        rcvbuf: int = DEFAULT_RCVBUF,
    ) -> None:
        if netflow is None and sflow is None:
            raise ConfigError("FlowListener needs a NetFlow or an sFlow address")
        self.netflow = netflow
        self.sflow = sflow
        self.on_batch = on_batch
        self.batch_interval = batch_interval
        self.max_batch = max_batch
        self.rcvbuf = rcvbuf
        self.netflow_stats = CollectorStats()
        self.sflow_stats = CollectorStats()
        self.callback_errors = 0
        self._netflow = NetflowDecoder(self.netflow_stats)
        self._sflow = SflowDecoder(self.sflow_stats)
        self._sockets: dict[str, socket.socket] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def netflow_address(self) -> Address | None:
        """Where the NetFlow/IPFIX socket is bound (the real port when 0 was asked)."""
        return self._bound("netflow")

    @property
    def sflow_address(self) -> Address | None:
        """Where the sFlow socket is bound."""
        return self._bound("sflow")

    @property
    def receive_buffer(self) -> int:
        """The receive buffer the kernel granted (bytes; the smallest of the sockets)."""
        sizes = [s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) for s in self._sockets.values()]
        return min(sizes) if sizes else 0

    def _bound(self, name: str) -> Address | None:
        sock = self._sockets.get(name)
        if sock is None:
            return None
        host, port = sock.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Bind the sockets and start the reading thread."""
        if self._thread is not None:
            return
        for name, address in (("netflow", self.netflow), ("sflow", self.sflow)):
            if address is not None:
                self._sockets[name] = _bind(address, self.rcvbuf)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="qalxan-flows", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Decode what is still queued, stop the thread and close the sockets."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()

    def stats(self) -> dict[str, dict[str, dict[str, int]]]:
        """Per-exporter counters: ``{"netflow": {exporter: {...}}, "sflow": {...}}``."""
        return {"netflow": self.netflow_stats.snapshot(), "sflow": self.sflow_stats.snapshot()}

    def __enter__(self) -> FlowListener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        for name, sock in self._sockets.items():
            sel.register(sock, selectors.EVENT_READ, name)
        pending: dict[str, list[tuple[bytes, str]]] = {"netflow": [], "sflow": []}
        last_flush = time.monotonic()
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=self.batch_interval):
                    self._drain(key.fileobj, pending[key.data])  # type: ignore[arg-type]
                now = time.monotonic()
                full = any(len(p) >= self.max_batch for p in pending.values())
                if full or now - last_flush >= self.batch_interval:
                    self._flush(pending)
                    last_flush = now
            for name, sock in self._sockets.items():
                self._drain(sock, pending[name], limit=1 << 30)
            self._flush(pending)
        finally:
            sel.close()

    def _drain(self, sock: socket.socket, out: list[tuple[bytes, str]], limit: int = 0) -> None:
        limit = limit or self.max_batch
        while len(out) < limit:
            try:
                data, peer = sock.recvfrom(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # closed under us at stop(), or an ICMP error surfaced
                return
            out.append((data, str(peer[0])))

    def _flush(self, pending: dict[str, list[tuple[bytes, str]]]) -> None:
        received = time.time()
        for name, decoder in (("netflow", self._netflow), ("sflow", self._sflow)):
            items = pending[name]
            if not items:
                continue
            pending[name] = []
            batch = decoder.decode(items, received=received)
            if len(batch):
                try:
                    self.on_batch(batch)
                except Exception:  # a consumer bug must not stop the collector
                    self.callback_errors += 1
                    log.exception("flow batch consumer failed")


def _bind(address: Address, rcvbuf: int) -> socket.socket:
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if option is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, rcvbuf)
            break
        except OSError:  # SO_RCVBUFFORCE needs CAP_NET_ADMIN; SO_RCVBUF is capped by rmem_max
            continue
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot bind UDP {host}:{port}: {exc}") from exc
    sock.setblocking(False)
    return sock
