"""Helpers of the page tests: a real HTTP server on 127.0.0.1 with scripted routes."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

PAGES = Path(__file__).parent / "pages"
PUBLIC_IP = "93.184.216.34"  # what "public" names resolve to; LoopbackNetwork maps it here


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    delay: float = 0.0


Route = Callable[["http.server.BaseHTTPRequestHandler"], Reply]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, Route]] = {}
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        # The fetcher hangs up on purpose at a size or time limit.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        self.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        route = self.routes.get(self.path.split("?", 1)[0])
        reply = route(self) if route else Reply(404, b"not found")
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(reply.body), 65536):
                part = reply.body[i : i + 65536]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class LocalServer:
    port: int
    routes: dict[str, Route]
    seen: list[dict[str, str]]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(self, path: str, html: str | bytes, **headers: str) -> None:
        body = html.encode("utf-8") if isinstance(html, str) else html
        hdrs = {"Content-Type": "text/html; charset=utf-8", **headers}
        self.routes[path] = lambda _h: Reply(200, body, hdrs)

    def redirect(self, path: str, location: str, status: int = 302, **headers: str) -> None:
        self.routes[path] = lambda _h: Reply(status, b"", {"Location": location, **headers})

    def gzip_page(self, path: str, html: str) -> None:
        body = gzip.compress(html.encode("utf-8"))
        hdrs = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        self.routes[path] = lambda _h: Reply(200, body, hdrs)


def read_page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")
