"""Paced replay of a flow batch to the listener on 127.0.0.1."""

from __future__ import annotations

import time

import numpy as np
import pytest

from qalxan.collect import FlowListener, replay
from qalxan.errors import ConfigError

from .flow_batches import Sink, make_batch, wait_for


@pytest.mark.parametrize("fmt", ["v5", "ipfix"])
def test_replay_paced_to_the_listener(fmt: str) -> None:
    batch = make_batch(600, ipv6_every=5)
    batch["end"] = batch["start"].min() + np.linspace(0.0, 1.0, len(batch))
    batch["start"] = batch["end"] - 0.2
    expected = 480 if fmt == "v5" else 600  # v5 carries IPv4 only
    sink = Sink()
    with FlowListener(("127.0.0.1", 0), None, sink) as listener:
        t0 = time.monotonic()
        sent = replay(batch, listener.netflow_address, fmt=fmt, speed=4.0)  # type: ignore[arg-type]
        elapsed = time.monotonic() - t0
        assert wait_for(lambda: len(sink.flows()) == expected)
    assert sent > 10 and elapsed >= 0.25 - 0.1 / 4  # 1 s of capture at 4x, last slice due at 0.25 s
    got = sink.flows()
    assert got["start"].min() == pytest.approx(batch["start"].min(), abs=2e-3)
    assert listener.stats()["netflow"]["127.0.0.1"]["sequence_gaps"] == 0


def test_replay_refuses_non_loopback_and_unknown_formats() -> None:
    batch = make_batch(3)
    with pytest.raises(ConfigError):
        replay(batch, ("192.0.2.1", 2055))
    with pytest.raises(ConfigError):
        replay(batch, ("127.0.0.1", 2055), fmt="v7")
