"""The lookalike engine: which brand a domain imitates, and how.

:meth:`LookalikeEngine.imitations` is the full analysis of one host (reverse mode): it folds
the registered label to its skeleton and tries, in order, exact name on a foreign suffix
(``tld_swap``), the brand stuck to a country code, homoglyphs, typos, combosquatting, the
brand in a subdomain and dot insertion. :meth:`LookalikeEngine.screen` is the batch path: one
Aho-Corasick pass over the whole batch with precomputed variant labels selects candidate
lines, and only those get the full analysis.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import idna
from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.process import extract

from qalxan.detect.url.screen import ScreenIndex
from qalxan.detect.url.skeleton import Confusables
from qalxan.detect.url.terms import LookalikeConfig, Term, build_terms
from qalxan.detect.url.tokens import TokenLists
from qalxan.detect.url.variants import glyph_variants, name_edit
from qalxan.domain.brands import BrandRegistry
from qalxan.domain.errors import DomainError
from qalxan.domain.url import Domain, split_domain

__all__ = ["LookalikeEngine", "Match"]

FLAG_WEIGHT = 0.4
# Latin spellings tried for a label written in Cyrillic.
_MAX_SPELLINGS = 8


@dataclass(frozen=True, slots=True)
class Match:
    """One imitation: technique, brand, official domain, weight and what matched."""

    technique: str
    brand: str
    official: str
    weight: float
    evidence: str
    detail: str = ""
    where: str = "host"

    def to_dict(self) -> dict[str, object]:
        return {
            "technique": self.technique,
            "brand": self.brand,
            "official": self.official,
            "weight": round(self.weight, 4),
            "evidence": self.evidence,
            "detail": self.detail,
            "where": self.where,
        }


@dataclass(frozen=True, slots=True)
class _TypoCandidates:
    """Typo candidates of one label length and suffix: (term, compact, edit limit) in the
    registry's order, and their texts and compact forms."""

    items: tuple[tuple[Term, str, int], ...]
    texts: tuple[str, ...]
    compacts: tuple[str, ...]


