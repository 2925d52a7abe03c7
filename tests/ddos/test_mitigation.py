"""Mitigation: plans, guardrails, nftables export, and a real ExaBGP session on 127.0.0.1.

The ExaBGP test runs two ExaBGP 5 processes (PyPI): a receiver (passive, JSON encoder, dumps
every UPDATE to a file) and a sender whose API process is ``qalxan ddos exabgp-relay``; the
Mitigator writes to the relay's named pipe and the receiver must see the blackhole and the
FlowSpec discard, then their withdrawal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from qalxan.policy.exabgp import FifoWriter
from qalxan.policy.mitigation import MitigationPolicy, Mitigator, exabgp_line, nft_rules
from qalxan.service.ddos import mitigation_policy
from qalxan.settings import Settings

ATTACK: dict[str, Any] = {
    "id": "203.0.113.10@1700000000",
    "victim": "203.0.113.10",
    "vectors": ["ntp_amplification", "syn_flood"],
    "peak_bps": 2e9,
    "peak_sources": 3000,
    "top_sources": [{"address": "198.18.0.1", "packets": 10}],
    "top_destination_ports": [{"port": 80, "packets": 1000}],
}


def _policy(**kw: Any) -> MitigationPolicy:
    base = mitigation_policy(Settings())
    return dataclasses.replace(base, **kw)


def _lines(policy: MitigationPolicy, attack: dict[str, Any]) -> list[str]:
    rules, _ = policy.plan(attack)
    return [exabgp_line(r, policy) for r in rules]


def test_plan_blackhole_and_flowspec() -> None:
    lines = _lines(_policy(), ATTACK)
    assert lines[0] == ("announce route 203.0.113.10/32 next-hop 192.0.2.1 community [65535:666]")
    assert (
        "announce flow route { match { destination 203.0.113.10/32; protocol =udp; "
        "source-port =123; } then { discard; } }" in lines
    )
    assert any("protocol =tcp; destination-port =80;" in line for line in lines)
    # below the blackhole rate only FlowSpec; rate-limit when asked
    small = {**ATTACK, "peak_bps": 1e6}
    lines = _lines(_policy(action="rate-limit", rate_bps=9600), small)
    assert all("route" in x and "flow" in x for x in lines)
    assert all("rate-limit 9600;" in x for x in lines)


def test_few_sources_are_matched_one_by_one() -> None:
    attack = {
        **ATTACK,
        "vectors": ["udp_flood"],
        "peak_sources": 2,
        "top_sources": [{"address": "198.18.0.1"}, {"address": "198.18.0.2"}],
    }
    lines = _lines(_policy(), attack)
    assert sum("source 198.18.0." in x for x in lines) == 2


def test_guardrails() -> None:
    policy = _policy(allowlist=("203.0.113.0/28",))
    rules, refused = policy.plan(ATTACK)
    assert rules == [] and "allowlisted" in refused[0]
    carpet = {**ATTACK, "victim": "203.0.0.0/16", "vectors": ["carpet_bombing", "udp_flood"]}
    rules, refused = _policy().plan(carpet)
    assert rules == [] and "wider than /24" in refused[0]
    ok = {**carpet, "victim": "203.0.113.0/24"}
    rules, _ = _policy().plan(ok)
    assert rules and all(r.kind == "flowspec" for r in rules)  # never blackhole a prefix


def test_dry_run_writes_nothing_and_ttl_withdraws() -> None:
    written: list[str] = []
    now = [1000.0]
    m = Mitigator(_policy(), written.extend, ttl_s=60, dry_run=True, clock=lambda: now[0])
    assert m.handle("start", ATTACK) and written == []
    m = Mitigator(_policy(), written.extend, ttl_s=60, dry_run=False, clock=lambda: now[0])
    announced = m.handle("start", ATTACK)
    assert written == announced
    assert m.handle("update", ATTACK) == []  # already announced
    now[0] += 61
    withdrawn = m.expire()
    assert len(withdrawn) == len(announced) and all(x.startswith("withdraw") for x in withdrawn)
    assert m.active == {}


def test_nft_export() -> None:
    rules, _ = _policy().plan(ATTACK)
    script = nft_rules(rules)
    assert script.startswith("table inet qalxan {")
    assert "ip daddr 203.0.113.10/32 meta l4proto udp udp sport 123 drop" in script
    if shutil.which("nft"):
        res = subprocess.run(["nft", "-c", "-f", "-"], input=script.encode(), capture_output=True)
        assert res.returncode == 0 or b"Operation not permitted" in res.stderr, res.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _exabgp(conf: Path, port: int, log: Any, *, bind: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "exabgp_tcp_port": str(port),
        "exabgp_tcp_bind": bind,
        "exabgp_daemon_drop": "false",
        "exabgp_api_cli": "false",
        "exabgp_log_destination": "stdout",
    }
    exe = Path(sys.executable).parent / "exabgp"
    return subprocess.Popen(
        [str(exe), str(conf)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _updates(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        doc = json.loads(line)
        if doc.get("type") == "update":
            out.append(doc["neighbor"]["message"])
    return out


def _wait(pred: Any, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.timeout(120)
def test_real_exabgp_receives_blackhole_and_flowspec(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "exabgp").exists():
        pytest.skip("exabgp (PyPI, dev extras) is not installed")
    port = _free_port()
    dump_py = tmp_path / "dump.py"
    received = tmp_path / "received.jsonl"
    dump_py.write_text(
        "import sys\n"
        f"with open({str(received)!r}, 'a') as fh:\n"
        "    for line in sys.stdin:\n"
        "        fh.write(line); fh.flush()\n"
    )
    fifo = tmp_path / "exabgp.fifo"
    qalxan = Path(sys.executable).parent / "qalxan"
    (tmp_path / "recv.conf").write_text(f"""
