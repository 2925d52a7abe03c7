"""The safe web fetcher: what Qalxan uses to fetch a URL somebody else gave it.

Every hop (the first request and each redirect) is vetted the same way:

1. only ``http``/``https``, on an allowed port;
2. the host is read as an IP literal in any spelling (:func:`parse_ip_literal`) or resolved
   through the :class:`Resolver` port; *every* address it resolves to must be allowed
   (:func:`forbidden_reason`), else :class:`BlockedAddressError`;
3. the connection goes to the vetted IP itself (:class:`PinnedTransport`), keeping the name
   for ``Host`` and TLS, so DNS rebinding cannot swap the address after the check.

Limits: body size, a time limit for the whole fetch, a number of redirects. Each hop uses a
fresh client, so no cookie is ever kept or sent back.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import certifi
import httpcore
import httpx
import idna

from qalxan.domain.errors import BlockedAddressError, FetchError
from qalxan.fetch.addresses import forbidden_reason, parse_ip_literal
from qalxan.fetch.resolver import Resolver, SystemResolver
from qalxan.fetch.transport import PinnedTransport

__all__ = ["Certificate", "FetchResult", "Hop", "SafeFetcher"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Mozilla/5.0 (compatible; Qalxan page checker; +https://qalxan.az/bot)"


@dataclass(frozen=True, slots=True)
class Certificate:
    """The TLS certificate the server presented (after verification)."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    sans: tuple[str, ...] = ()
    serial: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "sans": list(self.sans),
            "serial": self.serial,
        }


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a fetch: where it went, what it answered, and where it pointed next."""

    url: str
    status: int
    server_ip: str
    location: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "server_ip": self.server_ip,
            "location": self.location,
        }


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a fetch brought back, with the facts an analyst or a takedown needs."""

    url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    server_ip: str
    chain: tuple[Hop, ...]
    certificate: Certificate | None
    fetched_at: datetime
    elapsed_s: float
    encoding: str = ""  # from Content-Type; empty when the server did not say
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return ""

    def text(self) -> str:
        """The body decoded with the declared charset: the Content-Type header, else a
        ``<meta charset>`` in the first 4 kB, else UTF-8 (bad bytes replaced)."""
        encoding = self.encoding or _meta_charset(self.body) or "utf-8"
        try:
            return self.body.decode(encoding, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def to_dict(self) -> dict[str, Any]:
        """Everything but the body, as JSON-ready values."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "server_ip": self.server_ip,
            "headers": [list(h) for h in self.headers],
            "redirects": [h.to_dict() for h in self.chain],
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "size": len(self.body),
            "fetched_at": self.fetched_at.isoformat(),
            "elapsed_s": round(self.elapsed_s, 3),
        }


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{2,40})""", re.I)


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def _name(parts: Sequence[Any]) -> str:
    return ", ".join(f"{k}={v}" for rdn in parts for k, v in rdn)


def _certificate(stream: Any) -> Certificate | None:
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    peer = ssl_object.getpeercert()
    if not peer:
        return None
    return Certificate(
        subject=_name(peer.get("subject", ())),
        issuer=_name(peer.get("issuer", ())),
        not_before=str(peer.get("notBefore", "")),
        not_after=str(peer.get("notAfter", "")),
        sans=tuple(f"{k}:{v}" for k, v in peer.get("subjectAltName", ())),
        serial=str(peer.get("serialNumber", "")),
    )


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    host: str
    ip: str