class LookalikeEngine:
    """Compares hosts with the brand registry (pure; build once, reuse)."""

    def __init__(
        self,
        brands: BrandRegistry,
        confusables: Confusables,
        config: LookalikeConfig,
        *,
        platforms: Iterable[str] = (),
    ) -> None:
        """``platforms``: registered domains of hosting platforms and global services
        (``sharepoint.com``, ``bit.ly``); their own name imitates no brand, while a brand in
        one of their subdomains still does (``kapitalbank.sharepoint.com``)."""
        self.brands = brands
        self.confusables = confusables
        self.config = config
        self.platforms = frozenset(p.lower().strip(".") for p in platforms)
        self.terms_: tuple[Term, ...] = build_terms(brands, confusables, config)
        self._by_compact = {t.compact: t for t in self.terms_}
        self._by_loose: dict[str, Term] = {}
        for t in self.terms_:
            self._by_loose.setdefault(confusables.loose(t.compact), t)
        self._distinctive = tuple(t for t in self.terms_ if t.distinctive)
        # Typo candidates by compact length: (order, term, compact, edit limit).
        self._by_length: dict[int, list[tuple[int, Term, str, int]]] = {}
        for k, t in enumerate(self.terms_):
            limit = 2 if len(t.compact) >= config.two_edit_length else 1
            self._by_length.setdefault(len(t.compact), []).append((k, t, t.compact, limit))
        self._typo_candidates = lru_cache(maxsize=4096)(self._typo_candidates_uncached)
        self._glyph_forms = lru_cache(maxsize=256)(self._glyph_forms_uncached)
        self._spellings = lru_cache(maxsize=4096)(self._spellings_uncached)
        self._cyrillic_names = _cyrillic_names(brands, self.terms_, config, self._first_spelling)

        # Glue words also in skeleton form, as a label's remainder is read (internet -> intemet).
        def glue(words: frozenset[str]) -> frozenset[str]:
            codes = frozenset(config.country_codes)
            return words | frozenset(self.confusables.skeleton(w) for w in words) | codes

        self._words = glue(config.combo_words)
        self._vocab = self._words | frozenset(self._by_compact)
        self._strong = glue(config.strong_words)
        self._ordinary = frozenset(config.generic_words) | frozenset(config.combo_words)
        self._local = glue(config.local_words)
        self._officials = tuple(
            (d, b.id) for b in brands for d in b.domains if "." in d and d.strip(".")
        )
        self._brand_of_official = dict(self._officials)
        # A brand's own account names on social networks: its terms and official domains
        # without separators (kapitalbank, kapitalbankaz).
        self._account_names: dict[str, frozenset[str]] = {
            b.id: frozenset(
                {t.compact for t in self.terms_ if t.brand == b.id}
                | {_SEPARATORS.sub("", d) for d, o in self._officials if o == b.id}
            )
            for b in brands
        }
        # The most specific official domain names the brand (dsmf.gov.az, not gov.az).
        self._officials_longest = tuple(sorted(self._officials, key=lambda o: -len(o[0])))
        # Each official domain read with hyphens as dots, with and without its own hyphens
        # (.e.gov.az. and .egov.az. for e-gov.az), most specific first.
        self._hyphen_keys = tuple(
            ("." + form.replace("-", ".") + ".", official, brand)
            for official, brand in self._officials_longest
            for form in dict.fromkeys((official, official.replace("-", "")))
        )
        self._own_tails: dict[str, set[str]] = {b.id: set() for b in brands}
        for d, b in self._officials:
            self._own_tails[b].add(d.partition(".")[2].replace(".", ""))
        tails = [*config.country_codes, *(t for ts in self._own_tails.values() for t in ts)]
        self._stuck_tails = tuple(t for t in dict.fromkeys(tails) if t)
        self._index: ScreenIndex | None = None
        names = sorted({re.escape(d) for d, _ in self._officials}, key=len, reverse=True)
        # Lure words match as the URL model's word lists do (TokenLists.found).
        self._path_lure = TokenLists(words=frozenset(config.path_lure_words))
        self._official_in_text = re.compile(
            r"(?<![a-z0-9-])(" + "|".join(names or ["(?!)"]) + r")(?![a-z0-9-])"
        )

    # -- reverse mode -----------------------------------------------------------------------

    def owner(self, host: str) -> str | None:
        """The id of the brand owning ``host`` (or a parent domain of it)."""
        brand = self.brands.owner_of_host(host)
        return brand.id if brand is not None else None

    def imitations(self, domain: Domain) -> list[Match]:
        """Every imitation found in ``domain``, strongest first (empty for owned hosts)."""
        if domain.is_ip or not domain.suffix or self.owner(domain.host):
            return []
        if domain.registered in self.config.legitimate:
            return []
        found: list[Match] = []
        # A name only a government or university can register, or a platform's own name,
        # is no fraudster's choice and imitates no one; its subdomains may.
        chosen = domain.private_suffix or not self.config.restricted(domain.suffix)
        if chosen and domain.registered not in self.platforms:
            label_u = _unicode_label(domain.label)
            forms = self.confusables.skeletons(label_u)
            if label_u.isascii() and label_u not in forms:
                forms = (*forms, label_u)
            for skel in forms:
                found.extend(self._label_matches(skel, label_u, domain))
                if found:
                    break
            if not found:
                found.extend(self._transliterated(label_u, domain))
        found.extend(self._subdomain_matches(domain))
        if not found and "-" in domain.host:
            found.extend(self._hyphenated_official(domain))
        return _best_per_technique(found)

    def _transliterated(self, label: str, domain: Domain) -> list[Match]:
        """A brand name written in Cyrillic letters (``бирбанк-вход.рф``, ``азерпочт.az``):
        each Latin spelling of the label goes through the label analysis, and what it finds
        is reported as ``transliteration``, with the spelling and the technique in
        ``detail``. A spelling that is an ordinary word (``cyrillic_words``: президент) is
        that word, not the brand's name."""
        cap = self.config.weight("transliteration")
        for form in self._spellings(label):
            if form.replace("-", "") in self.config.cyrillic_words:
                continue
            for m in self._label_matches(form, form, domain):
                detail = f"{form}: {m.technique}" + (f", {m.detail}" if m.detail else "")
                weight = min(m.weight, cap)
                return [Match("transliteration", m.brand, m.official, weight, label, detail)]
        return []

    def _spellings_uncached(self, label: str) -> tuple[str, ...]:
        """Latin spellings of a label written in Cyrillic (two Cyrillic letters or more; a
        single one among Latin letters is a look-alike, which the skeleton reads): every
        combination when there are at most ``_MAX_SPELLINGS``, else one spelling per rank of
        the letters' options (the usual romanisation first)."""
        table = self.config.transliteration
        if sum(ch in table for ch in label) < 2:
            return ()
        named = self._named_spelling(label)
        options = [self._letter_options(ch) for ch in label]
        total = 1
        for o in options:
            total *= len(o)
        if total <= _MAX_SPELLINGS:
            forms: Iterable[str] = ("".join(p) for p in itertools.product(*options))
        else:
            rank = max(len(o) for o in options)
            forms = ("".join(o[min(k, len(o) - 1)] for o in options) for k in range(rank))
        if named:
            forms = itertools.chain((named,), forms)
        return tuple(f for f in dict.fromkeys(forms) if f.strip("-"))

    def _named_spelling(self, label: str) -> str:
        """The label with the brand's Russian name (``names.ru`` of the registry: Халг Банк,
        Юнибанк, Бакселл) written as the brand's Latin name and the rest spelt in Latin
        letters (``халгбанк-вход`` -> ``xalqbank-vhod``), or ``''``. A name of six letters or
        more counts inside a hyphen token (``юнибанкк``: a typo); a shorter one (АЖД, Нар)
        only as a whole token, and a name written with hyphens when the label reads as it
        without them."""
        low = label.lower()
        tokens = low.split("-")
        for name, latin in self._cyrillic_names:
            for i, token in enumerate(tokens):
                if token == name or (len(name) >= 6 and name in token):
                    tokens[i] = token.replace(name, latin, 1)
                    return self._first_spelling("-".join(tokens))
            if len(name) >= 6 and name in low.replace("-", ""):
                return self._first_spelling(low.replace("-", "").replace(name, latin, 1))
        return ""

    def _letter_options(self, ch: str) -> tuple[str, ...]:
        """The Latin spellings of one letter (itself, or its look-alike, when not Cyrillic)."""
        return self.config.transliteration.get(ch) or (self.confusables.letters(ch),)

    def _first_spelling(self, text: str) -> str:
        return "".join(self._letter_options(ch)[0] for ch in text)

    def _hyphenated_official(self, domain: Domain) -> list[Match]:
        """An official domain whose dots a hyphen replaces at the edge of the registered
        name (``m10.az-wallet.top``, ``dsmf.gov-az.org``): read with hyphens as dots, the
        official domain stands before more of the host. One that ends the host
        (``abc-nar.az``) is another name on the brand's suffix, not this."""
        flat = "." + domain.host.replace("-", ".") + "."
        for key, official, brand in self._hyphen_keys:
            pos = flat.find(key)
            if pos >= 0 and pos + len(key) < len(flat):
                w = self.config.weight("subdomain")
                return [Match("subdomain", brand, official, w, domain.host, "hyphenated domain")]
        return []

    def imitations_of(self, host: str) -> list[Match]:
        """:meth:`imitations` of a host name given as text (invalid names give none)."""
        try:
            return self.imitations(split_domain(host))
        except DomainError:
            return []

    def path_matches(
        self,
        path: str,
        domain: Domain,
        *,
        account: bool = False,
        service: bool = False,
        hosted: bool = False,
    ) -> list[Match]:
        """The brand named in the path or query of a foreign site (``site.com/kapitalbank/``).
        ``account``: the site is a social network or messenger where the path names an
        account, which the brand itself may own (weaker evidence). ``service``: the site is a
        well-known service's own, where a brand in the path or query (a search for "birbank
        login") is only a mention; links it carries are judged apart. A distinctive name that is
        only a word of an ordinary slug (no lure word, not a segment of its own) comes back
        as technique ``mention``: context, not an imitation; so does an account named exactly
        as the brand (``instagram.com/kapitalbank``: most likely the brand's own account).
        ``hosted``: the site is a free hosting or publishing platform, where the path names
        the user's site or post (``sites.google.com/view/azercell-hediyye``,
        ``telegra.ph/Kapitalbank-Bonus``) as a subdomain does on netlify.app: the brand with
        lure or glue words there is a kit's at ``path_hosted`` weight."""
        text = path.lower()
        if len(text) < 3 or self.owner(domain.host):
            return []
        named = self._named_in(text, text)
        if named is None:
            return []
        term, brand, official, evidence, detail = named
        if service:
            technique, weight = "mention", self.config.weight("path_context")
        else:
            technique, weight = self._path_kind(text, term, brand, account)
            if hosted and (
                technique == "path" or (term is not None and self._glued(text, term))
            ):  # an official domain in the path (term None) is a kit's already
                technique, weight = "path", self.config.weight("path_hosted")
        return [Match(technique, brand, official, weight, evidence, detail, "path")]

    def _glued(self, text: str, term: Term) -> bool:
        """Whether a path segment is the name with glue words and digits only
        (``azercell-hediyye``, ``kapitalbank_bonus_2025``)."""
        for segment in _SEGMENTS.split(text):
            compact = _SEPARATORS.sub("", _EXTENSION.sub("", segment))
            head, found, tail = compact.partition(term.compact)
            if found and (head or tail) and _word_break(head + tail, self._words):
                return True
        return False

    def userinfo_matches(self, userinfo: str) -> list[Match]:
        """A brand's official domain or distinctive name in the user-info part of an address
        (``https://kapitalbank.az@evil.ru/``, ``https://login.birbank:x@evil.ru/``): the
        browser goes to the host after ``@``, while the reader sees the brand first. The
        evidence is the brand's name, never the user-info text (it may hold a password)."""
        text = userinfo.lower()
        named = self._named_in(text, _SEPARATORS.sub("", text))
        if named is None:
            return []
        _, brand, official, evidence, detail = named
        return [
            Match(
                "userinfo", brand, official, self.config.weight("userinfo"), evidence, detail, "url"
            )
        ]

    def _named_in(self, text: str, compact: str) -> tuple[Term | None, str, str, str, str] | None:
        """The brand a text names: by an official domain in ``text`` (term None), else by a
        distinctive name in ``compact`` (its text or its form with separators): term, brand
        id, official domain, evidence and ``domain`` or ``name``."""
        hit = self._official_in_text.search(text)
        if hit is not None:
            official = hit.group(1)
            return None, self._brand_of_official[official], official, official, "domain"
        for term in self._distinctive:
            if term.compact in compact or (term.text != term.compact and term.text in compact):
                return term, term.brand, term.official, term.text, "name"
        return None

    def _path_kind(
        self, text: str, term: Term | None, brand: str, account: bool
    ) -> tuple[str, float]:
        """Technique and weight of a brand named in a path: ``path`` as a phishing kit puts
        it, else ``mention`` (context). An official domain in the path counts as a kit's.
        On a social network or messenger the first segment is an account: one named
        exactly as the brand is most likely its own (``instagram.com/kapitalbank``), one
        with more to it is not (``kapitalbank_bonus``, ``t.me/kapitalbank_bot``)."""
        w = self.config.weight
        if account:
            handle = _SEPARATORS.sub("", _first_segment(text))
            if handle in self._account_names.get(brand, ()):
                return "mention", w("path_context")
            return "path", w("path_account")
        if term is not None and not self._phishy_path(text, term):
            return "mention", w("path_plain")
        return "path", w("path")

    def _phishy_path(self, text: str, term: Term) -> bool:
        """Whether a brand name in a path looks like a phishing kit's rather than a word of
        an article or listing slug: a login, payment or verification word is there, or the
        name is a whole segment on its own (``/kapitalbank/``, ``/birbank.php``)."""
        if self._path_lure.found(text, _TOKEN.findall(text), brands=False):
            return True
        for segment in _SEGMENTS.split(text):
            bare = _EXTENSION.sub("", segment)
            if _SEPARATORS.sub("", bare) in (term.compact, term.text.replace(" ", "")):
                return True
        return False

    # -- label analysis ---------------------------------------------------------------------

    def _label_matches(self, skel: str, raw: str, domain: Domain) -> list[Match]:
        compact = skel.replace("-", "")
        confusable = raw.replace("-", "") != compact
        hosted = domain.private_suffix
        exact = self._by_compact.get(compact)
        if exact is not None:
            hit = self._exact(exact, skel, raw, confusable, domain, hosted)
            if hit is not None:
                return [hit]
        stuck = self._country_code(compact, domain)
        if stuck is not None:
            return [stuck]
        if exact is not None:
            # A brand's ordinary word where it does not count (president.jp) is that word,
            # not a misspelling of a longer name (prezident).
            return []
        # One pass over the typo candidates gives the best match within one edit and within
        # two; a loose homoglyph match ranks between them.
        one, two = self._typos(skel, domain)
        if one is not None and self._other_words(compact, one[1], domain):
            one = two = None
        if one is not None:
            return [self._typo_match(one, skel, raw, confusable)]
        loose = self._by_loose.get(self.confusables.loose(compact))
        if (
            loose is not None
            and self._typo_allowed(loose, domain.suffix)
            and self._loose_allowed(loose, compact, raw.replace("-", ""))
        ):
            w = self.config.weight("homoglyph_loose")
            return [Match("homoglyph", loose.brand, loose.official, w, raw, "look-alike letters")]
        if two is not None:
            return [self._typo_match(two, skel, raw, confusable)]
        combo = self._combo(skel, domain)
        if combo is not None and hosted:
            return [Match("subdomain", combo.brand, combo.official, combo.weight, raw, "hosting")]
        return [combo] if combo is not None else []

    def _exact(
        self, term: Term, skel: str, raw: str, confusable: bool, domain: Domain, hosted: bool
    ) -> Match | None:
        w = self.config.weight
        if confusable:
            return Match("homoglyph", term.brand, term.official, w("homoglyph"), raw, "letters")
        if not term.distinctive and not term.own_label:
            return None
        if hosted:
            return Match("subdomain", term.brand, term.official, w("subdomain"), raw, "hosting")
        if domain.suffix == term.suffix:
            return Match("typo", term.brand, term.official, w("typo"), raw, "hyphenation")
        if not term.distinctive:
            return None
        return Match(
            "tld_swap", term.brand, term.official, w("tld_swap"), domain.registered, "suffix"
        )

    def _country_code(self, compact: str, domain: Domain) -> Match | None:
        """The brand stuck to a country code or to its own suffix (``kapitalbankaz``,
        ``az-kapitalbank``, ``bakcellcom``)."""
        for tail in self._stuck_tails:
            n = len(tail)
            for head, rest in ((compact[:-n], compact[-n:]), (compact[n:], compact[:n])):
                if rest != tail or not head:
                    continue
                term = self._by_compact.get(head)
                if term is None or not (term.distinctive or term.own_label):
                    continue
                if tail in self.config.country_codes or tail in self._own_tails[term.brand]:
                    w = self.config.weight("country_code")
                    return Match(
                        "tld_swap", term.brand, term.official, w, domain.registered, "country code"
                    )
        return None

    def _other_words(self, compact: str, term: Term, domain: Domain) -> bool:
        """A label one edit from ``term`` on a foreign suffix that is itself made of ordinary
        words (``capitalbank.jo``: capital + bank, one letter from kapitalbank) names a
        business of its own there; on the brand's own suffix it still counts."""
        return domain.suffix != term.suffix and _word_break(compact, self._ordinary)

    def _loose_allowed(self, term: Term, compact: str, raw: str) -> bool:
        """Whether a loose homoglyph match of ``term`` counts. The loose classes merge
        letters (n, r and m) that only swap for one another as glyphs in some places; in a
        short name that reaches other words (ram for nar), so there the label must be one of
        the term's ASCII glyph swaps (at most two)."""
        if len(term.compact) >= self.config.any_replacement_length:
            return True
        forms = self._glyph_forms(term.compact)
        return compact in forms or self.confusables.letters(raw) in forms

    def _glyph_forms_uncached(self, text: str) -> frozenset[str]:
        return frozenset(glyph_variants(text, self.config.ascii_glyphs, depth=2))

    def _odd_replacement(self, term_compact: str, compact: str) -> bool:
        """Whether ``compact`` differs from a term shorter than ``any_replacement_length``
        by one replacement that is no keyboard neighbour, bit flip or vowel swap (nmr for
        nar, celt for cert): in a short name such a label is most often another word, and
        typosquatters and dnstwist make the others."""
        if len(term_compact) >= self.config.any_replacement_length:
            return False
        if len(term_compact) != len(compact):
            return False
        return name_edit(term_compact, compact, self.config.keyboard) == "replacement"

    @staticmethod
    def _typo_allowed(term: Term, suffix: str) -> bool:
        """Whether edits of ``term`` count on a domain with ``suffix``."""
        return term.typo_anywhere or (term.typo_own_suffix and suffix == term.suffix)

    def _typos(
        self, skel: str, domain: Domain
    ) -> tuple[tuple[int, Term] | None, tuple[int, Term] | None]:
        """The closest allowed typo candidate within one edit and within two (distance and
        term; the registry's order breaks ties), from one pass over the candidates."""
        compact = skel.replace("-", "")
        cands = self._typo_candidates(len(compact), domain.suffix)
        # Distances above 2 read as 3: no limit or plural form goes past 2 (a plural form,
        # "es" inserted, is two edits away). Each distance set is one call over all the
        # candidates; only those within two edits are looked at, in the registry's order.
        near: dict[int, int] = {}
        for _, d, i in extract(skel, cands.texts, scorer=OSA.distance, score_cutoff=2, limit=None):
            near[i] = int(d)
        for _, d, i in extract(
            compact, cands.compacts, scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            near[i] = min(near.get(i, 3), int(d))
        one: tuple[int, Term] | None = None
        two: tuple[int, Term] | None = None
        for i in sorted(near):
            term, term_compact, limit = cands.items[i]
            d = near[i]
            if d == 1 and self._odd_replacement(term_compact, compact):
                continue
            plural = _plural(term_compact, compact) if d > min(limit, 1) else False
            if (d <= min(limit, 1) or plural) and (one is None or d < one[0]):
                one = (d, term)
            if (d <= min(limit, 2) or plural) and (two is None or d < two[0]):
                two = (d, term)
        return one, two

    def _typo_candidates_uncached(self, n: int, suffix: str) -> _TypoCandidates:
        """The terms whose typos count on ``suffix``, two letters or less from length ``n``,
        in the registry's order (which breaks ties). Memoised as ``_typo_candidates``."""
        by_length = self._by_length
        cands = sorted(c for m in range(n - 2, n + 3) for c in by_length.get(m, ()))
        items = tuple(
            (term, compact, limit)
            for _, term, compact, limit in cands
            if self._typo_allowed(term, suffix)
        )
        return _TypoCandidates(
            items,
            tuple(term.text for term, _, _ in items),
            tuple(compact for _, compact, _ in items),
        )

    def _typo_match(self, best: tuple[int, Term], skel: str, raw: str, confusable: bool) -> Match:
        d, term = best
        w = self.config.weight
        if confusable:
            return Match("homoglyph", term.brand, term.official, w("homoglyph"), raw, "and a typo")
        detail = name_edit(term.text, skel, self.config.keyboard) if d <= 1 else "two edits"
        if d <= 1 and not term.distinctive:
            weight = w("typo_short")
        else:
            weight = w("typo") if d <= 1 else w("typo_two_edits")
        return Match("typo", term.brand, term.official, weight, raw, detail)

    def _combo(self, skel: str, domain: Domain) -> Match | None:
        compact = skel.replace("-", "")
        tokens = [t for t in skel.split("-") if t]
        w = self.config.weight
        for i, token in enumerate(tokens):
            term = self._by_compact.get(token)
            if term is None:
                continue
            rest = "".join(tokens[:i] + tokens[i + 1 :])
            # On a hosting platform the whole label is the user's choice: a short name with
            # any glue word there (abb-mobile.netlify.app) is a combination.
            strong = not term.distinctive and not domain.private_suffix
            if rest and self._decomposable(rest, strong=strong, name=term.compact):
                return Match("combosquat", term.brand, term.official, w("combosquat"), skel, rest)
        if len(tokens) > 1:
            misspelt = self._misspelt_token(tokens, domain)
            if misspelt is not None:
                return misspelt
        for term in self.terms_:
            t = term.compact
            if t not in compact or t == compact:
                continue
            head, _, tail = compact.partition(t)
            rest = head + tail
            if (not term.distinctive) and (head and tail):
                continue
            if self._decomposable(rest, strong=not term.distinctive, glued=True, name=t):
                return Match("combosquat", term.brand, term.official, w("combosquat"), skel, rest)
            if term.distinctive:
                weight = w("combosquat_loose")
                return Match("combosquat", term.brand, term.official, weight, skel, rest)
        return None

    def _misspelt(self, word: str, domain: Domain) -> tuple[Term, str] | None:
        """The long name ``word`` misspells by one edit, and how: only names whose typos
        count anywhere (8+ letters), and not when ``word`` is itself made of ordinary words
        on a foreign suffix (see :meth:`_other_words`)."""
        if len(word) < self.config.typo_anywhere_length - 1:
            return None
        one, _ = self._typos(word, domain)
        if one is None or not one[1].typo_anywhere or self._other_words(word, one[1], domain):
            return None
        return one[1], name_edit(one[1].compact, word, self.config.keyboard)

    def _misspelt_sub(self, compact: str, domain: Domain) -> Match | None:
        """A long name misspelt by one edit as a subdomain of a foreign domain
        (``accesbank.az-login.com``)."""
        found = self._misspelt(compact, domain)
        if found is None:
            return None
        term, edit = found
        weight = self.config.weight("typo")
        return Match("subdomain", term.brand, term.official, weight, compact, edit)

    def _misspelt_token(self, tokens: list[str], domain: Domain) -> Match | None:
        """A long name misspelt by one edit as one hyphen token, beside glue words or a
        country code (``acessbank-az``, ``login-kapitalbamk``): a typo and a combination
        at once."""
        for i, token in enumerate(tokens):
            found = self._misspelt(token, domain)
            if found is None:
                continue
            rest = "".join(tokens[:i] + tokens[i + 1 :])
            if self._decomposable(rest):
                term, edit = found
                weight = self.config.weight("typo")
                label = "-".join(tokens)
                return Match("typo", term.brand, term.official, weight, label, f"{edit} + {rest}")
        return None

    def _decomposable(
        self, rest: str, *, strong: bool = False, glued: bool = False, name: str = ""
    ) -> bool:
        """``rest`` is made of glue words (and other brands' names). With ``strong``, as a
        short name needs: when the words were hyphen tokens, one of them at least is a
        strong word (``abb-kart-yenile``, not ``abb-yenile``); when they were ``glued`` to
        the name, all are (``abbkart``), as the screening patterns have them. A plain
        English ``name`` (``plain_names``: digital, turbo) needs a word that points to
        Azerbaijan among them (``digital-gov-az``, not ``digital-secure``)."""
        if name in self.config.plain_names:
            if glued:
                return _word_break(rest, self._strong | self._local, self._local)
            return _word_break(rest, self._vocab, self._local)
        if strong and glued:
            return _word_break(rest, self._strong)
        return _word_break(rest, self._vocab, self._strong if strong else None)

    # -- subdomain analysis ----------------------------------------------------------------

    def _subdomain_matches(self, domain: Domain) -> list[Match]:
        if not domain.subdomain:
            return []
        out: list[Match] = []
        w = self.config.weight
        host = "." + domain.host + "."
        for official, brand in self._officials_longest:
            if "." + official + "." in host:
                out.append(
                    Match("subdomain", brand, official, w("subdomain"), domain.host, "domain")
                )
                return out
        subs = domain.subdomain.split(".")
        joined = self.confusables.skeleton(_unicode_label(subs[-1]) + domain.label)
        term = self._by_compact.get(joined.replace("-", ""))
        if term is not None and (term.distinctive or domain.suffix == term.suffix):
            weight = w("typo") if term.distinctive else w("typo_short")
            out.append(
                Match("typo", term.brand, term.official, weight, domain.host, "dot insertion")
            )
            return out
        for sub in subs:
            sub_u = _unicode_label(sub)
            skel = self.confusables.skeleton(sub_u)
            compact = skel.replace("-", "")
            term = self._by_compact.get(compact)
            if term is not None and term.distinctive:
                out.append(
                    Match("subdomain", term.brand, term.official, w("subdomain"), sub, "name")
                )
                return out
            for form in self._spellings(sub_u):
                term = self._by_compact.get(form.replace("-", ""))
                if term is not None and term.distinctive:
                    weight = min(w("subdomain"), w("transliteration"))
                    detail = f"{form}: subdomain"
                    out.append(
                        Match("transliteration", term.brand, term.official, weight, sub_u, detail)
                    )
                    return out
            misspelt = self._misspelt_sub(compact, domain)
            if misspelt is not None:
                out.append(misspelt)
                return out
            combo = self._combo(skel, domain)
            if combo is not None and combo.weight >= w("combosquat"):
                out.append(
                    Match("subdomain", combo.brand, combo.official, w("subdomain"), sub, "name")
                )
                return out
        return out

    # -- batch screening -------------------------------------------------------------------

    @property
    def index(self) -> ScreenIndex:
        """The precomputed screening automaton (built on first use)."""
        if self._index is None:
            self._index = ScreenIndex.build(self.terms_, self.config, self._officials)
        return self._index

    def screen(self, hosts: Sequence[str]) -> list[tuple[str, list[Match]]]:
        """Flagged hosts of a batch with their imitations (order of first appearance)."""
        out: list[tuple[str, list[Match]]] = []
        for host in self.index.candidates(hosts, self._idn_candidate):
            found = self.imitations_of(host)
            if found and found[0].weight >= FLAG_WEIGHT:
                out.append((host, found))
        return out

    def _idn_candidate(self, label: str) -> bool:
        """Cheap test of an IDN label found by the screening pass."""
        label_u = _unicode_label(label)
        for skel in (*self.confusables.skeletons(label_u), *self._spellings(label_u)):
            compact = skel.replace("-", "")
            if compact in self._by_compact or self.confusables.loose(compact) in self._by_loose:
                return True
            if any(t.compact in compact for t in self._distinctive):
                return True
            if self.index.is_variant(compact):
                return True
        return False


# Path segments, a file extension at the end of one, the separators inside a name, and the
# tokens lure words are looked up among.
_SEGMENTS = re.compile(r"[/?&=#;]+")
_TOKEN = re.compile(r"[a-z0-9]+")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,5}$")
_SEPARATORS = re.compile(r"[-_.+ ]")


