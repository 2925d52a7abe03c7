"""URLs and domains in canonical form.

Accepts defanged input (``hxxp``, ``[.]``, ``(dot)``), lowercases scheme and host, converts
IDN hosts to punycode (keeping the Unicode form for display), drops default ports and resolves
dot-segments. Registered domain and public suffix come from tldextract's bundled suffix list:
no network access ever.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit, urlunsplit

import idna
import tldextract

from qalxan.domain.errors import DomainError, UrlError
from qalxan.domain.ip import normalize_ip_literal

__all__ = [
    "MAX_URL_LENGTH",
    "Domain",
    "Url",
    "parent_domains",
    "parse_domain",
    "parse_url",
    "refang",
    "split_domain",
    "suffix_tlds",
]

MAX_URL_LENGTH = 16_384
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_SCHEMES = frozenset(_DEFAULT_PORTS)
_REFANG = [
    (re.compile(r"^h(?:xx|XX|\*\*|\[x\]\[x\])p(s?)", re.I), r"http\1"),
    (re.compile(r"\[\s*\.\s*\]|\(\s*\.\s*\)|\{\s*\.\s*\}"), "."),
    (re.compile(r"\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}", re.I), "."),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\[\s*/\s*\]"), "/"),
    (re.compile(r"\[\s*@\s*\]|\(\s*at\s*\)|\[\s*at\s*\]", re.I), "@"),
]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Lone surrogates: a JSON escape such as \udc00 decodes to one; no encoder accepts them.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE = re.compile(r"\s")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: use the list bundled in the wheel, never fetch.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


@lru_cache(maxsize=1)
def suffix_tlds() -> frozenset[str]:
    """The top-level labels of the bundled public suffix list (ICANN and private rules),
    lowercase: a host whose last label is not one of them has no public suffix."""
    return frozenset(s.rsplit(".", 1)[-1].lower() for s in _extractor().tlds)


def refang(text: str) -> str:
    """Undo common defanging: ``hxxps://evil[.]az`` -> ``https://evil.az``."""
    out = text.strip()
    for pattern, repl in _REFANG:
        out = pattern.sub(repl, out)
    return out


@dataclass(frozen=True, slots=True)
class Domain:
    """A host name split by the public suffix list.

    ``host`` is ASCII (punycode); ``unicode`` its display form. ``registered`` is the
    registrable domain (``kapitalbank.az``), ``label`` its first label (``kapitalbank``),
    ``suffix`` the public suffix and ``subdomain`` what comes before ``registered``.
    ``private_suffix`` is true when the suffix is a hosting platform (``github.io``).
    """

    host: str
    unicode: str
    registered: str
    label: str
    suffix: str
    subdomain: str
    private_suffix: bool
    is_ip: bool = False

    def __str__(self) -> str:
        return self.host


def _to_ascii_host(host: str, field: str) -> tuple[str, str]:
    host = host.strip().rstrip(".").lower()
    if not host:
        raise DomainError("empty host", field=field, value=host)
    if host.isascii():
        ascii_host = host
    else:
        try:
            ascii_host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError as exc:
            raise DomainError(
                f"invalid internationalised name ({exc})", field=field, value=host
            ) from None
    try:
        unicode_host = idna.decode(ascii_host) if "xn--" in ascii_host else ascii_host
    except idna.IDNAError as exc:
        raise DomainError(f"invalid punycode ({exc})", field=field, value=host) from None
    return ascii_host, unicode_host


def parent_domains(host: str) -> list[str]:
    """``host`` and each domain above it, most specific first (``a.b.c``: ``a.b.c``,
    ``b.c``, ``c``); membership of any of them in a set of domains tells whether ``host`` is
    one of those domains or under one."""
    out = [host]
    dot = host.find(".")
    while dot >= 0:
        out.append(host[dot + 1 :])
        dot = host.find(".", dot + 1)
    return out


def split_domain(host: str, *, field: str = "domain") -> Domain:
    """Validate and split a host name (or IP literal) into its parts."""
    return _split_domain(host, field)


