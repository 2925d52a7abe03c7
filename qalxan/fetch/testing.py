"""Test doubles for the fetcher's ports (shipped in the package, like httpx's MockTransport).

- :class:`StaticResolver` (re-exported): names resolve from a table.
- :class:`SequenceResolver`: each look-up of a name gives the next answer (DNS rebinding).
- :class:`LoopbackNetwork`: connections to listed public addresses go to local servers, so a
  test can fetch "from the internet" with loopback forbidden and no packet leaving 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpcore

from qalxan.domain.errors import FetchError
from qalxan.fetch.resolver import StaticResolver

__all__ = ["LoopbackNetwork", "SequenceResolver", "StaticResolver"]


class SequenceResolver:
    """``{host: [answer1, answer2, ...]}``: the n-th look-up of a host gets the n-th answer."""

    def __init__(self, answers: Mapping[str, Sequence[Sequence[str]]]) -> None:
        self.answers = {k.lower(): [list(a) for a in v] for k, v in answers.items()}
        self.calls: dict[str, int] = {}

    def resolve(self, host: str, port: int) -> list[str]:
        key = host.lower().rstrip(".")
        n = self.calls.get(key, 0)
        self.calls[key] = n + 1
        answers = self.answers.get(key)
        if not answers:
            raise FetchError(f"cannot resolve {host!r}")
        return list(answers[min(n, len(answers) - 1)])


class LoopbackNetwork(httpcore.NetworkBackend):
    """Connects ``(ip, port)`` pairs listed in ``routes`` to local ``(host, port)`` servers;
    any other destination is refused (a test never reaches the real network)."""

    def __init__(self, routes: Mapping[tuple[str, int], tuple[str, int]]) -> None:
        self.routes = dict(routes)
        self.connected: list[tuple[str, int]] = []
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.connected.append((host, port))
        try:
            local_host, local_port = self.routes[(host, port)]
        except KeyError:
            raise FetchError(f"test network has no route to {host}:{port}") from None
        return self._inner.connect_tcp(local_host, local_port, timeout, None, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchError("no unix sockets in tests")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
