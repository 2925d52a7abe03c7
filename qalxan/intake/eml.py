"""Uploaded e-mails (.eml): keep the headers, links, text and attachment hashes, nothing more.

Attachments are hashed (SHA-256) and described (name, type, size); their content is never
stored. A file that is not an e-mail (no header block, binary junk) is a :class:`ParseError`
naming the ``eml`` field, so the API answers 422 and stores nothing.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from qalxan.domain.errors import ParseError

__all__ = ["KEPT_HEADERS", "ParsedEmail", "parse_eml"]

KEPT_HEADERS: tuple[str, ...] = (
    "from",
    "sender",
    "reply-to",
    "return-path",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "received-spf",
    "authentication-results",
    "x-mailer",
    "x-originating-ip",
    "list-unsubscribe",
)
MAX_BODY_CHARS = 20_000
MAX_LINKS = 50
_IDENTIFYING = ("from", "subject", "message-id", "date", "to")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:", re.M)
_LINK = re.compile(r"https?://[^\s<>\"')\]]+", re.I)


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """What is kept of one e-mail."""

    message_id: str | None
    subject: str | None
    from_addr: str | None
    reply_to: str | None
    to_addr: str | None
    date: str | None
    headers: list[list[str]]
    links: list[str]
    attachments: list[dict[str, Any]]
    body_text: str
    raw_sha256: str
    raw_size: int
    defects: list[str] = field(default_factory=list)


def _bad(reason: str) -> ParseError:
    return ParseError(reason, field="eml")


def _header(msg: EmailMessage, name: str) -> str | None:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # unparseable structured header
        value = msg.get_all(name, failobj=[None])[0] if msg.get_all(name) else None
    return None if value is None else str(value)[:1000]


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _links_from_html(html: str) -> list[str]:
    tree = HTMLParser(html)
    hrefs = [n.attributes.get("href") or "" for n in tree.css("a[href]")]
    return [h for h in hrefs if h.lower().startswith(("http://", "https://"))]


def _walk(msg: EmailMessage) -> tuple[str, list[str], list[dict[str, Any]]]:
    texts: list[str] = []
    html_texts: list[str] = []
    links: list[str] = []
    attachments: list[dict[str, Any]] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if (
            disposition == "attachment"
            or (disposition == "inline" and part.get_filename())
            or not ctype.startswith("text/")
        ):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            attachments.append(
                {
                    "filename": (part.get_filename() or "")[:255],
                    "content_type": ctype,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
            continue
        text = _part_text(part)
        if ctype == "text/html":
            links.extend(_links_from_html(text))
            html_texts.append(HTMLParser(text).text(separator=" "))
        else:
            texts.append(text)
    body = "\n".join(texts) if texts else "\n".join(html_texts)
    links.extend(_LINK.findall(body))
    return body, links, attachments


def parse_eml(raw: bytes) -> ParsedEmail:
    """Parse an uploaded e-mail file; raise :class:`ParseError` (field ``eml``) when it is not."""
    if not raw.strip():
        raise _bad("the e-mail file is empty")
    head = raw[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if not _HEADER_LINE.match(head.lstrip()):
        raise _bad("not an e-mail file: it does not start with a header block")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; anything it raises means junk
        raise _bad(f"not an e-mail file ({type(exc).__name__})") from None
    assert isinstance(msg, EmailMessage)
    present = {k.lower() for k in msg}
    if not present & set(_IDENTIFYING):
        raise _bad("not an e-mail file: no From, To, Subject, Date or Message-ID header")
    headers = [
        [name, str(value)[:1000]] for name, value in msg.raw_items() if name.lower() in KEPT_HEADERS
    ][:100]
    body, links, attachments = _walk(msg)
    unique_links = list(dict.fromkeys(link.rstrip(".,;") for link in links))[:MAX_LINKS]
    return ParsedEmail(
        message_id=_header(msg, "message-id"),
        subject=_header(msg, "subject"),
        from_addr=_header(msg, "from"),
        reply_to=_header(msg, "reply-to"),
        to_addr=_header(msg, "to"),
        date=_header(msg, "date"),
        headers=headers,
        links=unique_links,
        attachments=attachments[:100],
        body_text=body[:MAX_BODY_CHARS],
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        raw_size=len(raw),
        defects=[type(d).__name__ for d in msg.defects][:20],
    )
