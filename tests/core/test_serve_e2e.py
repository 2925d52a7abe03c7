"""``qalxan serve`` as ``make run`` starts it: real process, real port, temp SQLite store.

Starts the server, waits for /healthz, reads /openapi.json, stops it, starts it again on the
same store and checks that nothing was duplicated.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from qalxan.data import load_brands
from qalxan.store import Store
from qalxan.store.brands import BrandStore

QALXAN = Path(sys.executable).with_name("qalxan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGINT (a clean shutdown), then SIGKILL when it has not ended in time."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _serve_once(db_url: str, tmp_path: Path) -> dict[str, object]:
    port = _free_port()
    env = {
        **os.environ,
        "QALXAN_DATABASE_URL": db_url,
        "QALXAN_VAR_DIR": str(tmp_path),
        "QALXAN_LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / f"serve-{port}.log").open("w")
    proc = subprocess.Popen(
        [str(QALXAN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start:\n{(tmp_path / log.name).read_text()}")
                time.sleep(0.2)
        schema = httpx.get(f"{base}/openapi.json", timeout=5).json()
        brands = httpx.get(f"{base}/v1/brands", timeout=5).json()["brands"]
        return {"health": health.json(), "schema": schema, "brands": brands}
    finally:
        _stop(proc, timeout=15)
        log.close()
        printed = Path(log.name).read_text(encoding="utf-8")
        assert f"http://127.0.0.1:{port}" in printed


@pytest.mark.skipif(not QALXAN.exists(), reason="the qalxan script is not installed")
def test_serve_twice_on_the_same_store(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'var' / 'qalxan.db'}"
    first = _serve_once(db_url, tmp_path)
    assert first["health"] == {"status": "ok", "version": first["schema"]["info"]["version"]}  # type: ignore[index]
    assert "/healthz" in first["schema"]["paths"]  # type: ignore[index]
    assert len(first["brands"]) == len(load_brands())  # type: ignore[arg-type]
    second = _serve_once(db_url, tmp_path)
    assert second["brands"] == first["brands"]
    store = Store(db_url)
    try:
        assert BrandStore(store).count() == len(load_brands())
    finally:
        store.dispose()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(not QALXAN.exists(), reason="the qalxan script is not installed")
def test_serve_with_worker_processes(tmp_path: Path) -> None:
    """``--workers 2``: two processes answer on one port, each built from the environment."""
    port = _free_port()
    env = {
        **os.environ,
        "QALXAN_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'qalxan.db'}",
        "QALXAN_VAR_DIR": str(tmp_path),
        "QALXAN_LOG_LEVEL": "WARNING",
        "QALXAN_REPORTS_WORKERS": "0",
    }
    log = (tmp_path / "serve.log").open("w")
    cmd = [str(QALXAN), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/v1/brands", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.3)
        verdicts = [
            httpx.post(f"{base}/v1/check/message", json={"text": "Kodunuz: 4821"}, timeout=10)
            for _ in range(6)
        ]
        assert all(v.status_code == 200 for v in verdicts)
        assert all(v.json()["verdict"] == "benign" for v in verdicts)
        # uvicorn's supervisor runs the two workers as its child processes.
        workers = [c for c in _children(proc.pid) if Path(f"/proc/{c}/cmdline").exists()]
        assert len(workers) >= 2, workers
    finally:
        _stop(proc, timeout=20)
        log.close()
    assert "2 worker processes" in (tmp_path / "serve.log").read_text(encoding="utf-8")
