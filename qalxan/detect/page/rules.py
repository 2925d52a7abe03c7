"""Rules: page features (plus the page's address and the brand registry) -> reasons."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from ahocorasick_rs import AhoCorasick

from qalxan.detect.page.features import PageFeatures, host_of
from qalxan.detect.page.lexicon import PageLexicon, fold, without_offers
from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.errors import DomainError
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.url import split_domain
from qalxan.domain.verdict import Indicator, Reason

__all__ = ["BrandIndex", "Findings", "judge"]

_URL_IN_SCRIPT = re.compile(r"https?://[^\s\"'`<>()\\]+", re.I)
_EXFIL_HINTS = ("telegram", "wa.me", "whatsapp", "webhook", "t.me/", "discord")
# A script call that sends data to a literal absolute address: fetch, sendBeacon, an XHR
# open, a WebSocket, jQuery's and axios' post/get/ajax.
# (A literal address is found first, then the call right before it: faster than one
# pattern, which would be tried at every character of the scripts.)
_URL_LITERAL = re.compile(r"['\"`]((?:https?:|wss?:)?//[^'\"`\s]+)")
_SEND_CALL = re.compile(
    r"(?:\bfetch|\bsendBeacon|\.open\(\s*['\"][A-Za-z]{3,6}['\"]\s*,|new\s+WebSocket"
    r"|\$\.(?:post|ajax|get)|\baxios\.(?:post|get))\s*\(?\s*$"
)
_DECODERS = ("eval", "atob", "unescape")


@dataclass(frozen=True)
class _BrandEntry:
    brand: Brand
    group: str  # its named group in BrandIndex.pattern
    assets: tuple[str, ...]  # tokens that name the brand in asset URLs and alt texts


class BrandIndex:
    """Brand names and asset tokens compiled once for a registry."""

    def __init__(self, brands: BrandRegistry) -> None:
        self.registry = brands
        self.entries: list[_BrandEntry] = []
        groups: list[str] = []
        self._names: list[str] = []  # every name, for the substring prefilter
        self._name_group: list[int] = []  # the group of each name
        for i, brand in enumerate(brands):
            names = {fold(n) for ns in brand.names.values() for n in ns if len(n) >= 3}
            names |= {fold(k) for k in brand.keywords if len(k) >= 6}
            names |= {fold(d) for d in brand.domains}
            ordered = sorted(names, key=len, reverse=True)
            alts = "|".join(re.escape(n) for n in ordered)
            assets = {k for k in brand.keywords if len(k) >= 5}
            assets |= {d.split(".")[0] for d in brand.domains if len(d.split(".")[0]) >= 5}
            groups.append(f"(?P<b{i}>{alts})")
            self.entries.append(_BrandEntry(brand, f"b{i}", tuple(assets)))
            self._names += [n for n in ordered if n]
            self._name_group += [i for n in ordered if n]
        self._groups = groups
        # Which brands' asset tokens occur in an image or icon text (one pass for all).
        tokens = sorted({a for e in self.entries for a in e.assets})
        self._asset_brands = [  # the entries of each token, by the token's index
            {i for i, e in enumerate(self.entries) if a in e.assets} for a in tokens
        ]
        self._assets_ac = AhoCorasick(tokens) if tokens else None
        # One pass over the text finds every brand's names.
        self.pattern = self._compile(tuple(range(len(groups))))
        self._any = AhoCorasick(self._names) if self._names else None
        self._subset = lru_cache(maxsize=256)(self._compile)

    def _compile(self, wanted: tuple[int, ...]) -> re.Pattern[str]:
        """The pattern over the groups ``wanted`` only (group names kept)."""
        alts = "|".join(self._groups[i] for i in wanted) or "(?!x)x"
        return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")

    def hits(self, text: str) -> Counter[str]:
        """Mentions per brand group in ``text``. A group none of whose names occurs in the
        text as a substring cannot match, so the pattern runs over the others only (found
        by one Aho-Corasick pass): the same matches, and most pages name no brand at all."""
        if self._any is None:
            return Counter()
        found = self._any.find_matches_as_indexes(text, overlapping=True)
        if not found:
            return Counter()
        wanted = tuple(sorted({self._name_group[k] for k, _, _ in found}))
        return Counter(m.lastgroup or "" for m in self._subset(wanted).finditer(text))

    def shown(self, assets: _Assets, said: _Mentions) -> list[_BrandEntry]:
        """The entries, in index order, that may get brand points on this page: named in the
        title, text or headings, owning an image, style sheet or icon host, or named by an
        asset token in an image or icon text. Every other entry gets 0 points."""
        groups = set(said.title) | set(said.text) | set(said.headings)
        owners = set().union(*assets.owners.values(), assets.logo_owners)
        named: set[int] = set()
        if self._assets_ac is not None:
            for blob in (assets.img_blob, assets.icon_blob):
                for k, _, _ in self._assets_ac.find_matches_as_indexes(blob, overlapping=True):
                    named |= self._asset_brands[k]
        return [
            e
            for i, e in enumerate(self.entries)
            if e.group in groups or i in named or e.brand.id in owners
        ]

    def owner(self, host: str) -> str | None:
        """The id of the brand owning ``host`` by its most specific domain (asan.gov.az is
        ASAN's, not the whole gov.az zone's), if any."""
        brand = self.registry.owner_of_host(host) if host else None
        return brand.id if brand is not None else None


@dataclass
class Findings:
    """What the rules concluded: reasons, the imitated brand and indicators."""

    reasons: list[Reason] = field(default_factory=list)
    brand: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    gateway: str | None = None  # a listed processor's host that a card form posts to


def _registered(host: str) -> str:
    try:
        return split_domain(host).registered or host
    except DomainError:
        return host


@dataclass(frozen=True)
class _Assets:
    """The page's resources, pre-digested once for all brands."""

    owners: dict[str, set[str]]  # resource kind -> ids of the brands owning its hosts
    img_blob: str  # lowercased URLs and alt/title/class of images
    icon_blob: str
    logo_owners: set[str]  # owners of images whose URL or text says "logo"

    @classmethod
    def of(
        cls, feats: PageFeatures, index: BrandIndex, offer: re.Pattern[str] | None = None
    ) -> _Assets:
        """``offer``: an image whose address or text matches it (an instalment badge) is a
        payment option; it does not name the brand the page shows."""
        owners: dict[str, set[str]] = {"img": set(), "css": set(), "icon": set(), "script": set()}
        imgs: list[str] = []
        icons: list[str] = []
        logos: set[str] = set()
        for res in (*feats.resources, *feats.hidden_resources):
            owner = index.owner(host_of(res.url))
            if owner:
                owners.setdefault(res.kind, set()).add(owner)
            if res.kind == "img":
                text = f"{res.url.lower()} {res.text}"
                if offer is not None and offer.search(text):
                    continue
                imgs.append(text)
                if "logo" in text and owner:
                    logos.add(owner)
            elif res.kind == "icon":
                icons.append(res.url.lower())
        return cls(owners, "\n".join(imgs), "\n".join(icons), logos)


