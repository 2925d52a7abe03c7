"""The URL and domain detector: lookalike reasons plus the lexical model, in one verdict.

``analyze(url)`` parses the URL (bad input raises :class:`UrlError`), asks the lookalike
engine which brand the host imitates (host, subdomain, path), adds context (free hosting,
shortener, dynamic DNS, a well-known global service) and the model's probability, and builds
the verdict from those reasons. ``analyze_domain(domain)`` is the same without path and
model. A host the brand owns gets the ``brand.official`` reason and is never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import unquote

from qalxan.detect.url.lookalike import LookalikeEngine, Match
from qalxan.detect.url.model import UrlModel
from qalxan.domain.errors import DomainError, UrlError
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.url import (
    Domain,
    Url,
    parent_domains,
    parse_domain,
    parse_url,
    split_domain,
)
from qalxan.domain.verdict import Indicator, Reason, Thresholds, Verdict

__all__ = ["HostingLists", "UrlDetector"]


@dataclass(frozen=True)
class HostingLists:
    """Registered domains that are context, not verdicts."""

    shorteners: frozenset[str] = frozenset()
    free_hosting: frozenset[str] = frozenset()
    dynamic_dns: frozenset[str] = frozenset()
    social: frozenset[str] = frozenset()
    well_known: frozenset[str] = frozenset()  # data/url/well_known.yaml

    @classmethod
    def from_mapping(
        cls, doc: Mapping[str, Iterable[str]], well_known: Iterable[str] = ()
    ) -> HostingLists:
        def norm(names: Iterable[str]) -> frozenset[str]:
            return frozenset(str(d).lower().strip(".") for d in names)

        return cls(
            norm(doc.get("shorteners") or ()),
            norm(doc.get("free_hosting") or ()),
            norm(doc.get("dynamic_dns") or ()),
            norm(doc.get("social") or ()),
            norm(well_known),
        )

    def all(self) -> frozenset[str]:
        """Every listed registered domain."""
        return (
            self.shorteners | self.free_hosting | self.dynamic_dns | self.social | self.well_known
        )

    def kind_of(self, domain: Domain) -> str | None:
        """``shortener``, ``free_hosting``, ``dynamic_dns``, ``social``, ``well_known`` or
        ``None`` (the first list that holds the host or a domain above it)."""
        lists = (
            ("shortener", self.shorteners),
            ("free_hosting", self.free_hosting),
            ("dynamic_dns", self.dynamic_dns),
            ("social", self.social),
            ("well_known", self.well_known),
        )
        parents = parent_domains(domain.host)
        for kind, names in lists:
            if not names.isdisjoint(parents):
                return kind
        if domain.private_suffix and not self.free_hosting.isdisjoint(
            parent_domains(domain.suffix)
        ):
            return "free_hosting"
        return None


_CONTEXT_CODES = {
    "shortener": "context.shortener",
    "free_hosting": "context.free_hosting",
    "dynamic_dns": "context.dynamic_dns",
    "well_known": "context.well_known",
}
# A link inside an address: with a scheme, protocol-relative, starting "www." or behind an
# AMP cache prefix (google.com/amp/s/host/...).
_EMBEDDED = re.compile(
    r"(?P<link>(?:https?:)?//(?P<h1>[a-z0-9.-]+\.[a-z]{2,})[^\s&#\"'<>]*"
    r"|\bwww\.(?P<h2>[a-z0-9.-]+\.[a-z]{2,})[^\s&#\"'<>]*)"
    r"|^/amp/(?:s/)?(?P<h3>[a-z0-9.-]+\.[a-z]{2,})(?P<rest>/[^\s#]*)?",
    re.IGNORECASE,
)
_MAX_TARGETS = 3  # embedded links judged per address


class UrlDetector:
    """Judges URLs (kind ``url``) and bare domains (kind ``domain``)."""

    kind: ClassVar[str] = "url"

    def __init__(
        self,
        *,
        lookalike: LookalikeEngine,
        reasons: ReasonCatalog,
        hosting: HostingLists,
        model: UrlModel | None = None,
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        self.lookalike = lookalike
        self.reasons = reasons
        self.hosting = hosting
        self.model = model
        self.thresholds = thresholds

    # -- public API ------------------------------------------------------------------------

    def analyze(self, item: Any) -> Verdict:
        """Verdict on one URL; raise :class:`UrlError` when it cannot be parsed. A link that
        the address carries to another site (an open redirect, an AMP page) is judged too:
        when it is not benign, the reason ``redirect.target`` carries its score."""
        return self._analyze(item, unwrap=True)

    def _analyze(self, item: Any, *, unwrap: bool) -> Verdict:
        text = _as_text(item, "url")
        url = parse_url(text)
        reasons, brand, matches = self._host_reasons(url.domain)
        if url.userinfo and brand is None:
            # https://kapitalbank.az@evil.ru/: the part before @ reads as the site's name
            hits = self.lookalike.userinfo_matches(unquote(url.userinfo))
            reasons += [self._match_reason(m) for m in hits]
            matches = matches + hits
        context = self.hosting.kind_of(url.domain)
        away = self._away_links(url) if brand is None else []
        if brand is None and context != "shortener":
            path_hits = self.lookalike.path_matches(
                self._path_text(url, away),
                url.domain,
                account=context == "social",
                service=context == "well_known",
                hosted=context == "free_hosting",
            )
            reasons += [self._path_reason(m) for m in path_hits]
            matches = matches + [m for m in path_hits if m.technique != "mention"]
        if self.model is not None and brand is None:
            capped = context in ("shortener", "social") or (context == "well_known" and not away)
            reasons.append(self._model_reason(url, capped=capped))
        target_brand: str | None = None
        for link, _ in away[:_MAX_TARGETS] if unwrap else ():
            try:
                target = self._analyze(link, unwrap=False)
            except UrlError:
                continue
            if target.verdict == "benign":
                continue
            weight = self._target_weight(target, reasons)
            reasons.append(
                self.reasons.reason(
                    "redirect.target", weight, link[:300], where="url", detail=target.verdict
                )
            )
            target_brand = target_brand or target.brand
        verdict = self._verdict("url", text, url.canonical, url.domain, reasons, matches, brand)
        if verdict.brand is None and target_brand is not None and verdict.verdict != "benign":
            return replace(verdict, brand=target_brand)
        return verdict

    @staticmethod
    def _target_weight(target: Verdict, reasons: Sequence[Reason]) -> float:
        """The weight of ``redirect.target``: the carried link's score. When only the model
        (and hosting context) finds the link suspicious, the model has judged two views of
        one string (the address's own score reads the link's characters too), and the
        model alone must never make an address malicious: the reason then lifts the
        address's model weight to the link's, no further (noisy-OR of the two is the
        larger)."""
        if any(r.weight > 0 and not _model_or_context(r.code) for r in target.reasons):
            return target.score
        own = max((r.weight for r in reasons if r.code == "model.url"), default=0.0)
        link = max((r.weight for r in target.reasons if r.code == "model.url"), default=0.0)
        if link <= own:
            return 0.0
        return round(1.0 - (1.0 - link) / (1.0 - own), 6)

    def analyze_domain(self, item: Any) -> Verdict:
        """Verdict on one bare domain: which brand it imitates and how (reverse mode)."""
        text = _as_text(item, "domain")
        domain = parse_domain(text)
        reasons, brand, matches = self._host_reasons(domain)
        return self._verdict("domain", text, domain.host, domain, reasons, matches, brand)

    def analyze_many(self, items: Sequence[str]) -> list[Verdict | UrlError]:
        """Verdicts of many URLs, with the error in place of each bad one (order kept)."""
        out: list[Verdict | UrlError] = []
        for item in items:
            try:
                out.append(self.analyze(item))
            except UrlError as exc:
                out.append(exc)
        return out

    def screen(self, hosts: Sequence[str]) -> list[tuple[str, list[Match]]]:
        """Batch lookalike screening of host names (see :meth:`LookalikeEngine.screen`)."""
        return self.lookalike.screen(hosts)

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        return [
            "https://kapitalbank.az/",
            "http://kapitalbank-login.com/az",
            "bit.ly/3abcd",
            "",
            "javascript:alert(1)",
        ]

    # -- internals -------------------------------------------------------------------------

    def _host_reasons(self, domain: Domain) -> tuple[list[Reason], str | None, list[Match]]:
        """Reasons about the host; the brand set only when the host is official."""
        owner = self.lookalike.owner(domain.host) if not domain.is_ip else None
        if owner is not None:
            brand = self.lookalike.brands.get(owner)
            name = brand.name if brand is not None else owner
            w = self.lookalike.config.weight("official")
            reason = self.reasons.reason("brand.official", w, domain.host, where="host", brand=name)
            return [reason], owner, []
        matches = self.lookalike.imitations(domain)
        reasons = [self._match_reason(m) for m in matches]
        context = self.hosting.kind_of(domain)
        if context in _CONTEXT_CODES:
            weight = self.lookalike.config.weight(context)
            reasons.append(
                self.reasons.reason(
                    _CONTEXT_CODES[context], weight, domain.registered, where="host"
                )
            )
        return reasons, None, matches

    def _match_reason(self, match: Match) -> Reason:
        brand = self.lookalike.brands.get(match.brand)
        return self.reasons.reason(
            f"lookalike.{match.technique}",
            match.weight,
            match.evidence,
            where=match.where,
            brand=brand.name if brand is not None else match.brand,
            official=match.official,
            detail=match.detail,
        )

    def _path_reason(self, match: Match) -> Reason:
        """A brand in the path: an imitation, or a mere mention (context, no brand claim)."""
        if match.technique != "mention":
            return self._match_reason(match)
        brand = self.lookalike.brands.get(match.brand)
        return self.reasons.reason(
            "context.brand_mention",
            match.weight,
            match.evidence,
            where="path",
            brand=brand.name if brand is not None else match.brand,
            official=match.official,
        )

    def _path_text(self, url: Url, away: Sequence[tuple[str, str]]) -> str:
        """Path, query and fragment as searched for brand names. A link to a brand's own
        site (the tracking redirect of its newsletter) names the brand without imitating
        it: such links are cut out (of the decoded text, only when there are some)."""
        text = _path_text(url)
        official = {host for _, host in away if self.lookalike.owner(host) is not None}
        if not official:
            # Decoded, so that a brand written with escaped letters (/%61zerpost/) is seen.
            return unquote(unquote(text))

        def cut(m: re.Match[str]) -> str:
            host = (m.group("h1") or m.group("h2") or m.group("h3") or "").lower().strip(".")
            return " " if host in official else m.group(0)

        def cut_link(m: re.Match[str]) -> str:
            # In the path itself only a link with its scheme (/go/https://www.site.az/, which
            # the canonical path writes https:/www...) or an AMP prefix is one; a folder
            # named like the brand's site (/www.kapitalbank.az/login) is a kit's.
            linked = m.string[: m.start()].lower().endswith((":/", ":"))
            return m.group(0) if m.group("h2") and not linked else cut(m)

        path, mark, rest = text.partition("?")
        return (
            _EMBEDDED.sub(cut_link, unquote(unquote(path)))
            + mark
            + _EMBEDDED.sub(cut, unquote(unquote(rest)))
        )

    def _away_links(self, url: Url) -> list[tuple[str, str]]:
        """The links, with their hosts, that the path, query or fragment carries to another
        site (an open redirect, ``google.com/url?q=https://...``, an AMP page of another
        site) or to user content (``...?continue=https://storage.cloud.google.com/...``).
        One to the same registered domain or to a well-known service does not count
        (``accounts.google.com/...?continue=https://mail.google.com/``)."""
        out: list[tuple[str, str]] = []
        for part in (unquote(unquote(url.path)), unquote(unquote(f"{url.query}#{url.fragment}"))):
            for m in _EMBEDDED.finditer(part):
                host = (m.group("h1") or m.group("h2") or m.group("h3")).lower().strip(".")
                raw = m.group("link") or ""
                if m.group("h3"):
                    link = f"https://{m.group('h3')}{m.group('rest') or '/'}"
                elif raw.startswith("//"):
                    link = "https:" + raw
                elif raw[:4].lower() == "http":
                    link = raw
                else:
                    link = "http://" + raw
                if self._leads_away(host, url.domain.registered):
                    out.append((link, host))
        return out

    def _leads_away(self, host: str, registered: str) -> bool:
        try:
            target = split_domain(host)
        except DomainError:
            return True
        if self.hosting.kind_of(target) not in (None, "well_known"):
            return True  # user content, a shortener, dynamic DNS, an account
        return target.registered != registered and target.registered not in self.hosting.well_known

    def _model_reason(self, url: Url, *, capped: bool) -> Reason:
        """The model's probability as a reason; on a shortener it may rank but never flag."""
        assert self.model is not None
        p = self.model.score(url.canonical)
        weight = round(p * self.lookalike.config.weight("model_weight"), 6)
        if capped:
            weight = min(weight, self.lookalike.config.weight("shortener_model_cap"))
        return self.reasons.reason("model.url", weight, f"{p:.3f}", where="url")

    def _verdict(
        self,
        kind: str,
        text: str,
        canonical: str,
        domain: Domain,
        reasons: list[Reason],
        matches: list[Match],
        owner: str | None,
    ) -> Verdict:
        indicators = [Indicator(kind, canonical)] if kind == "url" else []
        indicators.append(Indicator("ip" if domain.is_ip else "domain", domain.host))
        brand = owner
        if matches:
            brand = max(matches, key=lambda m: m.weight).brand
        extra: dict[str, Any] = {
            "canonical": canonical,
            "imitates": [m.to_dict() for m in matches],
        }
        if owner is not None:
            extra["official"] = True
        return Verdict.from_reasons(
            kind,
            text,
            reasons,
            indicators=indicators,
            brand=brand,
            extra=extra,
            thresholds=self.thresholds,
        )


def _model_or_context(code: str) -> bool:
    return code == "model.url" or code.startswith("context.")


def _as_text(item: Any, field: str) -> str:
    error = UrlError if field == "url" else DomainError
    if not isinstance(item, str):
        raise error("expected text", field=field)
    if not item.strip():
        raise error("empty", field=field, value=item)
    return item


def _path_text(url: Url) -> str:
    parts = [url.path]
    if url.query:
        parts.append(url.query)
    if url.fragment:
        parts.append(url.fragment)
    return "?".join(parts)
