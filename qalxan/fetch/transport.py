"""An httpx transport that connects only to addresses vetted beforehand.

The fetcher resolves and vets a host, then hands this transport a ``host -> IP`` pin. The
network backend connects to the pinned IP itself, so a second DNS answer (rebinding) can
never swap the address; TLS still uses the host name for SNI and certificate checks, and the
``Host`` header keeps the name.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpcore
import httpx

from qalxan.domain.errors import FetchError

__all__ = ["PinnedTransport"]


class _PinnedBackend(httpcore.NetworkBackend):
    def __init__(self, pins: Mapping[str, str], network: httpcore.NetworkBackend) -> None:
        self.pins = {k.lower(): v for k, v in pins.items()}
        self.network = network

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        ip = self.pins.get(host.lower().strip("[]"))
        if ip is None:  # never connect to something the fetcher did not vet
            raise FetchError(f"host {host!r} was not vetted before connecting")
        return self.network.connect_tcp(ip, port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchError("unix sockets are never used by the fetcher")

    def sleep(self, seconds: float) -> None:
        self.network.sleep(seconds)


def _wrap(exc: Exception) -> Exception:
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, httpcore.TimeoutException):
        return FetchError("time limit reached")
    return FetchError(f"{type(exc).__name__}: {exc}")


class _Stream(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._response.iter_stream()
        except Exception as exc:
            raise _wrap(exc) from exc

    def close(self) -> None:
        self._response.close()


class PinnedTransport(httpx.BaseTransport):
    """Sends each request over a connection to the pinned IP of its host.

    ``network`` is the socket layer (httpcore's default; tests pass one that maps a public
    test address to a local server, so no packet leaves the machine).
    """

    def __init__(
        self,
        pins: Mapping[str, str],
        ssl_context: ssl.SSLContext,
        network: httpcore.NetworkBackend | None = None,
    ) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=_PinnedBackend(pins, network or httpcore.SyncBackend()),
            max_connections=2,
            retries=0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            resp = self._pool.handle_request(req)
        except Exception as exc:
            raise _wrap(exc) from exc
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Stream(resp),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()
