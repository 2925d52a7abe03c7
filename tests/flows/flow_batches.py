"""Synthetic flow batches, and a sink for listener output, for the collector tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from qalxan.domain.flows import addr_bytes, empty_flows


def make_batch(
    n: int, *, seed: int = 1, ipv6_every: int = 0, base: float = 1_700_000_000.0
) -> np.ndarray:
    """``n`` varied flows; every ``ipv6_every``-th one IPv6 (0: none)."""
    rng = np.random.default_rng(seed)
    batch = empty_flows(n)
    for i in range(n):
        if ipv6_every and i % ipv6_every == 0:
            batch["src"][i] = addr_bytes(f"2001:db8::{i % 65536:x}")
            batch["dst"][i] = addr_bytes("2001:db8:ffff::10")
        else:
            batch["src"][i] = addr_bytes(f"198.51.{(i >> 8) & 255}.{i & 255}")
            batch["dst"][i] = addr_bytes("203.0.113.10")
    batch["start"] = base + np.round(rng.uniform(0, 50, n), 3)
    batch["end"] = batch["start"] + np.round(rng.uniform(0, 5, n), 3)
    batch["sport"] = rng.integers(0, 65536, n)
    batch["dport"] = rng.choice([53, 80, 123, 443], n)
    batch["proto"] = rng.choice([6, 17], n)
    batch["tcp_flags"] = np.where(batch["proto"] == 6, rng.integers(0, 64, n), 0)
    batch["packets"] = rng.integers(1, 100_000, n)
    batch["bytes"] = batch["packets"] * rng.integers(40, 1500, n)
    batch["sampling"] = 1
    return batch


class Sink:
    """Collects batches from the listener thread."""

    def __init__(self) -> None:
        self.batches: list[np.ndarray] = []
        self.lock = threading.Lock()

    def __call__(self, batch: np.ndarray) -> None:
        with self.lock:
            self.batches.append(batch)

    def flows(self) -> np.ndarray:
        with self.lock:
            return np.concatenate(self.batches) if self.batches else np.array([])


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.02)
    return check()
