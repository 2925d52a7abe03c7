"""The pipe between Qalxan and ExaBGP.

ExaBGP reads API commands from the stdout of the processes it runs. ExaBGP runs
``qalxan ddos exabgp-relay --fifo PATH`` (see docs/ddos.md), which copies every line written
to the named pipe ``PATH`` to its stdout; :class:`FifoWriter` is how mitigation writes there.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from qalxan.domain.errors import ConfigError

__all__ = ["FifoWriter", "ensure_fifo", "relay"]

log = logging.getLogger(__name__)


def ensure_fifo(path: Path) -> Path:
    """Create the named pipe if missing; refuse a path that is something else."""
    path = Path(path)
    if path.exists():
        if not stat.S_ISFIFO(path.stat().st_mode):
            raise ConfigError(f"{path} exists and is not a named pipe")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path, 0o600)
    return path


class FifoWriter:
    """Writes command lines to the pipe; fails loudly when no relay is reading it."""

    def __init__(self, path: Path) -> None:
        self.path = ensure_fifo(path)

    def __call__(self, lines: list[str]) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise ConfigError(f"no exabgp-relay is reading {self.path}") from None
            raise
        try:
            os.set_blocking(fd, True)
            os.write(fd, "".join(line + "\n" for line in lines).encode())
        finally:
            os.close(fd)


def relay(
    path: Path,
    out: TextIO,
    *,
    stop: Callable[[], bool] = lambda: False,
    poll: float = 1.0,
) -> None:
    """Copy lines from the pipe to ``out`` (ExaBGP's reading end) until ``stop()`` says so
    or the process that started the relay (ExaBGP) is gone.

    The pipe is opened for reading and writing: its own writing end keeps a read from
    seeing the end of the file between two writers, so one open serves them all. The
    relay checks its parent every ``poll`` seconds: an orphan left behind by a stopped
    ExaBGP would keep reading the pipe and swallow lines meant for the next relay.
    """
    ensure_fifo(path)
    parent = os.getppid()
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    pending = b""
    try:
        while not stop() and os.getppid() == parent:
            ready, _, _ = select.select([fd], [], [], poll)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            *lines, pending = (pending + chunk).split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").strip()
                if line:
                    out.write(line + "\n")
                    out.flush()
    finally:
        os.close(fd)
    if os.getppid() != parent:
        log.warning("exabgp-relay: parent process %d is gone, stopping", parent)