class SafeFetcher:
    """Fetches user-supplied URLs without letting them reach inside the network.

    ``resolver`` is the DNS port (tests pass a :class:`StaticResolver`); ``allow_loopback``
    exists for tests only; ``ports`` limits destination ports (empty: any port); ``network``
    is the socket layer under the pinning (tests map a public address to a local server);
    ``ca_file`` replaces the certifi bundle of trusted CAs.
    """

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        allow_loopback: bool = False,
        max_bytes: int = 5_000_000,
        timeout_s: float = 15.0,
        max_redirects: int = 10,
        ports: Sequence[int] = (80, 443, 8080, 8443),
        verify_tls: bool = True,
        user_agent: str = USER_AGENT,
        network: httpcore.NetworkBackend | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.resolver: Resolver = resolver if resolver is not None else SystemResolver()
        self.allow_loopback = allow_loopback
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.max_redirects = max_redirects
        self.ports = tuple(ports)
        self.verify_tls = verify_tls
        self.user_agent = user_agent
        self.network = network
        self.ca_file = ca_file

    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_file or certifi.where())
        if not self.verify_tls:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def vet(self, url: str) -> _Target:
        """Check scheme, port and every address of the host; return the pinned target."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise FetchError(f"not a valid URL ({exc})", url=url) from None
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError("only http and https URLs are fetched", url=url)
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise FetchError("the URL has no host", url=url)
        port = port or (443 if parts.scheme.lower() == "https" else 80)
        literal = parse_ip_literal(host)
        if literal is not None:
            addresses = [str(literal)]
            # Rewrite odd spellings (2130706433, 0177.0.0.1) into the address they mean.
            shown = f"[{literal}]" if literal.version == 6 else str(literal)
            netloc = shown if parts.port is None else f"{shown}:{parts.port}"
            url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
            host = str(literal)
        else:
            if not host.isascii():  # pin and resolve the punycode name httpx will send
                try:
                    host = idna.encode(host, uts46=True).decode("ascii")
                except idna.IDNAError as exc:
                    raise FetchError(f"invalid international name ({exc})", url=url) from None
            addresses = self.resolver.resolve(host, port)
        if not addresses:
            raise FetchError(f"{host} resolves to no address", url=url)
        for text in addresses:
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                raise FetchError(f"resolver gave a bad address {text!r}", url=url) from None
            why = forbidden_reason(ip, allow_loopback=self.allow_loopback)
            if why is not None:
                raise BlockedAddressError(f"{host} resolves to {ip}: {why}", url=url)
            if self.ports and port not in self.ports and not ip.is_loopback:
                raise BlockedAddressError(f"port {port} is not allowed", url=url)
        clean = urlunsplit(urlsplit(url)._replace(fragment=""))
        return _Target(url=clean, host=host, ip=addresses[0].split("%", 1)[0])

    def fetch(self, url: str) -> FetchResult:
        """Fetch ``url`` following at most ``max_redirects`` redirects, each one vetted."""
        started = time.monotonic()
        deadline = started + self.timeout_s
        chain: list[Hop] = []
        current = url
        while True:
            target = self.vet(current)
            response, body, server_ip, cert = self._request(target, deadline)
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                nxt = urljoin(target.url, location.strip())
                chain.append(Hop(target.url, response.status_code, server_ip, nxt))
                if len(chain) > self.max_redirects:
                    raise FetchError(f"more than {self.max_redirects} redirects", url=url)
                current = nxt
                continue
            chain.append(Hop(target.url, response.status_code, server_ip))
            return FetchResult(
                url=url,
                final_url=target.url,
                status=response.status_code,
                headers=tuple((k, v) for k, v in response.headers.multi_items()),
                body=body,
                server_ip=server_ip,
                chain=tuple(chain),
                certificate=cert,
                fetched_at=datetime.now(UTC),
                elapsed_s=time.monotonic() - started,
                encoding=response.charset_encoding or "",
            )

    def _request(
        self, target: _Target, deadline: float
    ) -> tuple[httpx.Response, bytes, str, Certificate | None]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("time limit reached", url=target.url)
        transport = PinnedTransport({target.host: target.ip}, self._ssl_context(), self.network)
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "text/html,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        }
        # No httpx.Client: a bare request on a fresh transport per hop, so nothing (cookies,
        # auth, proxies from the environment) carries over, and redirects are ours to vet.
        request = httpx.Request(
            "GET",
            target.url,
            headers=headers,
            extensions={
                "timeout": {
                    "connect": remaining,
                    "read": remaining,
                    "write": remaining,
                    "pool": remaining,
                }
            },
        )
        with transport:
            response = transport.handle_request(request)
            response.request = request
            stream = response.extensions.get("network_stream")
            server_ip = target.ip  # the vetted address the connection was pinned to
            cert = _certificate(stream)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                response.close()
                raise FetchError(f"body larger than {self.max_bytes} bytes", url=target.url)
            try:
                chunks = list(self._read(response, target.url, deadline))
            finally:
                response.close()
            content = self._decode(response, b"".join(chunks))
            return response, content, server_ip, cert

    def _read(self, response: httpx.Response, url: str, deadline: float) -> Iterator[bytes]:
        size = 0
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"body larger than {self.max_bytes} bytes", url=url)
            if time.monotonic() > deadline:
                raise FetchError("time limit reached", url=url)
            yield chunk

    def _decode(self, response: httpx.Response, raw: bytes) -> bytes:
        """Undo gzip/deflate with the same size limit (no decompression bombs)."""
        coding = response.headers.get("content-encoding", "").strip().lower()
        if coding not in ("gzip", "x-gzip", "deflate") or not raw:
            return raw
        for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):
            inflater = zlib.decompressobj(wbits=wbits)
            try:
                out = inflater.decompress(raw, self.max_bytes + 1)
            except zlib.error:
                continue
            if len(out) > self.max_bytes or inflater.unconsumed_tail:
                raise FetchError(f"body larger than {self.max_bytes} bytes once decoded")
            return out
        raise FetchError(f"body is not valid {coding}")
