"""Latency of ``POST /v1/messages/score`` (one message per request) at a fixed request rate.

Starts ``uvicorn`` with the Qalxan app on 127.0.0.1 (``QALXAN_BENCH_WORKERS`` worker
processes, default 1; uvloop and httptools when installed, as ``qalxan serve`` gets them; an
operator key accepted; the verdict cache off unless ``QALXAN_BENCH_CACHE`` sets its size)
and drives it with ``hey`` (Debian package ``hey``), a real HTTP load generator
that holds a fixed rate: ``-c`` workers each sending ``-q`` requests per second. Prints the
p50/p90/p99 latency that ``hey`` measured, the rate it achieved and the status codes, for a
legitimate message (fast path) and a scam message (full rule evaluation).

Run: ``nice .venv/bin/python -m bench message_latency`` (env ``QALXAN_BENCH_RATE`` default
1000 req/s, ``QALXAN_BENCH_SECONDS`` default 15). Needs ``hey``: ``apt-get install -y hey``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

KEY = "bench-operator-key"
# The app module each uvicorn worker imports (``bench_app:app``).
APP = """
from qalxan.api import create_app
from qalxan.api.auth import Principal
from qalxan.settings import Settings

settings = Settings(database_url="sqlite:///{db}", var_dir="{var}", message_cache_size={cache})
app = create_app(settings)
app.state.key_resolver = {{"{key}": Principal("bench", "bench", frozenset({{"operator"}}))}}.get
app.state.engine.detector("message")
"""
BODIES = {
    "legit": "Salam, axşam gəlirsən? Anam plov bişirir",
    "otp_notice": "Kodunuz: 4821. Bu kodu heç kimə deməyin.",
    "scam": "Kapital Bank: kartınız bloklanıb. Telefonunuza gələn SMS kodu deyin: +44 7911 123456",
}


def _impl(name: str) -> str:
    """What uvicorn's "auto" picks: ``name`` when it is installed, else the pure-Python one."""
    import importlib.util

    if importlib.util.find_spec(name) is not None:
        return name
    return "asyncio" if name == "uvloop" else "h11"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("the server exited before it was ready")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not come up")


def _hey(port: int, body: Path, rate: int, seconds: int) -> str:
    workers = max(1, rate // 50)
    cmd = [
        "hey", "-z", f"{seconds}s", "-c", str(workers), "-q", str(rate // workers),
        "-m", "POST", "-T", "application/json", "-H", f"X-API-Key: {KEY}",
        "-D", str(body), f"http://127.0.0.1:{port}/v1/messages/score",
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _summary(out: str) -> str:
    pct = dict(re.findall(r"(\d+)%+ in ([\d.]+) secs", out))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    codes = re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)
    ms = {k: float(v) * 1000 for k, v in pct.items()}
    return (
        f"p50 {ms.get('50', float('nan')):.2f} ms, p90 {ms.get('90', float('nan')):.2f} ms, "
        f"p99 {ms.get('99', float('nan')):.2f} ms at {float(rps.group(1)) if rps else 0:.0f} req/s"
        f"; status {dict(codes)}"
    )


def main() -> None:
    if shutil.which("hey") is None:
        print("hey is not installed: apt-get install -y hey (Debian)", file=sys.stderr)
        return
    rate = int(os.environ.get("QALXAN_BENCH_RATE", "1000"))
    seconds = int(os.environ.get("QALXAN_BENCH_SECONDS", "15"))
    workers = int(os.environ.get("QALXAN_BENCH_WORKERS", "1"))
    # The verdict cache is off by default here: every request is scored (the worst case).
    cache = int(os.environ.get("QALXAN_BENCH_CACHE", "0"))
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        app = APP.format(db=f"{tmp}/b.db", var=tmp, key=KEY, cache=cache)
        Path(tmp, "bench_app.py").write_text(app, encoding="utf-8")
        cmd = [
            sys.executable, "-m", "uvicorn", "bench_app:app", "--app-dir", tmp,
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        proc = subprocess.Popen(cmd)
        try:
            _wait(port, proc)
            print(
                f"server: uvicorn, {workers} worker process(es), loop {_impl('uvloop')}, "
                f"http {_impl('httptools')}, verdict cache {cache}; "
                f"load: hey at {rate} req/s for {seconds} s"
            )
            for name, text in BODIES.items():
                body = Path(tmp) / f"{name}.json"
                body.write_text(json.dumps({"messages": [{"text": text}]}), encoding="utf-8")
                _hey(port, body, rate, 2)  # warm-up
                print(f"{name:>10}: {_summary(_hey(port, body, rate, seconds))}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print("target: p99 <= 5 ms per single message at 1,000 req/s")
