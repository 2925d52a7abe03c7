"""Word tokens of a normalised URL, named by the part they come from, for the lexical model.

Byte n-grams see ``paypal`` in ``paypal.com`` and in ``paypal.secure-login.xyz`` alike; the
tokens say *where* a word sits. Each token is a short string such as ``d:paypal`` (a word of
the registered name), ``s:login`` (a word of a subdomain), ``t:xyz`` (the suffix),
``p:signin`` (a path word), ``x:php`` (file extension), ``q:email`` (query key), plus
aggregated ones that carry over to unseen words: a brand word in a host the brand does not
own (``b:sub``, ``b:rd``), a brand word in the path (``b:path``), suspicious words
(``w:host``, ``w:path``) and hosting context (``c:free_hosting``).

The word lists come with the model (stored in its ``.npz``), so scoring always uses the
lists the model was trained with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ahocorasick_rs import AhoCorasick

from qalxan.domain.url import parent_domains

__all__ = ["TokenLists", "url_tokens"]

_WORD = re.compile(r"[^\W\d_]+|\d+")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_HEXISH = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{16,}$")
# Second-level labels under a two-letter country code that belong to the suffix
# (co.uk, com.br, gov.az): a cheap stand-in for the public suffix list, enough for features.
_SLD = frozenset(
    [
        "co",
        "com",
        "net",
        "org",
        "gov",
        "edu",
        "ac",
        "or",
        "ne",
        "go",
        "gob",
        "nic",
        "mil",
        "ltd",
        "plc",
        "biz",
        "info",
        "web",
        "gen",
        "nom",
        "firm",
        "int",
    ]
)
MAX_PATH_TOKENS = 40
LONG_TERM = 5  # brand and suspicious words at least this long also match inside longer words


@dataclass(frozen=True)
class TokenLists:
    """Brand words, suspicious words and hosting context the token features look for."""

    brands: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    context: Mapping[str, str] = field(default_factory=dict)  # registered suffix -> kind

    @classmethod
    def build(
        cls,
        brands: Iterable[str],
        words: Iterable[str],
        context: Mapping[str, Iterable[str]],
    ) -> TokenLists:
        """Lists from plain iterables (``context`` maps a kind to its domain suffixes)."""
        ctx = {str(d).lower().strip("."): kind for kind, ds in context.items() for d in ds}
        return cls(frozenset(b.lower() for b in brands), frozenset(w.lower() for w in words), ctx)

    def __post_init__(self) -> None:
        # The long terms of each list as one automaton: one pass finds every one that occurs
        # in a text (overlapping matches), instead of a substring test per term.
        for name, terms in (("_long_brands", self.brands), ("_long_words", self.words)):
            longs = sorted(t for t in terms if len(t) >= LONG_TERM)
            object.__setattr__(self, name, AhoCorasick(longs) if longs else None)

    def found(self, text: str, tokens: Iterable[str], *, brands: bool) -> set[str]:
        """Brand (or suspicious) words of ``text``: whole tokens, or long ones inside words."""
        terms = self.brands if brands else self.words
        longs: AhoCorasick | None = getattr(self, "_long_brands" if brands else "_long_words")
        hits = {t for t in tokens if t in terms}
        if longs is not None:
            hits.update(longs.find_matches_as_strings(text, overlapping=True))
        return hits


def _split_host(host: str) -> tuple[str, str, list[str]]:
    """Registered name, suffix and subdomain labels (approximate, no public suffix list)."""
    labels = host.split(".")
    if len(labels) == 1:
        return labels[0], "", []
    cut = 2 if len(labels) >= 3 and labels[-2] in _SLD and len(labels[-1]) == 2 else 1
    if len(labels) <= cut:
        return labels[0], ".".join(labels[1:]), []
    return labels[-cut - 1], ".".join(labels[-cut:]), labels[: -cut - 1]


def _context(host: str, lists: TokenLists) -> str | None:
    for name in parent_domains(host)[:-1]:  # a bare suffix is no hosting context
        kind = lists.context.get(name)
        if kind is not None:
            return kind
    return None


def _path_token(tok: str) -> str:
    if tok.isdigit():
        return f"p:#{min(len(tok), 6)}"
    if len(tok) > 24:
        return "p:#long"
    return "p:" + tok


def url_tokens(text: str, lists: TokenLists) -> list[str]:
    """Tokens of a URL already normalised by :func:`~qalxan.detect.url.model.normalise_url`."""
    cut = min((i for i in (text.find("/"), text.find("?"), text.find("#")) if i >= 0), default=-1)
    host, rest = (text, "") if cut < 0 else (text[:cut], text[cut:])
    host = host.rpartition("@")[2].partition(":")[0]
    path, _, query = rest.partition("?")
    if _IPV4.match(host):
        name, suffix, subs = "#ip", "#ip", list[str]()
    else:
        name, suffix, subs = _split_host(host)
    name_words = _WORD.findall(name)
    sub_words = [w for label in subs for w in _WORD.findall(label)]
    out = [f"t:{suffix}", f"d:{name}", f"sn:{min(len(subs), 3)}"]
    out += ["dw:" + w for w in name_words]
    out += ["s:" + w for w in sub_words]
    kind = _context(host, lists)
    if kind is not None:
        out.append("c:" + kind)
    for brand in lists.found(host, name_words + sub_words, brands=True):
        out.append("b:own" if brand == name else ("b:rd" if brand in name else "b:sub"))
    host_words = lists.found(host, name_words + sub_words, brands=False)
    out += ["w:host"] * len(host_words)
    path_words = _WORD.findall(path)[:MAX_PATH_TOKENS]
    out += [_path_token(w) for w in path_words]
    if any(_HEXISH.match(seg) for seg in path.split("/")):
        out.append("p:#hex")
    if lists.found(path, path_words, brands=True):
        out.append("b:path")
    out += ["w:path"] * min(3, len(lists.found(path, path_words, brands=False)))
    last = path.rpartition("/")[2]
    if "." in last:
        ext = last.rpartition(".")[2]
        if 0 < len(ext) <= 5:
            out.append("x:" + ext)
    if query:
        out += ["q:" + kv.partition("=")[0][:24] for kv in query.split("&")[:10]]
        if "http" in query:
            out.append("q:#url")
    return out