@dataclass(frozen=True)
class _Mentions:
    title: Counter[str]
    text: Counter[str]
    headings: Counter[str]


def _brand_points(
    entry: _BrandEntry,
    assets: _Assets,
    said: _Mentions,
    lex: PageLexicon,
    imitated: str | None = None,
) -> tuple[int, str]:
    """A brand's points on a page, and where they come from. ``imitated``: the brand the
    page's own host name imitates, which adds ``address`` points to what the page shows
    (never enough alone: an entry gets here only when the page shows its brand)."""
    pts = lex.brand_points
    points = 0
    seen: list[str] = []
    if imitated is not None and entry.brand.id == imitated:
        points += pts.get("address", 0)
        seen.append("address")
    if said.title[entry.group]:
        points += pts["title"]
        seen.append("title")
    mentions = said.text[entry.group]
    if mentions:
        points += pts["text_mention"] * min(mentions, pts["text_mention_cap"])
        seen.append(f"text x{mentions}")
    if said.headings[entry.group]:
        points += pts["form_heading"]
        seen.append("heading")
    me = entry.brand.id
    hot = any(me in assets.owners[k] for k in ("img", "css", "icon"))
    logo = any(a in assets.img_blob for a in entry.assets) or me in assets.logo_owners
    icon = any(a in assets.icon_blob for a in entry.assets) or me in assets.owners["icon"]
    for flag, key in ((logo, "logo"), (icon, "favicon"), (hot, "hotlink")):
        if flag:
            points += pts[key]
            seen.append(key)
    return points, ", ".join(seen)


