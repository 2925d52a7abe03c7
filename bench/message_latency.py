"""Latency of ``POST /v1/messages/score`` (one message per request) at a fixed request rate.

Starts ``uvicorn`` with the Qalxan app on 127.0.0.1 (``QALXAN_BENCH_WORKERS`` worker
processes, default 1; uvloop and httptools when installed, as ``qalxan serve`` gets them; an
operator key accepted; the verdict cache off unless ``QALXAN_BENCH_CACHE`` sets its size; no
background enrichment worker, as on an API-only scoring node) and drives it with two real
HTTP load generators from Debian:

- ``wrk`` (package ``wrk``) with ``bench/wrk/poisson.lua``: 50 keep-alive connections, each
  pausing an exponentially distributed time between requests, so that together they send a
  Poisson stream at the target mean rate, as independent subscribers' messages arrive. The
  mean pause is calibrated once from a first run so the achieved rate is within a few
  percent of the target. This is the figure the target is judged on.
- ``hey`` (package ``hey``) as a stress figure: ``-c`` workers each sending ``-q`` requests
  per second on their own tickers, which start together, so every tick sends a burst of
  ``-c`` simultaneous requests (20 every 20 ms at 1,000 req/s). The last request of a burst
  waits for the 19 before it, so these latencies measure burst queueing, not steady load.

Prints the p50/p90/p99 latency each tool measured, the rate it achieved and the status codes,
for a legitimate message (fast path), a bank's OTP notice and a scam message (full rule
evaluation).

Run: ``nice .venv/bin/python -m bench message_latency`` (env ``QALXAN_BENCH_RATE`` default
1000 req/s, ``QALXAN_BENCH_SECONDS`` default 15). Needs ``wrk`` (and ``hey`` for the stress
figure): ``apt-get install -y wrk hey``.
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

settings = Settings(
    database_url="sqlite:///{db}", var_dir="{var}", message_cache_size={cache}, reports_workers=0
)
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


WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "poisson.lua"
WRK_CONNECTIONS = 50


def _hey(port: int, body: Path, rate: int, seconds: int) -> str:
    workers = max(1, rate // 50)
    cmd = [
        "hey", "-z", f"{seconds}s", "-c", str(workers), "-q", str(rate // workers),
        "-m", "POST", "-T", "application/json", "-H", f"X-API-Key: {KEY}",
        "-D", str(body), f"http://127.0.0.1:{port}/v1/messages/score",
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _hey_summary(out: str) -> str:
    pct = dict(re.findall(r"(\d+)%+ in ([\d.]+) secs", out))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    codes = re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)
    ms = {k: float(v) * 1000 for k, v in pct.items()}
    return (
        f"p50 {ms.get('50', float('nan')):.2f} ms, p90 {ms.get('90', float('nan')):.2f} ms, "
        f"p99 {ms.get('99', float('nan')):.2f} ms at {float(rps.group(1)) if rps else 0:.0f} req/s"
        f"; status {dict(codes)}"
    )


def _wrk(port: int, body: Path, mean_ms: float, seconds: int) -> dict[str, float]:
    """One wrk run: latency percentiles (ms), achieved rate and non-2xx count."""
    env = {**os.environ, "WRK_MEAN_DELAY_MS": f"{mean_ms:.3f}", "WRK_BODY": str(body)}
    env["WRK_KEY"] = KEY
    cmd = [
        "wrk", "-t", "1", "-c", str(WRK_CONNECTIONS), "-d", f"{seconds}s", "--latency",
        "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}/v1/messages/score",
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    found: dict[str, float] = {}
    for pct, value, unit in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        found[f"p{pct}"] = float(value) * units[unit]
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    found["rate"] = float(rps.group(1)) if rps else 0.0
    found["non2xx"] = float(bad.group(1)) if bad else 0.0
    return found


def _wrk_at_rate(port: int, body: Path, rate: int, seconds: int) -> dict[str, float]:
    """A Poisson stream at ``rate``: the mean pause is set from a short calibration run
    (rate = connections / (pause + response time))."""
    target_cycle = WRK_CONNECTIONS * 1000.0 / rate  # ms between two requests of a connection
    first = _wrk(port, body, target_cycle, 3)
    response = max(0.0, WRK_CONNECTIONS * 1000.0 / max(first["rate"], 1.0) - target_cycle)
    return _wrk(port, body, max(0.0, target_cycle - response), seconds)


def _wrk_summary(r: dict[str, float]) -> str:
    return (
        f"p50 {r.get('p50', float('nan')):.2f} ms, p90 {r.get('p90', float('nan')):.2f} ms, "
        f"p99 {r.get('p99', float('nan')):.2f} ms at {r['rate']:.0f} req/s; "
        f"non-2xx {int(r['non2xx'])}"
    )


def main() -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (Debian)", file=sys.stderr)
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
                f"http {_impl('httptools')}, verdict cache {cache}; {rate} req/s for {seconds} s"
            )
            bodies: dict[str, Path] = {}
            for name, text in BODIES.items():
                body = Path(tmp) / f"{name}.json"
                body.write_text(json.dumps({"messages": [{"text": text}]}), encoding="utf-8")
                bodies[name] = body
            print(f"wrk, Poisson arrivals over {WRK_CONNECTIONS} connections (the target figure):")
            worst = 0.0
            for name, body in bodies.items():
                result = _wrk_at_rate(port, body, rate, seconds)
                worst = max(worst, result.get("p99", float("inf")))
                print(f"{name:>12}: {_wrk_summary(result)}")
            if shutil.which("hey") is not None:
                print(f"hey, bursts of {max(1, rate // 50)} simultaneous requests (stress figure):")
                for name, body in bodies.items():
                    _hey(port, body, rate, 2)  # warm-up
                    print(f"{name:>12}: {_hey_summary(_hey(port, body, rate, seconds))}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    verdict = "met" if worst <= 5.0 else "NOT met"
    print(f"target: p99 <= 5 ms per single message at {rate:,} req/s (Poisson): {verdict}")