def _cyrillic_names(
    brands: BrandRegistry,
    terms: Sequence[Term],
    config: LookalikeConfig,
    spell: Callable[[str], str],
) -> tuple[tuple[str, str], ...]:
    """Each brand's Russian names written in Cyrillic (``names.ru``), lowercase without
    spaces, dots or hyphens, with the brand's Latin name closest to the name's first
    spelling by ``spell`` (юнибанк -> unibank, тап.аз -> tapaz, ажд -> ady), longest first.
    Names that are ordinary words (``cyrillic_words``, read in that spelling) are left
    out."""
    table = config.transliteration
    by_brand: dict[str, list[str]] = {}
    for term in terms:
        by_brand.setdefault(term.brand, []).append(term.compact)
    out: dict[str, str] = {}
    for brand in brands:
        for name in brand.names.get("ru", ()) if brand.id in by_brand else ():
            compact = _SEPARATORS.sub("", name.lower())
            if sum(ch in table for ch in compact) < 2 or len(compact) > 24:
                continue
            first = spell(compact)
            if first not in config.cyrillic_words:
                latin = min(by_brand[brand.id], key=lambda t: Levenshtein.distance(t, first))
                out.setdefault(compact, latin)
    return tuple(sorted(out.items(), key=lambda item: -len(item[0])))