def _fields(feats: PageFeatures, lex: PageLexicon, cat: ReasonCatalog, out: Findings) -> None:
    by_kind: dict[str, list[str]] = {}
    for f in feats.fields:
        by_kind.setdefault(f.kind, []).append(f.where)
    in_page = set(by_kind)
    # A field that only a script writes (a later step of the kit) counts like one in the page.
    for f in feats.script_fields:
        by_kind.setdefault(f.kind, []).append(f.where)
    weights = {k.name: k.weight for k in lex.fields}
    for kind, where in by_kind.items():
        out.reasons.append(
            cat.reason(
                f"page.field.{kind}",
                weights[kind],
                ", ".join(where[:3]),
                where="form" if kind in in_page else "script",
            )
        )
    out.kinds = sorted(by_kind)


def _brand(
    feats: PageFeatures,
    host: str | None,
    index: BrandIndex,
    lex: PageLexicon,
    cat: ReasonCatalog,
    out: Findings,
    imitated: str | None = None,
) -> None:
    w = lex.weight
    owner = index.registry.owner_of_host(host) if host else None
    if owner is not None:
        out.reasons.append(
            cat.reason(
                "page.brand.own_domain",
                w("brand_own_domain"),
                host or "",
                brand=owner.name,
                where="url",
            )
        )
        return
    assets = _Assets.of(feats, index, lex.offer)
    # The words of images (alt text) count as the page's text for the brand it shows: a
    # page drawn as pictures names its brand there; so do the words of markup a script
    # hides in an encoded string.
    text = " ".join(t for t in (feats.text, feats.alt_text, feats.hidden_text) if t)
    heads = f"{feats.headings} {feats.hidden_headings}" if feats.hidden_headings else feats.headings
    title, heads_said, text_said = (
        index.hits(fold(feats.title)),
        index.hits(heads),
        index.hits(text),
    )
    if lex.offer is not None and text_said:
        # A brand offered as a way to pay ("Birbank kartı ilə 3 ay faizsiz taksit") is not
        # shown: the sentence around such words is left out, for the brands the title and
        # headings do not name (a kit names its brand there, instalment lure or not).
        offered = index.hits(without_offers(lex.offer, text))
        for group in list(text_said):
            if not title[group] and not heads_said[group]:
                text_said[group] = offered[group]
    said = _Mentions(title, text_said, heads_said)
    # Brands not shown at all score 0 points, below any positive minimum: skip them.
    entries = index.shown(assets, said) if lex.brand_min_points > 0 else index.entries
    if not entries:
        return
    scored = [(_brand_points(e, assets, said, lex, imitated), e) for e in entries]
    (points, evidence), best = max(scored, key=lambda s: s[0][0])
    if points < lex.brand_min_points:
        return
    secrets = sorted(set(out.kinds) & lex.sensitive)
    name = best.brand.name
    out.brand = best.brand.id
    if host is None:
        if secrets:
            out.reasons.append(
                cat.reason(
                    "page.brand.credentials_unknown",
                    w("brand_credentials_unknown"),
                    f"{evidence}; asks {', '.join(secrets)}",
                    brand=name,
                )
            )
        return
    out.reasons.append(
        cat.reason(
            "page.brand.impersonation",
            w("brand_impersonation"),
            f"{evidence} on {host}",
            brand=name,
            where="page",
        )
    )
    if secrets:
        out.reasons.append(
            cat.reason(
                "page.brand.credentials",
                w("brand_credentials"),
                f"{host}; asks {', '.join(secrets)}",
                brand=name,
            )
        )
    hot = sorted(
        {
            host_of(r.url)
            for r in (*feats.resources, *feats.hidden_resources)
            if host_of(r.url) and best.brand.owns_host(host_of(r.url))
        }
    )
    if hot:
        out.reasons.append(
            cat.reason(
                "page.brand.hotlink",
                w("hotlink"),
                ", ".join(hot[:3]),
                brand=name,
                where="resources",
            )
        )