process dump {{ run {sys.executable} -u {dump_py}; encoder json; }}
neighbor 127.0.0.1 {{
  router-id 10.0.0.2; local-address 127.0.0.1; local-as 65002; peer-as 65001;
  passive true;
  family {{ ipv4 unicast; ipv4 flow; }}
  api {{ processes [dump]; receive {{ parsed; update; }} }}
}}
""")
    (tmp_path / "send.conf").write_text(f"""
process qalxan {{ run {qalxan} ddos exabgp-relay --fifo {fifo}; encoder text; }}
neighbor 127.0.0.1 {{
  router-id 10.0.0.1; local-address 127.0.0.1; local-as 65001; peer-as 65002;
  family {{ ipv4 unicast; ipv4 flow; }}
  api {{ processes [qalxan]; }}
}}
""")
    writer = FifoWriter(fifo)
    logs = [(tmp_path / "recv.log").open("wb"), (tmp_path / "send.log").open("wb")]
    procs = [_exabgp(tmp_path / "recv.conf", port, logs[0], bind="127.0.0.1")]
    try:
        time.sleep(1.0)
        procs.append(_exabgp(tmp_path / "send.conf", port, logs[1], bind=""))
        # the session is up when the receiver got both end-of-RIB markers
        assert _wait(lambda: sum("eor" in u for u in _updates(received)) >= 2), (
            tmp_path / "recv.log"
        ).read_text()[-2000:]
        m = Mitigator(_policy(), writer, dry_run=False)
        attack = {**ATTACK, "vectors": ["ntp_amplification"]}

        def relay_ready() -> bool:
            try:
                m.handle("start", attack)
                return True
            except Exception:
                return False

        assert _wait(relay_ready)
        assert _wait(
            lambda: sum("announce" in u.get("update", {}) for u in _updates(received)) >= 2
        )
        ann = [u["update"] for u in _updates(received) if "announce" in u.get("update", {})]
        route = next(u for u in ann if "ipv4 unicast" in u["announce"])
        assert route["announce"]["ipv4 unicast"]["192.0.2.1"][0]["nlri"] == "203.0.113.10/32"
        assert route["attribute"]["community"] == [[65535, 666]]
        flow = next(u for u in ann if "ipv4 flow" in u["announce"])
        rule = flow["announce"]["ipv4 flow"]["no-nexthop"][0]
        assert rule["destination-ipv4"] == ["203.0.113.10/32"]
        assert rule["source-port"] == ["=123"] and rule["protocol"] == ["=udp"]
        assert flow["attribute"]["extended-community"][0]["string"] == "rate-limit:0"

        m.handle("end", attack)
        assert _wait(
            lambda: sum("withdraw" in u.get("update", {}) for u in _updates(received)) >= 2
        )
        wd = [
            u["update"]["withdraw"] for u in _updates(received) if "withdraw" in u.get("update", {})
        ]
        assert any("ipv4 unicast" in w for w in wd) and any("ipv4 flow" in w for w in wd)
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for fh in logs:
            fh.close()


def test_ipv6_victim_gets_a_128_with_an_ipv6_next_hop() -> None:
    attack = {**ATTACK, "victim": "2001:db8::10", "vectors": ["dns_amplification"]}
    lines = _lines(_policy(), attack)
    assert lines[0] == "announce route 2001:db8::10/128 next-hop 100::1 community [65535:666]"
    assert "destination 2001:db8::10/128; protocol =udp; source-port =53;" in lines[1]