# Hosts repeat a lot in feeds and messages; the split is pure, so it is cached.
@lru_cache(maxsize=65_536)
def _split_domain(host: str, field: str) -> Domain:
    bare = host.strip().strip("[]")
    try:
        ip = ipaddress.ip_address(bare)
    except ValueError:
        ip = None
    if ip is not None:
        text = str(ip)
        return Domain(text, text, text, text, "", "", False, True)
    ascii_host, unicode_host = _to_ascii_host(host, field)
    # Hosts such as 2130706433, 0x7f.1 or 0177.0.0.1 are IPv4 literals to a browser.
    lenient = normalize_ip_literal(ascii_host)
    if lenient is not None:
        text = str(lenient)
        return Domain(text, text, text, text, "", "", False, True)
    if len(ascii_host) > 253:
        raise DomainError("name longer than 253 characters", field=field, value=ascii_host)
    labels = ascii_host.split(".")
    if any(not _LABEL.match(lbl) for lbl in labels):
        raise DomainError("not a valid host name", field=field, value=ascii_host)
    parts = _extractor()(ascii_host)
    registered = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else ascii_host
    return Domain(
        host=ascii_host,
        unicode=unicode_host,
        registered=registered,
        label=parts.domain or labels[0],
        suffix=parts.suffix,
        subdomain=parts.subdomain,
        private_suffix=bool(getattr(parts, "is_private", False)),
    )


def parse_domain(text: str, *, field: str = "domain") -> Domain:
    """Parse a bare domain (defanged input accepted); raise :class:`DomainError`."""
    cleaned = refang(text)
    if "/" in cleaned or "@" in cleaned or ":" in cleaned.strip("[]"):
        try:
            ip = ipaddress.ip_address(cleaned.strip("[]"))
        except ValueError:
            raise DomainError("expected a bare domain name", field=field, value=text) from None
        return split_domain(str(ip), field=field)
    return split_domain(cleaned, field=field)


@dataclass(frozen=True, slots=True)
class Url:
    """A URL in canonical form plus its parsed domain."""

    canonical: str
    scheme: str
    domain: Domain
    port: int | None
    path: str
    query: str
    fragment: str
    userinfo: str
    had_scheme: bool

    @property
    def host(self) -> str:
        return self.domain.host

    @property
    def display(self) -> str:
        """The URL with its host in Unicode, for people."""
        if self.domain.unicode == self.domain.host:
            return self.canonical
        return self.canonical.replace(self.domain.host, self.domain.unicode, 1)

    def __str__(self) -> str:
        return self.canonical


def _resolve_dots(path: str) -> str:
    if not path:
        return "/"
    trailing = path.endswith(("/", "/.", "/.."))
    resolved = posixpath.normpath(path) if path.startswith("/") else posixpath.normpath("/" + path)
    if resolved.startswith("//"):
        resolved = "/" + resolved.lstrip("/")
    if trailing and resolved != "/":
        resolved += "/"
    return resolved


def _split(text: str) -> tuple[SplitResult, bool]:
    had_scheme = bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text)) and "://" in text[:20]
    scheme_only = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", text)
    if scheme_only and not had_scheme:
        scheme = scheme_only.group(1).lower()
        if scheme in {"javascript", "data", "vbscript", "file", "blob", "about"}:
            raise UrlError(f"unsupported scheme {scheme!r}", field="url", value=text)
    candidate = text if had_scheme else "http://" + text.lstrip("/")
    try:
        return urlsplit(candidate), had_scheme
    except ValueError as exc:
        raise UrlError(f"cannot parse ({exc})", field="url", value=text) from None


def parse_url(text: str, *, field: str = "url") -> Url:
    """Parse and canonicalise a URL; raise :class:`UrlError` with a clear reason."""
    if not isinstance(text, str):
        raise UrlError("expected text", field=field)
    if len(text) > MAX_URL_LENGTH:
        raise UrlError(f"longer than {MAX_URL_LENGTH} characters", field=field, value=text)
    cleaned = refang(text)
    if not cleaned:
        raise UrlError("empty", field=field, value=text)
    if _CONTROL.search(cleaned):
        raise UrlError("contains control characters", field=field, value=text)
    if _SURROGATE.search(cleaned):
        raise UrlError("contains an invalid character (a lone surrogate)", field=field, value=text)
    if _SPACE.search(cleaned):
        raise UrlError("contains spaces", field=field, value=text)
    parts, had_scheme = _split(cleaned)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise UrlError(f"unsupported scheme {scheme!r}", field=field, value=text)
    netloc = parts.netloc
    userinfo = netloc.rpartition("@")[0]
    try:
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"bad host or port ({exc})", field=field, value=text) from None
    if not hostname:
        raise UrlError("no host", field=field, value=text)
    try:
        domain = split_domain(hostname, field=field)
    except DomainError as exc:
        raise UrlError(exc.reason, field=field, value=text) from None
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    host_text = f"[{domain.host}]" if ":" in domain.host else domain.host
    new_netloc = host_text if port is None else f"{host_text}:{port}"
    if userinfo:
        new_netloc = f"{userinfo}@{new_netloc}"
    path = _resolve_dots(parts.path)
    canonical = urlunsplit((scheme, new_netloc, path, parts.query, parts.fragment))
    return Url(
        canonical, scheme, domain, port, path, parts.query, parts.fragment, userinfo, had_scheme
    )