def _forms(
    feats: PageFeatures,
    host: str | None,
    index: BrandIndex,
    lex: PageLexicon,
    cat: ReasonCatalog,
    out: Findings,
) -> None:
    w = lex.weight
    page_reg = _registered(host) if host else None
    for form in feats.forms:
        try:
            parts = urlsplit(form.action) if "://" in form.action else None
        except ValueError:  # an address the parser refuses ("https://[x")
            continue
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        target = parts.hostname.lower()
        if lex.messenger_endpoint(target, parts.path):
            out.reasons.append(
                cat.reason(
                    "page.form.messenger",
                    w("form_messenger"),
                    f"{target}{parts.path[:40]}",
                    where="form",
                )
            )
            out.indicators.append(Indicator("url", form.action[:500]))
            continue
        if page_reg is None or _registered(target) == page_reg:
            continue
        owner = next((e.brand for e in index.entries if e.brand.owns_host(target)), None)
        if owner is not None:
            # a bank's or processor's payment gateway
            if owner.category in _PROCESSORS and set(form.kinds) & _CARD_KINDS:
                out.gateway = out.gateway or target
            continue
        secrets = set(form.kinds) & lex.sensitive
        code, weight = (
            ("page.form.offsite_sensitive", w("form_offsite_sensitive"))
            if secrets
            else ("page.form.offsite", w("form_offsite"))
        )
        out.reasons.append(cat.reason(code, weight, target, where="form"))
        out.indicators.append(Indicator("domain", target))


def _scripts(feats: PageFeatures, lex: PageLexicon, cat: ReasonCatalog, out: Findings) -> None:
    text = feats.script_text
    urls = list(feats.script_urls)
    for chunk in (text, feats.script_hidden, feats.script_unescaped):
        if any(h in chunk for h in _EXFIL_HINTS):
            urls += _URL_IN_SCRIPT.findall(chunk)
    for url in urls:
        host = host_of(url)  # cached, and '' for an address urlsplit refuses
        if not host or not lex.messenger_host(host):
            continue
        parts = urlsplit(url)
        if parts.hostname and lex.messenger_endpoint(parts.hostname, parts.path):
            out.reasons.append(
                cat.reason(
                    "page.script.messenger",
                    lex.weight("script_messenger"),
                    f"{parts.hostname}{parts.path[:24]}",
                    where="script",
                )
            )
            break
    if not text:
        return
    conf = lex.obfuscation
    hits: Counter[str] = Counter()
    for key, pattern in lex.markers.items():
        hint = lex.marker_hints[key]
        if key == "long_base64":
            if any(hits[d] for d in _DECODERS):
                hits[key] = len(pattern.findall(text))
        elif hint is None or hint in text:
            hits[key] = len(pattern.findall(text))
    present = sorted(k for k, n in hits.items() if n)
    kchars = max(1.0, len(text) / 1000)
    dense = (
        hits["fromcharcode"] / kchars >= conf["fromcharcode_per_kchar"]
        or hits["hex_escape"] / kchars >= conf["hex_escape_per_kchar"]
    )
    packed = hits["long_base64"] > 0 and (hits["atob"] or hits["eval"] or hits["unescape"])
    if feats.decoded:  # markup or code hidden in an encoded string
        hits["encoded_script"] = feats.decoded
        present = sorted(k for k, n in hits.items() if n)
    if len(present) >= conf["min_markers"] or dense or packed or feats.decoded:
        evidence = ", ".join(f"{k} x{hits[k]}" for k in present)
        out.reasons.append(
            cat.reason("page.script.obfuscated", float(conf["weight"]), evidence, where="script")
        )


