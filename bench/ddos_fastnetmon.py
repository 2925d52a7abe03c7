"""Side by side with Debian's fastnetmon 1.2.4, fed the same NetFlow v5 on 127.0.0.1.

``python -m bench ddos_fastnetmon`` (or ``python -m bench.ddos_fastnetmon --capture NAME`` for
another capture of synthetic_scapy). Installs ``fastnetmon`` with apt when
missing (as root) and disables the system service the package enables; then runs it by hand
with its own configuration: NetFlow on 127.0.0.1 only, no interface sniffing, usage report
off, a notify script that records each ban. Qalxan runs as ``qalxan ddos listen`` in its
own process. The capture (default: the 50 s labelled timeline) is turned into NetFlow v5,
its times shifted to now, and replayed in real time (one second of capture per second) to
both collectors. Printed: what each detected, the delay after the labelled attack start
(wall clock), and the CPU seconds each process used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from qalxan.collect.netflow import encode_v5
from qalxan.collect.pcap import read_pcap

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ddos"
ROOT = Path(__file__).resolve().parents[1]

FNM_CONF = """
logging_level = info
logging_local_syslog_logging = off
logging_remote_syslog_logging = off
disable_usage_report = on
enable_ban = on
enable_ban_ipv6 = off
process_incoming_traffic = on
process_outgoing_traffic = off
ban_details_records_count = 20
ban_time = 30
unban_only_if_attack_finished = on
networks_list_path = {dir}/networks_list
white_list_path = {dir}/networks_whitelist
check_period = 1
enable_connection_tracking = off
ban_for_pps = on
ban_for_bandwidth = on
ban_for_flows = off
threshold_pps = 5000
threshold_mbps = 500
threshold_flows = 3000
ban_for_tcp_pps = on
ban_for_udp_pps = on
ban_for_icmp_pps = on
threshold_tcp_pps = 1000
threshold_udp_pps = 1000
threshold_icmp_pps = 1000
ban_for_tcp_bandwidth = off
ban_for_udp_bandwidth = off
ban_for_icmp_bandwidth = off
mirror_afpacket = off
mirror_afxdp = off
mirror_netmap = off
pcap = off
sflow = off
netflow = on
netflow_host = 127.0.0.1
netflow_port = {port}
netflow_sampling_ratio = 1
interfaces =
average_calculation_time = 1
speed_calculation_delay = 1
notify_script_path = {dir}/notify.sh
collect_attack_pcap_dumps = off
redis_enabled = off
mongodb_enabled = off
exabgp = off
gobgp = off
influxdb = off
graphite = off
monitor_local_ip_addresses = off
"""

NOTIFY = """#!/bin/sh
# fastnetmon calls: notify.sh IP DIRECTION PPS ACTION, attack details on stdin
{{ echo "=== $(date +%s.%N) $1 $2 $3 $4"; cat; }} >> {dir}/bans.log
"""


def _ensure_fastnetmon() -> str:
    exe = shutil.which("fastnetmon")
    if exe:
        return exe
    if os.geteuid() != 0:
        raise SystemExit("fastnetmon is missing: apt-get install -y fastnetmon (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "fastnetmon"],
        check=True,
        env=env,
    )
    exe = shutil.which("fastnetmon")
    if not exe:
        raise SystemExit("fastnetmon did not install")
    return exe


def _disable_service() -> None:
    """The package enables a system service: stop and disable it (we run our own)."""
    if shutil.which("systemctl"):
        for verb in ("stop", "disable"):
            subprocess.run(["systemctl", verb, "fastnetmon"], capture_output=True)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _flows(capture: Path, shift: float) -> np.ndarray:
    recs = np.concatenate(list(read_pcap(capture)))
    recs = recs[np.argsort(recs["start"], kind="stable")]
    recs["start"] += shift
    recs["end"] += shift
    return recs


def _replay(recs: np.ndarray, ports: list[int], t0: float, cap0: float) -> int:
    """Send each second of capture at its own second of wall clock, to every port."""
    sent = 0
    sec = np.floor(recs["start"] - (t0)).astype(np.int64)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for s in range(int(sec.max()) + 1):
            chunk = recs[sec == s]
            wait = t0 + s - time.time()
            if wait > 0:
                time.sleep(wait)
            if not len(chunk):
                continue
            # spread one second's datagrams over ten slices, as a router would
            for part in np.array_split(chunk, 10):
                if len(part):
                    for gram in encode_v5(part, boot_time=t0 - 3600, sequence=sent):
                        for port in ports:
                            sock.sendto(gram, ("127.0.0.1", port))
                    sent += len(part)
                time.sleep(0.09)
    return sent


def _startup_cpu(env: dict[str, str]) -> float:
    """CPU seconds `qalxan ddos listen` spends starting and stopping with no traffic."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            str(ROOT / ".venv/bin/qalxan"),
            "ddos",
            "listen",
            "--netflow",
            "127.0.0.1:0",
            "--no-store",
            "--duration",
            "0.1",
        ],
        env=env,
        capture_output=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[2:] if len(sys.argv) > 2 else []
    name = (
        args[args.index("--capture") + 1]
        if "--capture" in args
        else "timeline_benign_then_syn_ntp.pcap"
    )
    capture = DATA / "synthetic_scapy" / name
    labels = json.loads((DATA / "synthetic_scapy" / "labels.json").read_text())[name]
    exe = _ensure_fastnetmon()
    _disable_service()
    work = Path(tempfile.mkdtemp(prefix="qx-fnm-"))
    fnm_port, qx_port = _free_udp_port(), _free_udp_port()
    (work / "networks_list").write_text("203.0.113.0/24\n")
    (work / "networks_whitelist").write_text("")
    (work / "notify.sh").write_text(NOTIFY.format(dir=work))
    (work / "notify.sh").chmod(0o755)
    (work / "fastnetmon.conf").write_text(FNM_CONF.format(dir=work, port=fnm_port))
    fnm = subprocess.Popen(
        [
            exe,
            "--configuration_file",
            str(work / "fastnetmon.conf"),
            "--log_file",
            str(work / "fastnetmon.log"),
            "--disable_pid_logic",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    env = {
        **os.environ,
        "QALXAN_DATABASE_URL": f"sqlite:///{work / 'qx.db'}",
        "QALXAN_VAR_DIR": str(work),
        "QALXAN_DDOS_LATENESS_S": "0.25",
    }
    qx = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/qalxan"),
            "ddos",
            "listen",
            "--netflow",
            f"127.0.0.1:{qx_port}",
            "--json",
            "--duration",
            "100000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    qx_events: list[tuple[float, dict[str, Any]]] = []

    def read_qx() -> None:
        assert qx.stdout is not None
        for line in qx.stdout:
            qx_events.append((time.time(), json.loads(line)))

    reader = threading.Thread(target=read_qx, daemon=True)
    reader.start()
    try:
        time.sleep(4.0)  # both collectors up
        cap = np.concatenate(list(read_pcap(capture)))
        cap0 = float(np.floor(cap["start"].min()))
        t0 = float(np.ceil(time.time())) + 1.0
        recs = _flows(capture, t0 - cap0)
        print(
            f"replaying {name}: {len(recs)} records as NetFlow v5 to fastnetmon "
            f":{fnm_port} and qalxan :{qx_port}, paced 1 s per s"
        )
        sent = _replay(recs, [fnm_port, qx_port], t0, cap0)
        time.sleep(8.0)
        cpu = {"fastnetmon": _cpu_seconds(fnm.pid), "qalxan": _cpu_seconds(qx.pid)}
    finally:
        for p in (qx, fnm):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in (qx, fnm):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    reader.join(timeout=5)
    attacks = labels.get("attacks") or [{"type": labels["attack"], "from": labels["start"]}]
    starts = {a["type"]: t0 + a["from"] - cap0 for a in attacks}
    first = min(starts.values())
    print(
        f"records sent: {sent}; labelled attacks: "
        + ", ".join(f"{k} at +{v - t0:.0f} s" for k, v in starts.items())
    )
    print("\n-- qalxan --")
    for when, ev in qx_events:
        a = ev["attack"]
        if ev["event"] in ("start", "update"):
            print(
                f"{ev['event']:<6} +{when - first:5.1f} s after first attack start: "
                f"{a['victim']} {a['vectors']} peak {a['peak_pps']:.0f} pps"
            )
    vec = {"ntp_amp": "ntp_amplification"}
    for kind, at in starts.items():
        seen = [w for w, ev in qx_events if vec.get(kind, kind) in ev["attack"]["vectors"]]
        delay = f"{min(seen) - at:.1f} s" if seen else "not detected"
        print(f"  {kind}: detected {delay} after its start")
    idle = _startup_cpu(env)
    print(f"cpu: {cpu['qalxan']:.2f} s (of which {idle:.2f} s start-up of the command)")
    print("\n-- fastnetmon --")
    bans = (work / "bans.log").read_text() if (work / "bans.log").exists() else ""
    for block in bans.split("=== ")[1:]:
        head, _, body = block.partition("\n")
        when, ip, direction, pps, action = (head.split() + [""] * 5)[:5]
        kind = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in body.splitlines()
                if ln.lower().startswith("attack type")
            ),
            "?",
        )
        print(
            f"{action:<6} +{float(when) - first:5.1f} s after first attack start: "
            f"{ip} {direction} {pps} pps, attack type: {kind}"
        )
    if not bans:
        print("no ban")
    print(f"cpu: {cpu['fastnetmon']:.2f} s")
    print(f"(work folder with logs: {work})")


if __name__ == "__main__":
    main(sys.argv[1:])
