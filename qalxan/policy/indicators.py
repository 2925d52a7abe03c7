"""Campaign keys: the indicators a report joins on, normalised so that equal things compare equal.

Keys come from two places: the indicators of the detectors' verdicts, and this module's own
parsing of the report's fields (URL, phone, sender, text, e-mail). Kinds:

``url`` (canonical URL), ``host``, ``domain`` (registered domain), ``phone`` (E.164),
``iban``, ``card`` (keyed hash only; the masked number is shown), ``sender_id``, ``handle``
(``telegram:name``), ``email``, ``fingerprint`` (a page fingerprint from the page detector).

Things everybody shares never join: brand-owned domains, numbers and sender IDs (a spoofed
official sender would glue every report that names the bank together) and the shared domains
of ``data/reports/shared_domains.yaml`` (shorteners, messengers, mail providers).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from stdnum import iban as stdnum_iban

from qalxan.domain.brands import BrandRegistry
from qalxan.domain.card import luhn_valid, parse_card
from qalxan.domain.errors import CardError, ParseError
from qalxan.domain.phone import parse_phone
from qalxan.domain.url import parse_url, split_domain
from qalxan.domain.verdict import Indicator

__all__ = ["JOIN_KINDS", "CampaignKey", "KeyPolicy", "card_hash"]

JOIN_KINDS: frozenset[str] = frozenset(
    {
        "url",
        "host",
        "domain",
        "phone",
        "iban",
        "card",
        "sender_id",
        "handle",
        "email",
        "fingerprint",
    }
)
MAX_VALUE = 500

_URL_IN_TEXT = re.compile(
    r"(?:(?:https?|hxxps?)://|www\.)[^\s<>\"']+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:[a-z]{2,12})/[^\s<>\"']*",
    re.I,
)
_BARE_DOMAIN = re.compile(r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,12}\b", re.I)
_PHONE_IN_TEXT = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().-]{6,17}\d(?!\w)")
_CARD_IN_TEXT = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IBAN_IN_TEXT = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
_HANDLE_IN_TEXT = re.compile(r"(?<![\w.@/])@([A-Za-z][A-Za-z0-9_]{4,31})\b")
_TME = re.compile(r"^(?:t\.me|telegram\.me)$")
_EMAIL_IN_TEXT = re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")


def card_hash(pan: str, key: bytes) -> str:
    """Keyed hash of a card number, as :func:`qalxan.domain.card.parse_card` computes it."""
    return parse_card(pan, key).hash


@dataclass(frozen=True, slots=True)
class CampaignKey:
    """One join key: ``kind`` and normalised ``value``, plus what to show people."""

    kind: str
    value: str
    display: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.value)


def _bounded(value: str) -> str:
    if len(value) <= MAX_VALUE:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


class KeyPolicy:
    """Turns report fields and verdict indicators into campaign keys."""

    def __init__(
        self, brands: BrandRegistry, shared_domains: Iterable[str], card_key: bytes
    ) -> None:
        self.brands = brands
        self.shared_domains = frozenset(d.lower() for d in shared_domains)
        self.card_key = card_key
        self._official_numbers = {n for b in brands for n in (*b.phones, *b.short_codes) if n} | {
            self._e164(n) for b in brands for n in b.phones
        }

    @staticmethod
    def _e164(text: str) -> str:
        try:
            return parse_phone(text).e164
        except ParseError:
            return text

    # -- single values ------------------------------------------------------------------------
    def _shared_host(self, host: str, registered: str) -> bool:
        return (
            host in self.shared_domains
            or registered in self.shared_domains
            or self.brands.owner_of_host(host) is not None
        )

    def from_url(self, text: str) -> Iterator[CampaignKey]:
        try:
            url = parse_url(text)
        except ParseError:
            return
        yield CampaignKey("url", _bounded(url.canonical), url.display[:MAX_VALUE])
        yield from self.from_host(url.host, unicode_host=url.domain.unicode)
        if _TME.match(url.host):
            name = url.path.strip("/").split("/")[0]
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{4,31}", name or ""):
                yield CampaignKey("handle", f"telegram:{name.lower()}", f"@{name}")
        if url.host == "wa.me":
            yield from self.from_phone(url.path.strip("/").split("/")[0])

    def from_host(
        self, host: str, *, unicode_host: str | None = None, need_suffix: bool = False
    ) -> Iterator[CampaignKey]:
        try:
            dom = split_domain(host)
        except ParseError:
            return
        if need_suffix and not dom.suffix:
            return  # "fayl.txt" in a sentence is not a domain; a URL's host is kept as is
        if dom.is_ip:
            yield CampaignKey("host", dom.host, dom.host)
            return
        if self._shared_host(dom.host, dom.registered):
            return
        yield CampaignKey("host", dom.host, unicode_host or dom.unicode)
        yield CampaignKey("domain", dom.registered, dom.registered)

    def from_phone(self, text: str) -> Iterator[CampaignKey]:
        try:
            phone = parse_phone(text)
        except ParseError:
            return
        if phone.e164 in self._official_numbers:
            return
        yield CampaignKey("phone", phone.e164, phone.e164)

    def from_sender(self, sender: str) -> Iterator[CampaignKey]:
        sender = sender.strip()
        if not sender or self.brands.by_sender(sender) is not None:
            return
        if re.fullmatch(r"[+\d\s()-]{7,}", sender):
            yield from self.from_phone(sender)
            return
        yield CampaignKey("sender_id", sender.lower()[:64], sender[:64])

    def from_card(self, digits: str) -> Iterator[CampaignKey]:
        pan = re.sub(r"\D", "", digits)
        if not 13 <= len(pan) <= 19:
            return
        try:
            card = parse_card(pan, self.card_key)  # Luhn check, mask and keyed hash
        except CardError:
            return
        yield CampaignKey("card", card.hash, card.masked)

    def from_iban(self, text: str) -> Iterator[CampaignKey]:
        compact = stdnum_iban.compact(text)
        if stdnum_iban.is_valid(compact):
            yield CampaignKey("iban", compact, stdnum_iban.format(compact))

    # -- whole inputs -------------------------------------------------------------------------
    def from_text(self, text: str) -> Iterator[CampaignKey]:
        """Indicators found in free text: links, numbers, cards, IBANs, handles, e-mails."""
        for match in _URL_IN_TEXT.finditer(text):
            yield from self.from_url(match.group(0).rstrip(".,;:!?)"))
        for match in _BARE_DOMAIN.finditer(text):
            if "@" not in text[max(0, match.start() - 1) : match.start()]:
                yield from self.from_host(match.group(0), need_suffix=True)
        for match in _IBAN_IN_TEXT.finditer(text):
            yield from self.from_iban(match.group(0))
        for match in _CARD_IN_TEXT.finditer(text):
            yield from self.from_card(match.group(0))
        for match in _PHONE_IN_TEXT.finditer(text):
            digits = re.sub(r"\D", "", match.group(0))
            is_card = len(digits) >= 13 and luhn_valid(digits)
            if 9 <= len(digits) <= 15 and not is_card:
                yield from self.from_phone(match.group(0))
        for match in _HANDLE_IN_TEXT.finditer(text):
            yield CampaignKey("handle", f"telegram:{match.group(1).lower()}", match.group(0))
        for match in _EMAIL_IN_TEXT.finditer(text):
            yield CampaignKey("email", match.group(0).lower(), match.group(0))

    def from_indicator(self, ind: Indicator) -> Iterator[CampaignKey]:
        """Keys of a detector's indicator (cards join on their keyed hash)."""
        kind, value = ind.kind, ind.value
        if kind == "url":
            yield from self.from_url(value)
        elif kind in ("domain", "host"):
            yield from self.from_host(value)
        elif kind == "phone":
            yield from self.from_phone(value)
        elif kind == "card":
            digest = ind.attrs.get("hash")
            if digest:
                yield CampaignKey("card", digest, value)
        elif kind == "iban":
            yield from self.from_iban(value)
        elif kind == "sender_id":
            yield from self.from_sender(value)
        elif kind in ("handle", "email", "fingerprint"):
            norm = value.strip().lower()
            if kind == "handle" and ":" not in norm:
                norm = "telegram:" + norm.lstrip("@")
            if norm:
                yield CampaignKey(kind, _bounded(norm), value[:MAX_VALUE])

    def keys(
        self,
        fields: Mapping[str, str | None],
        indicators: Iterable[Indicator] = (),
        links: Iterable[str] = (),
    ) -> list[CampaignKey]:
        """All distinct keys of a report, in a stable order."""
        found: list[CampaignKey] = []
        if fields.get("url"):
            found.extend(self.from_url(str(fields["url"])))
        if fields.get("phone"):
            found.extend(self.from_phone(str(fields["phone"])))
        if fields.get("sender"):
            found.extend(self.from_sender(str(fields["sender"])))
        for name in ("text", "description"):
            if fields.get(name):
                found.extend(self.from_text(str(fields[name])))
        if fields.get("from_addr"):
            found.extend(self.from_text(str(fields["from_addr"])))
        for link in links:
            found.extend(self.from_url(link))
        for ind in indicators:
            found.extend(self.from_indicator(ind))
        unique: dict[tuple[str, str], CampaignKey] = {}
        for key in found:
            if key.kind in JOIN_KINDS:
                unique.setdefault(key.key, key)
        return sorted(unique.values(), key=lambda k: k.key)
