"""How clean are near-duplicate joins? MinHash/LSH clusters over real labelled SMS.

Joins every message of a labelled set the way campaigns join texts (shared LSH band and
estimated Jaccard >= threshold, transitively) and reports the clusters: how many messages
joined a cluster, and how many clusters mix spam and ham (a mixed cluster is a wrong join).
Data: ../shared/data/messages/{train_en_uci_mishra,turkish_sms}.csv (labels y: 1 spam).
Run: ``nice python -m bench reports_neardup``.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from pathlib import Path

from qalxan.policy.fingerprint import fingerprint, similarity

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "messages"
FILES = ("train_en_uci_mishra.csv", "turkish_sms.csv")
THRESHOLD = 0.5


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def run(path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        rows = [(r["text"], int(r["y"])) for r in csv.DictReader(fh)]
    t0 = time.process_time()
    fps = [fingerprint(text) for text, _ in rows]
    elapsed = time.process_time() - t0
    parent = list(range(len(rows)))
    buckets: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, fp in enumerate(fps):
        if fp is None:
            continue
        for band, key in enumerate(fp.bands):
            for j in buckets[(band, key)]:
                other = fps[j]
                if other is not None and similarity(fp.signature, other.signature) >= THRESHOLD:
                    parent[_find(parent, i)] = _find(parent, j)
            buckets[(band, key)].append(i)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        clusters[_find(parent, i)].append(i)
    multi = [c for c in clusters.values() if len(c) > 1]
    mixed = [c for c in multi if len({rows[i][1] for i in c}) > 1]
    joined = sum(len(c) for c in multi)
    spam_joined = sum(len(c) for c in multi if all(rows[i][1] for i in c))
    print(f"{path.name}: {len(rows)} messages, {sum(fp is None for fp in fps)} too short")
    print(f"  fingerprints: {len(rows) / elapsed:,.0f} texts/s per core (CPU time)")
    print(
        f"  clusters of 2+: {len(multi)} holding {joined} messages "
        f"({spam_joined} in all-spam clusters); mixed spam/ham clusters: {len(mixed)}"
    )
    for c in mixed[:3]:
        print("   mixed:", [(rows[i][1], rows[i][0][:60]) for i in c[:3]])


def main() -> None:
    for name in FILES:
        path = DATA / name
        if path.is_file():
            run(path)
        else:
            print(f"{path} missing (../shared beside the checkout)")