def _script_sends(
    feats: PageFeatures,
    host: str | None,
    index: BrandIndex,
    lex: PageLexicon,
    cat: ReasonCatalog,
    out: Findings,
) -> None:
    """On a page that asks for secrets, a script that sends to another registered domain
    (``fetch('https://panel.example/in.php')``, ``new WebSocket('wss://...')``), found in
    the scripts and in what they hide; a listed brand's own host (its API, a processor's
    gateway) does not count, nor does a messenger endpoint (``page.script.messenger``)."""
    page_reg = _registered(host) if host else None
    if page_reg is None or not set(out.kinds) & lex.sensitive:
        return
    for chunk in (feats.script_text, feats.script_hidden, feats.script_unescaped):
        for match in _URL_LITERAL.finditer(chunk) if chunk else ():
            if not _SEND_CALL.search(chunk, max(0, match.start() - 48), match.start()):
                continue
            address = match.group(1)
            try:
                parts = urlsplit("https:" + address if address.startswith("//") else address)
                target = (parts.hostname or "").lower()
            except ValueError:  # an address the parser refuses ("https://[x")
                continue
            if not target or _registered(target) == page_reg:
                continue
            if lex.messenger_endpoint(target, parts.path):
                continue
            if index.owner(target) is not None:
                continue
            out.reasons.append(
                cat.reason(
                    "page.script.offsite_sensitive",
                    lex.weight("script_offsite_sensitive"),
                    f"{target}{parts.path[:40]}",
                    where="script",
                )
            )
            out.indicators.append(Indicator("domain", target))
            return


def _wording(feats: PageFeatures, lex: PageLexicon, cat: ReasonCatalog, out: Findings) -> None:
    w = lex.weight
    found: dict[str, list[str]] = {}
    present = lex.phrases_in(feats.text)
    for group in lex.phrases:
        hits = [p for p in group.phrases if p in present]
        if hits:
            found[group.name] = hits
            out.reasons.append(
                cat.reason(
                    f"page.wording.{group.name}", group.weight, "; ".join(hits[:2]), where="text"
                )
            )
    cards = sorted(set(out.kinds) & lex.card_data)
    secrets = sorted(set(out.kinds) & lex.sensitive)
    if cards and "receive_payment" in found:
        out.reasons.append(
            cat.reason(
                "page.payment.receive_card",
                w("receive_payment_card"),
                f"{found['receive_payment'][0]} + {', '.join(cards)}",
            )
        )
    if cards and "benefit" in found:
        out.reasons.append(
            cat.reason(
                "page.payment.benefit_card",
                w("benefit_card"),
                f"{found['benefit'][0]} + {', '.join(cards)}",
            )
        )
    # A giveaway funnel headlines its prize; a news article about one quotes it in the text.
    prize = found.get("giveaway", []) + found.get("benefit", [])
    survey = found.get("survey", [])
    top = f"{fold(feats.title)} {feats.headings}"
    if len(survey) >= 2 and len(prize) >= 2 and any(p in top for p in prize):
        out.reasons.append(
            cat.reason(
                "page.scam.survey_prize",
                w("survey_prize"),
                f"{survey[0]}; {prize[0]}",
            )
        )
    if secrets and "urgency" in found:
        out.reasons.append(
            cat.reason(
                "page.urgency.secrets",
                w("urgency_secrets"),
                f"{found['urgency'][0]} + {', '.join(secrets)}",
            )
        )


