"""Strict request bodies: a size limit before anything is read, and UTF-8 or a clear 422.

Starlette decodes form fields leniently (bad bytes become U+FFFD or Latin-1 mojibake), which
would store a mangled report without telling anyone. These helpers read the raw body and
refuse what is not UTF-8, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

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
    """``multipart/form-data``: text fields must be UTF-8; files are kept as raw bytes."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ParseError("multipart body without a boundary", field="body")
    parts: list[tuple[dict[bytes, bytes], bytearray]] = []
    header: list[bytearray] = [bytearray(), bytearray()]

    def begin() -> None:
        parts.append(({}, bytearray()))

    def field_name(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def field_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def header_end() -> None:
        parts[-1][0][bytes(header[0]).lower()] = bytes(header[1])
        header[0], header[1] = bytearray(), bytearray()

    def part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": begin,
            "on_header_field": field_name,
            "on_header_value": field_value,
            "on_header_end": header_end,
            "on_part_data": part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise ParseError(f"malformed multipart body ({exc})", field="body") from None
    form = FormData()
    for headers, data in parts:
        _, disposition = parse_options_header(headers.get(b"content-disposition", b""))
        name = _utf8(disposition.get(b"name", b""), "form")
        if not name:
            continue
        if b"filename" in disposition:
            form.files[name] = (_utf8(disposition[b"filename"], name), bytes(data))
        else:
            form.fields[name] = _utf8(bytes(data), name)
    return form


def parse_body(body: bytes, content_type: str) -> FormData:
    """A browser or client form in either encoding."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return parse_multipart(body, content_type)
    if kind in ("application/x-www-form-urlencoded", ""):
        return parse_urlencoded(body)
    raise ParseError(f"unsupported content type {kind!r}", field="body")
