"""Strict request bodies: a size limit before anything is read, and UTF-8 or a clear 422.

Starlette decodes form fields leniently (bad bytes become U+FFFD or Latin-1 mojibake), which
would store a mangled report without telling anyone. These helpers read the raw body and
refuse what is not UTF-8, naming the field.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from qalxan.domain.errors import ParseError

__all__ = [
    "BodyLimit",
    "FormData",
    "parse_body",
    "parse_json",
    "parse_multipart",
    "parse_urlencoded",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``limit`` bytes on paths under ``prefixes``.

    Checks ``Content-Length`` first and also counts streamed chunks (chunked uploads)."""

    def __init__(self, app: ASGIApp, limit: int, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.limit = limit
        self.prefixes = prefixes

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "type": "too_large",
                    "message": f"the request body is larger than {self.limit} bytes",
                    "limit": self.limit,
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._reject(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("is not valid UTF-8 text", field=name) from None


@dataclass
class FormData:
    """Fields (UTF-8 text) and files (raw bytes with their names) of a form."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if value else None


def parse_json(body: bytes) -> Any:
    """A JSON body that must be UTF-8."""
    text = _utf8(body, "body")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON ({exc.msg} at line {exc.lineno})", field="body") from None


def parse_urlencoded(body: bytes) -> FormData:
    """``application/x-www-form-urlencoded`` with strict UTF-8 values."""
    form = FormData()
    raw = body.decode("latin-1")  # percent-escapes and ASCII only; bytes checked below
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        key = _utf8(unquote_to_bytes(name.replace("+", " ")), "form")
        form.fields[key] = _utf8(unquote_to_bytes(value.replace("+", " ")), key)
    return form


def parse_multipart(body: bytes, content_type: str) -> FormData:
    """``multipart/form-data``: text fields must be UTF-8; files are kept as bytes."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not msg.is_multipart():
        raise ParseError("not a multipart form", field="body")
    form = FormData()
    for part in msg.iter_parts():
        params = dict(part.get_params(header="content-disposition") or [])
        name = str(params.get("name") or "")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if not name:
            continue
        filename = params.get("filename")
        if filename is not None:
            form.files[name] = (str(filename), data)
        else:
            form.fields[name] = _utf8(data, name)
    return form


def parse_body(body: bytes, content_type: str) -> FormData:
    """A browser or client form in either encoding."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return parse_multipart(body, content_type)
    if kind in ("application/x-www-form-urlencoded", ""):
        return parse_urlencoded(body)
    raise ParseError(f"unsupported content type {kind!r}", field="body")