def _first_segment(text: str) -> str:
    """The first non-empty segment of a path, without a leading ``@`` (``/@birbank/posts``
    -> ``birbank``)."""
    for segment in _SEGMENTS.split(text):
        if segment:
            return segment.lstrip("@")
    return ""


def _unicode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return str(idna.decode(label))
    except (idna.IDNAError, UnicodeError, ValueError):
        return label


def _plural(term: str, label: str) -> bool:
    if len(label) != len(term) + 2:
        return False
    return any(
        label == term[: i + 1] + "es" + term[i + 1 :] for i in range(len(term)) if term[i] in "sxz"
    )


@lru_cache(maxsize=16384)
def _word_break(text: str, words: frozenset[str], required: frozenset[str] | None = None) -> bool:
    """``text`` is a sequence of ``words`` and digit runs (non-empty), with at least one
    word of ``required`` among them when that is given."""
    if not text:
        return False
    # ok[i]: text[:i] splits; got[i]: it splits with a required word among the pieces
    ok = [False] * (len(text) + 1)
    got = [False] * (len(text) + 1)
    ok[0] = True
    got[0] = required is None
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - 20), end):
            if not ok[start]:
                continue
            piece = text[start:end]
            if piece in words or piece.isdigit():
                ok[end] = True
                if got[start] or (required is not None and piece in required):
                    got[end] = True
                    break
    return got[-1]


def _best_per_technique(matches: Iterable[Match]) -> list[Match]:
    best: dict[str, Match] = {}
    for m in matches:
        if m.technique not in best or m.weight > best[m.technique].weight:
            best[m.technique] = m
    return sorted(best.values(), key=lambda m: (-m.weight, m.technique))
