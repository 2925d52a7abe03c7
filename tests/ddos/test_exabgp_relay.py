"""The relay between Qalxan and ExaBGP (``qalxan ddos exabgp-relay``): it copies every line
of every writer, and it stops when the ExaBGP that started it is gone (an orphan would keep
reading the pipe and swallow the next relay's lines)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qalxan.domain.errors import ConfigError
from qalxan.policy.exabgp import FifoWriter, relay


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


def test_relay_copies_the_lines_of_successive_writers(tmp_path: Path) -> None:
    fifo = tmp_path / "exabgp.fifo"
    out = io.StringIO()
    done = threading.Event()
    thread = threading.Thread(
        target=relay, args=(fifo, out), kwargs={"stop": done.is_set, "poll": 0.05}
    )
    writer = FifoWriter(fifo)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while True:  # the relay opens the pipe in its thread
            try:
                writer(["announce route 203.0.113.10/32 next-hop 192.0.2.1"])
                break
            except ConfigError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        writer(["withdraw route 203.0.113.10/32 next-hop 192.0.2.1", "", "  x  "])
        deadline = time.monotonic() + 10
        while out.getvalue().count("\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        done.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert out.getvalue().splitlines() == [
        "announce route 203.0.113.10/32 next-hop 192.0.2.1",
        "withdraw route 203.0.113.10/32 next-hop 192.0.2.1",
        "x",
    ]


@pytest.mark.timeout(60)
def test_relay_stops_when_its_parent_is_gone(tmp_path: Path) -> None:
    # The parent (standing in for ExaBGP) starts the relay, waits until it reads the pipe,
    # then exits; the relay must go too.
    fifo = tmp_path / "exabgp.fifo"
    qalxan = Path(sys.executable).parent / "qalxan"
    script = f"'{qalxan}' ddos exabgp-relay --fifo '{fifo}' >/dev/null 2>&1 & echo $!; read x"
    parent = subprocess.Popen(
        ["sh", "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None and parent.stdin is not None
    pid = int(parent.stdout.readline())
    try:
        writer = FifoWriter(fifo)
        deadline = time.monotonic() + 30
        while True:  # up when a writer finds it reading
            try:
                writer(["announce route 203.0.113.10/32 next-hop 192.0.2.1"])
                break
            except ConfigError:
                assert time.monotonic() < deadline and _alive(pid), "the relay did not start"
                time.sleep(0.1)
        parent.stdin.write("go\n")
        parent.stdin.close()  # the parent reads its line and exits
        parent.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(pid), "the orphaned relay is still running"
        with pytest.raises(ConfigError, match="no exabgp-relay"):
            writer(["withdraw route 203.0.113.10/32 next-hop 192.0.2.1"])
    finally:
        if _alive(pid):
            os.kill(pid, 9)
        if parent.poll() is None:
            parent.kill()
        parent.wait()
        parent.stdout.close()
