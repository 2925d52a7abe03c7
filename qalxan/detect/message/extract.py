"""Indicator extraction from a message, each with its character span in the original text.

Order matters: card numbers and IBANs are found first so that their digits are not read again
as phone numbers; URLs before bare domains and handles. Everything here reads the original
text (spans must point at what the person wrote); folding is for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from stdnum import iban as stdnum_iban

from qalxan.detect.message.cards import CardMatch, card_hash, luhn_ok, mask_card_text
from qalxan.domain.errors import ParseError
from qalxan.domain.phone import Phone, parse_phone
from qalxan.domain.url import parse_url

__all__ = ["Extracted", "Feature", "extract"]

# Patterns that start with a lookbehind are tried at every position; these consume their
# first character before the lookbehind (the same matches: tests/message/test_extract.py),
# so the regex engine skips ahead to the characters they can start with.
_CARD = re.compile(r"\d(?<![\d*]\d)(?:[ \-]?\d){12,18}(?![\d*])")
_IBAN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]){11,30}\b")
_URL = re.compile(
    r"(?:\b(?:h(?:tt|xx|XX)ps?|ftp)(?::|\[:\])//|\bwww(?:\.|\[\.\]))[^\s<>\"'«»]+", re.IGNORECASE
)
_DOT = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))"
_BARE = re.compile(
    rf"(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?{_DOT})+[a-z]{{2,24}}\b"
    r"(?:/[^\s<>\"'«»]*)?",
    re.IGNORECASE,
)
# A necessary condition of _BARE (the same IGNORECASE letters after each dot form).
_BARE_GATE = re.compile(r"[.\])][a-z]{2}", re.IGNORECASE)
_HANDLE_LINK = re.compile(
    r"\b(?:https?://)?(?:wa\.me|api\.whatsapp\.com/send\?phone=|t\.me|telegram\.me)/"
    r"(?:\+|joinchat/)?[\w+\-]+",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w.@])@([a-z][a-z0-9_]{3,31})\b", re.IGNORECASE)
# After its first character, a prefix (+, 00 or a bracket) or none, in the order the pattern
# as first written tries them (tests/message/test_extract.py).
_PHONE = re.compile(
    r"[+(\d](?<![\w+*(][+(\d])"
    r"(?:(?<=[+(])\d[\d ().\-]{5,18}\d|(?<=0)0\d[\d ().\-]{5,18}\d|(?<=\d)[\d ().\-]{5,18}\d)"
    r"(?![\d*])"
)
_SHORT = re.compile(r"(\d(?<![\d+*.,]\d)\d{2,4})(?:-?(?:y?[əaeа]|ya|yə|u|ü|a))?(?![\d.,]\d|\d)")
_SHORT_CONTEXT = re.compile(
    r"(z[əae]ng|g[öo]nd[əae]r|sms|call|text|send|dial|reply|zvon|звон|отправ|смс|nömr|nomr)",
    re.IGNORECASE,
)
_CUR = r"(?:azn|manat|man\.|₼|usd|eur|rub|руб(?:\.|лей|ля)?|доллар\w*|евро|dollars?|\$|€|£|tl|lira)"
_AMOUNT = re.compile(
    rf"(?:(?<![\w.,])(\d{{1,3}}(?:[ ,.]\d{{3}})*(?:[.,]\d{{1,2}})?|\d+(?:[.,]\d{{1,2}})?)\s?{_CUR}"
    rf"|(?:₼|\$|€|£)\s?(\d+(?:[.,]\d{{1,2}})?))(?![\w])",
    re.IGNORECASE,
)
# _AMOUNT's first branch alone, its first digit before the lookbehind: the same matches in
# a text without a currency sign, where the second branch cannot match (tested).
_AMOUNT_NUMBER = re.compile(
    rf"(\d(?<![\w.,]\d)(?:\d{{0,2}}(?:[ ,.]\d{{3}})*(?:[.,]\d{{1,2}})?|\d*(?:[.,]\d{{1,2}})?))"
    rf"\s?{_CUR}(?![\w])",
    re.IGNORECASE,
)
_SIGNS = ("₼", "$", "€", "£")
_SPACE = re.compile(r"\s")
_NON_SPACE = re.compile(r"\S*")
_TRIM = ".,;:!?)]}'\"»>"
_ANY_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Feature:
    """One extracted indicator: kind, canonical value, span in the original text, details."""

    kind: str
    value: str
    span: tuple[int, int]
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Extracted:
    """All indicators of one message, and the text with card numbers masked."""

    features: tuple[Feature, ...]
    cards: tuple[CardMatch, ...]
    redacted: str

    def of(self, kind: str) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if f.kind == kind)


@lru_cache(maxsize=65_536)
def _phone(raw: str) -> Phone | None:
    # parse_phone is pure but slow (libphonenumber walks every region sharing a country
    # code); scam campaigns repeat the same numbers, so a bounded memo pays off.
    try:
        return parse_phone(raw)
    except ParseError:
        return None


@lru_cache(maxsize=65_536)
def _url(raw: str) -> tuple[str, str, str] | None:
    """(canonical URL, host, registered domain) of a link candidate, or None when it is not
    a usable link. parse_url is pure and campaigns repeat their links: memoised."""
    try:
        url = parse_url(raw)
    except ParseError:
        return None
    if not url.domain.is_ip and not url.domain.suffix:
        return None
    return url.canonical, url.host, url.domain.registered


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(span[1] <= a or span[0] >= b for a, b in taken)


def _cards(text: str, key: bytes, taken: list[tuple[int, int]], pos: int = 0) -> list[CardMatch]:
    out: list[CardMatch] = []
    for m in _CARD.finditer(text, pos):
        digits = re.sub(r"\D", "", m.group())
        if luhn_ok(digits) and not digits.startswith("994"):
            out.append(
                CardMatch(m.span(), mask_card_text(m.group()), card_hash(digits, key), len(digits))
            )
            taken.append(m.span())
    return out


def _ibans(text: str, taken: list[tuple[int, int]], pos: int = 0) -> list[Feature]:
    out: list[Feature] = []
    for m in _IBAN.finditer(text, pos):
        compact = m.group().replace(" ", "")
        if stdnum_iban.is_valid(compact) and _free(m.span(), taken):
            out.append(Feature("iban", compact, m.span(), {"country": compact[:2]}))
            taken.append(m.span())
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _urls(text: str, taken: list[tuple[int, int]]) -> list[Feature]:
    out: list[Feature] = []
    # Every messenger link has ".me" or "whatsapp" (casefold also folds what the
    # IGNORECASE match treats as the same letter, such as "ſ").
    low = text.casefold()
    links = _HANDLE_LINK.finditer(text) if ".me" in low or "whatsapp" in low else ()
    for m in links:
        span = _trimmed(text, *m.span())
        raw = text[span[0] : span[1]]
        raw_low = raw.lower()
        platform = "whatsapp" if "wa.me" in raw_low or "whatsapp" in raw_low else "telegram"
        out.append(Feature("handle", raw, span, {"platform": platform}))
        taken.append(span)
    # A link with a scheme has "//", one without it "www"; a bare domain lies in a run of
    # non-space characters with a dot form and two letters of its suffix.
    found = list(_URL.finditer(text)) if "//" in text or "www" in low else []
    for a, b in _bare_windows(text):
        found += _BARE.finditer(text, a, b)
    for m in found:
        span = _trimmed(text, *m.span())
        if not _free(span, taken):
            continue
        parsed = _url(text[span[0] : span[1]])
        if parsed is None:
            continue
        canonical, host, registered = parsed
        out.append(Feature("url", canonical, span, {"host": host, "registered": registered}))
        taken.append(span)
    return out


def _handles(text: str, taken: list[tuple[int, int]]) -> list[Feature]:
    out: list[Feature] = []
    for m in _HANDLE.finditer(text):
        if _free(m.span(), taken):
            out.append(Feature("handle", "@" + m.group(1).lower(), m.span(), {"platform": "any"}))
            taken.append(m.span())
    return out


def _bare_windows(text: str) -> list[tuple[int, int]]:
    """The runs of non-space characters that hold a _BARE_GATE hit, in order. A _BARE match
    holds no space and holds a hit, so it lies in one; scanning a run from its start gives
    the matches a scan of the whole text gives there (lookbehinds see before ``pos``)."""
    out: list[tuple[int, int]] = []
    for m in _BARE_GATE.finditer(text):
        hit = m.start()
        if out and hit < out[-1][1]:
            continue
        a = text.rfind(" ", 0, hit) + 1
        while (space := _SPACE.search(text, a, hit)) is not None:  # a tab, a newline...
            a = space.end()
        run = _NON_SPACE.match(text, hit)
        out.append((a, run.end() if run is not None else hit))
    return out


def _phones(text: str, taken: list[tuple[int, int]], pos: int = 0) -> list[Feature]:
    out: list[Feature] = []
    for m in _PHONE.finditer(text, pos):
        span = _trimmed(text, *m.span())
        if not _free(span, taken):
            continue
        phone = _phone(text[span[0] : span[1]])
        if phone is None or phone.is_short_code:
            continue
        attrs = {"type": phone.kind, "country": phone.country or ""}
        if phone.operator_hint:
            attrs["operator_hint"] = phone.operator_hint
        out.append(Feature("phone", phone.e164, span, attrs))
        taken.append(span)
    for m in _SHORT.finditer(text, pos):
        span = m.span(1)
        if not _free(span, taken):
            continue
        window = text[max(0, span[0] - 40) : span[1] + 25]
        if _SHORT_CONTEXT.search(window):
            out.append(Feature("short_code", m.group(1), span, {}))
            taken.append(span)
    return out


def _amounts(text: str, taken: list[tuple[int, int]], pos: int = 0) -> list[Feature]:
    out: list[Feature] = []
    for m in _amount_matches(text, pos):
        span = m.span()
        if not _free(span, taken):
            continue
        number = next((g for g in m.groups() if g), "")
        cur = _currency(text[span[0] : span[1]])
        out.append(Feature("amount", f"{number.replace(' ', '')} {cur}", span, {"currency": cur}))
        taken.append(span)
    return out


def _amount_matches(text: str, pos: int = 0) -> Iterator[re.Match[str]]:
    """The matches of _AMOUNT from ``pos`` on."""
    if not any(sign in text for sign in _SIGNS):
        return _AMOUNT_NUMBER.finditer(text, pos)
    return _AMOUNT.finditer(text, pos)


@lru_cache(maxsize=4096)
def _currency(raw: str) -> str:
    low = raw.lower()
    for keys, code in (
        (("azn", "man", "₼"), "AZN"),
        (("usd", "$", "dollar", "доллар"), "USD"),
        (("eur", "€", "евро"), "EUR"),
        (("rub", "руб"), "RUB"),
        (("£",), "GBP"),
        (("tl", "lira"), "TRY"),
    ):
        if any(k in low for k in keys):
            return code
    return "?"


def extract(text: str, key: bytes) -> Extracted:
    """Find cards, IBANs, URLs, handles, phone numbers, short codes and amounts in ``text``.

    Cards, IBANs, phone numbers, short codes and amounts all need a digit, handles an ``@``:
    a text without them skips those scans (the result is the same, sooner). Those scans
    start two characters before the first digit: none of their matches starts earlier."""
    taken: list[tuple[int, int]] = []
    first = _ANY_DIGIT.search(text)
    digits = first is not None
    pos = max(0, first.start() - 2) if first is not None else 0
    cards = _cards(text, key, taken, pos) if digits else []
    features: list[Feature] = [
        Feature("card", c.masked, c.span, {"hash": c.hash, "length": str(c.length)}) for c in cards
    ]
    if digits:
        features += _ibans(text, taken, pos)
    features += _urls(text, taken)
    if "@" in text:
        features += _handles(text, taken)
    if digits:
        features += _amounts(text, taken, pos)
        features += _phones(text, taken, pos)
    redacted = text
    for c in cards:
        redacted = redacted[: c.span[0]] + c.masked + redacted[c.span[1] :]
    features.sort(key=lambda f: f.span)
    return Extracted(tuple(features), tuple(cards), redacted)
