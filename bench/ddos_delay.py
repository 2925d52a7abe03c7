"""DDoS detection delay on the labelled captures, and detector throughput per core.

``python -m bench ddos_delay``: replays every single-vector synthetic capture and the
50 s timeline (pcap, and the same traffic as softflowd -> nfdump CSV) through the detector
with 1 s windows, and prints, per labelled vector, when it was detected relative to the
attack's start in the capture's clock (labels.json). Then reads and detects the whole
timeline several times and prints records per second per core (process CPU time).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from qalxan.cli.ddos import replay_file
from qalxan.collect.nfdump import read_nfdump_csv
from qalxan.collect.pcap import read_pcap
from qalxan.service.ddos import build_detector

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ddos"
VECTOR = {
    "ntp_amp": "ntp_amplification",
    "memcached_amp": "memcached_amplification",
    "cldap_amp": "cldap_amplification",
    "ssdp_amp": "ssdp_amplification",
    "dns_amp": "dns_amplification",
    "chargen_amp": "chargen_amplification",
}


def _delays() -> None:
    labels = json.loads((DATA / "synthetic_scapy" / "labels.json").read_text())
    print(f"{'capture':<42} {'vector':<26} {'start':>12} {'detected':>12} {'delay_s':>7}")
    worst = 0.0
    for name, label in sorted(labels.items()):
        path = DATA / "synthetic_scapy" / name
        runs = [(name, path)]
        if "attacks" in label:
            runs.append(
                ("timeline (nfdump csv)", DATA / "derived_flows/csv/synthetic_timeline.csv.gz")
            )
        for shown, p in runs:
            attacks = replay_file(p)["attacks"]
            wanted = label.get("attacks") or [{"type": label["attack"], "from": label["start"]}]
            for w in wanted:
                vector = VECTOR.get(w["type"], w["type"])
                found = [
                    a["evidence"]["vectors"][vector]["detected_at"]
                    for a in attacks
                    if vector in a["vectors"]
                ]
                det = min(found) if found else float("nan")
                delay = det - w["from"]
                worst = max(worst, delay) if found else float("inf")
                print(f"{shown:<42} {vector:<26} {w['from']:>12.1f} {det:>12.1f} {delay:>7.2f}")
    print(f"worst delay: {worst:.2f} s (target <= 2 s with 1 s windows)")


def _throughput(repeat: int = 3) -> None:
    path = DATA / "synthetic_scapy" / "timeline_benign_then_syn_ntp.pcap"
    t0 = time.process_time()
    n = 0
    for _ in range(repeat):
        batches = list(read_pcap(path))
        n += sum(len(b) for b in batches)
    read_cpu = time.process_time() - t0
    batches = list(read_pcap(path))
    big = np.concatenate(batches)
    t0 = time.process_time()
    for _ in range(repeat):
        build_detector().run([big])
    det_cpu = time.process_time() - t0
    print(f"pcap read: {n / read_cpu:,.0f} packets/s per core")
    csv = DATA / "derived_flows" / "csv" / "synthetic_timeline.csv.gz"
    t0 = time.process_time()
    m = sum(len(b) for b in read_nfdump_csv(csv))
    print(f"nfdump csv read: {m / (time.process_time() - t0):,.0f} records/s per core")
    print(
        f"detector:  {repeat * len(big) / det_cpu:,.0f} records/s per core "
        f"(timeline, {len(big)} records, 50 windows)"
    )


def main() -> None:
    _delays()
    _throughput()


if __name__ == "__main__":
    main()
