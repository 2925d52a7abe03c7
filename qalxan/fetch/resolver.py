"""The resolver port of the safe fetcher: host name -> addresses.

:class:`SystemResolver` asks the operating system; :class:`StaticResolver` answers from a
table (tests use it to make a name resolve to a private range, as DNS rebinding would).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from qalxan.domain.errors import FetchError

__all__ = ["Resolver", "StaticResolver", "SystemResolver"]


@runtime_checkable
class Resolver(Protocol):
    """Resolves a host name to the IP addresses (text form) it points at."""

    def resolve(self, host: str, port: int) -> list[str]:
        """Every address of ``host``; raise :class:`FetchError` when it has none."""
        ...


class SystemResolver:
    """``getaddrinfo`` of the operating system (TCP addresses only, in its order)."""

    def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host!r} ({exc})") from None
        out: list[str] = []
        for *_, sockaddr in infos:
            addr = str(sockaddr[0])
            if addr not in out:
                out.append(addr)
        return out


class StaticResolver:
    """Answers from a ``{host: [address, ...]}`` table; unknown names do not resolve."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = {k.lower().rstrip("."): list(v) for k, v in table.items()}

    def resolve(self, host: str, port: int) -> list[str]:
        try:
            return list(self.table[host.lower().rstrip(".")])
        except KeyError:
            raise FetchError(f"cannot resolve {host!r} (not in the static table)") from None