def judge(
    feats: PageFeatures,
    url: str | None,
    index: BrandIndex,
    lex: PageLexicon,
    cat: ReasonCatalog,
    imitated: str | None = None,
) -> Findings:
    """Every rule over one page's features. ``imitated``: the registry brand the page's
    host name imitates (``tap-az.safedeal-pay.com``), if any."""
    out = Findings()
    host = host_of(url) if url else None
    host = host or None
    if url:
        out.indicators.append(Indicator("url", url[:2000]))
    _fields(feats, lex, cat, out)
    _brand(feats, host, index, lex, cat, out, imitated)
    _forms(feats, host, index, lex, cat, out)
    _scripts(feats, lex, cat, out)
    _script_sends(feats, host, index, lex, cat, out)
    _wording(feats, lex, cat, out)
    _gateway(lex, cat, out)
    _self_named(feats, host, lex, cat, out)
    return out


_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*(?:[-–]\s*\d{4})?)?\s*([^.|©]{2,60})")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _self_named(
    feats: PageFeatures, host: str | None, lex: PageLexicon, cat: ReasonCatalog, out: Findings
) -> None:
    """A page that names itself as its own domain, in two places of title, site name
    (``og:site_name``), copyright line and logo (``kontakt.az``'s "Kontakt Home": title
    "... | Kontakt", "© 2025 Kontakt Home"), on a page that shows no registry brand and no
    lure: the site is what it says it is (``page.site.self_named``, legitimacy). What it
    damps is the page model, which learned that any login or card form on an unknown domain
    is a kit's. Not on hosting platforms (the user picks the name there) nor for a name of
    under four letters."""
    if host is None or out.brand is not None or _lures(out):
        return
    try:
        domain = split_domain(host)
    except DomainError:
        return
    name = _NOT_ALNUM.sub("", domain.label.lower())
    if domain.private_suffix or domain.is_ip or len(name) < 4:
        return
    logos = [
        r.text for r in feats.resources if r.kind == "img" and "logo" in f"{r.url.lower()} {r.text}"
    ]
    places = {
        "title": [feats.title],
        "site name": feats.site_names,
        "copyright": [m.group(1) for m in _COPYRIGHT.finditer(feats.text[-3000:])],
        "logo": logos,
    }
    found = [
        where
        for where, texts in places.items()
        if any(name in _NOT_ALNUM.sub("", fold(t)) for t in texts)
    ]
    if len(found) >= 2:
        evidence = f"{domain.registered}: {', '.join(found)}"
        out.reasons.append(
            cat.reason("page.site.self_named", lex.weight("site_self_named"), evidence)
        )


# Reasons that say a page imitates someone or lures: with any of them, a card form posting
# to a real processor is no sign of a shop (a "receive the money" page may hand the victim
# on to a real card-to-card transfer).
_LURE_PREFIXES = (
    "page.brand.",
    "page.payment.",
    "page.form.",
    "page.script.",
    "page.scam.",
    "page.wording.",
)
_LURE_CODES = frozenset({"page.urgency.secrets"})
_PROCESSORS = frozenset({"bank", "payment"})
_CARD_KINDS = frozenset({"card", "cvv", "expiry"})


def _gateway(lex: PageLexicon, cat: ReasonCatalog, out: Findings) -> None:
    """A card form posting to a listed bank's or processor's own gateway, on a page that
    shows no brand and no lure: a shop's checkout (``page.form.gateway``, legitimacy)."""
    if out.gateway is None or _lures(out):
        return
    out.reasons.append(cat.reason("page.form.gateway", lex.weight("form_gateway"), out.gateway))


def _lures(out: Findings) -> bool:
    """Whether the rules found an imitation or a lure (a positive reason of
    :data:`_LURE_PREFIXES` or :data:`_LURE_CODES`); a brand's own domain is none."""
    return any(
        r.weight > 0 and (r.code.startswith(_LURE_PREFIXES) or r.code in _LURE_CODES)
        for r in out.reasons
    )
