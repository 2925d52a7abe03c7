"""Batch scoring throughput of the message detector, in messages per second per core.

The operator path (``MessageDetector.analyze_batch``): the compiled kernel folds each text,
scores the model and sets the prefilter flags in one pass, the trigger literals are scanned
over all texts joined at once, and only messages with a signal go through full rule
evaluation. The mix is operator-like:
mostly ordinary messages (personal chat, notices, OTP codes) with a scam share that can be
set (default 5%), drawn with repetition from the pools, as real traffic repeats texts.

Figures: without the verdict cache (every message scored; the fold, link and phone memos
stay on), over the distinct texts only, the same messages again without the cache (every
piece already memoised: an upper bound), and with the cache from cold and warm. The target
is judged on the first figure.

Rates are messages per CPU-second of the (single-threaded) process, i.e. per core, so a
busy shared machine does not distort them; the wall-clock rate is printed too.

Run: ``nice .venv/bin/python -m bench message_throughput`` (env ``QALXAN_BENCH_N``,
``QALXAN_BENCH_SCAM_SHARE``). Single process, single thread: the figure is per core.
"""

from __future__ import annotations

import csv
import gc
import os
import random
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "messages"


def _corpus(scam_share: float, n: int, seed: int = 7) -> list[str]:
    from qalxan.service.message_train import load_written

    ham: list[str] = []
    scam: list[str] = []
    for name in ("dev_en_uci_mishra.csv", "telegram_spam_ru_en.csv", "turkish_sms.csv"):
        path = SHARED / name
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    (scam if row["y"] == "1" else ham).append(row["text"])
    for e in load_written("test"):
        (scam if e.label else ham).append(e.text)
    rng = random.Random(seed)
    n_scam = int(n * scam_share)
    out = [rng.choice(scam) for _ in range(n_scam)] + [rng.choice(ham) for _ in range(n - n_scam)]
    rng.shuffle(out)
    return out


def _rate(fn: object, texts: list[str], chunk: int) -> float:
    """Messages per CPU-second of this process: on a shared machine, wall time also counts
    the time other processes held the core; CPU time is what one core spent on us. The
    garbage of earlier figures is collected first, so that a full collection falls on the
    figure that made the garbage (on the short warm-cache pass one halved the figure)."""
    gc.collect()
    start = time.process_time()
    for i in range(0, len(texts), chunk):
        fn(texts[i : i + chunk])  # type: ignore[operator]
    return len(texts) / (time.process_time() - start)


def main() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from qalxan.service import Engine
    from qalxan.settings import Settings

    n = int(os.environ.get("QALXAN_BENCH_N", "50000"))
    share = float(os.environ.get("QALXAN_BENCH_SCAM_SHARE", "0.05"))
    # Without the verdict cache every message is scored; with it, repeated texts (campaign
    # floods, common notices) are answered from the LRU.
    det = Engine(Settings(database_url="sqlite://", message_cache_size=0)).detector("message")
    cached = Engine(Settings(database_url="sqlite://")).detector("message")
    texts = _corpus(share, n)
    unique = list(dict.fromkeys(texts))
    det.analyze_batch(texts[:1000])  # warm up (imports, lazy tables)
    print(
        f"messages: {n} ({len(unique)} distinct texts), scam share {share:.0%}, mean length "
        f"{sum(map(len, texts)) / len(texts):.0f} chars, 1 process / 1 thread"
    )
    wall = time.perf_counter()
    batch = _rate(det.analyze_batch, texts, 1000)
    wall = n / (time.perf_counter() - wall)
    print(
        f"analyze_batch (1,000 per call, no cache): {batch:,.0f} messages/s per core "
        f"({wall:,.0f}/s wall clock)"
    )
    distinct = _rate(det.analyze_batch, unique, 1000)
    print(f"  distinct texts only ({len(unique)}), no cache: {distinct:,.0f} messages/s per core")
    again = _rate(det.analyze_batch, texts, 1000)
    print(
        f"  the same messages again, no cache (every link, number and word seen before: an "
        f"upper bound for steady traffic): {again:,.0f} messages/s per core"
    )
    stats: dict[str, int] = {}
    with_cache = _rate(lambda xs: cached.analyze_batch(xs, stats), texts, 1000)
    print(
        f"analyze_batch with the verdict cache (cold start, repeats as drawn, "
        f"{stats.get('cached', 0) / n:.0%} hits): {with_cache:,.0f} messages/s per core"
    )
    warm = _rate(cached.analyze_batch, texts, 1000)
    print(f"  the same messages again (warm cache, a campaign flood): {warm:,.0f}/s per core")
    full_n = min(n, 5000)
    full = _rate(lambda xs: [det.analyze(x) for x in xs], texts[:full_n], 1000)
    print(f"analyze one by one (full path): {full:,.0f} messages/s per core")
    kernel = det._prefilter.kernel
    print(f"compiled kernel: {'yes' if kernel is not None else 'NO (pure-Python path)'}")
    if kernel is not None:
        k = _rate(kernel.scan, texts, 1000)
        print(f"  of which the kernel (fold, model, flags): {k:,.0f} messages/s per core")
    fast = det.normalizer.fast
    model = det.model
    if model is not None:
        m = _rate(lambda xs: model.predict_proba([fast(x) for x in xs]), texts, 1000)
        print(f"  fold + model in Python (numpy), for comparison: {m:,.0f} messages/s per core")
    stats = {}
    det.analyze_batch(texts, stats)
    print(
        f"share of messages that skip the full path: {stats.get('quiet', 0) / n:.1%} "
        f"({stats.get('settled', 0) / n:.1%} of them after the full fold and a try of the rules)"
    )
    print(f"batch / one-by-one speed ratio: {batch / full:.1f}x")
    target = 50_000
    print(f"target >= {target:,}/s per core: {'met' if batch >= target else 'NOT met'}")
