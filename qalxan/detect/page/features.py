"""Feature extraction from one HTML page (selectolax/lexbor), each feature with its location.

Extraction reads the page once: fields and forms, resources (images, styles, scripts, icons),
inline script text, title and visible text. Judging happens in :mod:`rules`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from qalxan.detect.page.lexicon import PageLexicon, fold

_source_words: Callable[[str], frozenset[str]] | None
try:  # compiled (qalxan/detect/url/_hashdot.pyx): the same words as the regex, one pass
    from qalxan.detect.url._hashdot import source_words as _source_words
except ImportError:
    _source_words = None

__all__ = ["Field", "Form", "PageFeatures", "Resource", "extract"]

MAX_TEXT = 30_000
MAX_SCRIPT = 200_000
MAX_SOURCE = 30_000
_SOURCE_WORD = re.compile(r"[a-z][a-z0-9_-]{1,30}")  # identifiers of the source (model tokens)
_FIELD_ATTRS = ("name", "id", "placeholder", "aria-label", "title", "data-name")
# Markup of a field inside script text, plain or escaped (\x3c, \u003c, &lt;).
_SCRIPT_FIELD = re.compile(r"(?:<|\\x3c|\\u003c|&lt;)(?:input|select|textarea)\b", re.I)
_JS_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.S)
# Percent-escaped markup, as ``unescape('%3Cinput%20...')`` decodes it (%uXXXX and %XX).
_PCT_MARKUP = re.compile(r"%3c(?:%[0-9a-f]{2}|[a-z])", re.I)
_PCT_ESCAPE = re.compile(r"%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})")
_TEMPLATE_TAG = re.compile(r"</?template\b[^>]*>", re.I)
_RARE_MARKUP = ("<template", "srcdoc", "aria-labelledby")
# Script a page hides in encoded strings: long base64 literals and char-code arrays
# (``String.fromCharCode.apply(null, [60, 105, ...])``, or an array of numbers that a
# script with a fromCharCode call holds), kept when they decode to markup or code.
_B64_LITERAL = re.compile(r"[\"'`]([A-Za-z0-9+/]{60,}={0,2})[\"'`]")
_CHAR_CODES = re.compile(r"(?:\[|fromCharCode\s*\()\s*((?:\d{1,7}\s*,\s*){15,}\d{1,7})")
_DECODED_HINT = re.compile(
    r"<[a-zA-Z][^>]{0,200}>|innerHTML|document\.|fetch\(|XMLHttpRequest|WebSocket|sendBeacon"
)
_DECODED_MAX = 20
# Elements whose own text is read from hidden markup.
_SHOWN_TAGS = "h1, h2, h3, h4, h5, p, span, div, label, button, a, b, strong, small, li, td, th"
# A script that builds input fields itself, and the short string literals of scripts: the
# placeholders and labels it gives them (``e.placeholder = 'Номер карты'``, or a table of
# ``['CVV', 'password', 3]`` it loops over).
# The builder is a call with "input" as its first argument: createElement('input'), or a
# minified helper that wraps it (h("input", {...})); not an event name or a selector.
_DOM_INPUT = re.compile(r"\(\s*['\"](?:input|textarea)['\"]\s*[,)]")
_CALLEE = re.compile(r"([A-Za-z_$][\w$]{0,30})\s*$")
_NOT_BUILDERS = frozenset(
    {
        "addEventListener",
        "removeEventListener",
        "dispatchEvent",
        "Event",
        "on",
        "off",
        "one",
        "bind",
        "unbind",
        "trigger",
        "querySelector",
        "querySelectorAll",
        "getElementsByTagName",
        "find",
        "is",
        "closest",
        "filter",
        "children",
        "$",
        "jQuery",
    }
)
_JS_STRING = re.compile(r"'([^'\\\n<>{}();=]{2,40})'|\"([^\"\\\n<>{}();=]{2,40})\"")
_DOM_LITERALS_MAX = 200
# The texts such a script shows: string literals of up to 200 characters, sentences included.
_JS_TEXT = re.compile(r"'([^'\\\n<>{}]{2,200})'|\"([^\"\\\n<>{}]{2,200})\"")
# Markup a script joins from strings and data (``'<label>' + x.t + '</label><input name="'
# + x.k + '">'``, a single-page app drawing its form from a JSON block): its labels and
# texts are the string literals of the page's data, not of the markup.
_JOINED_MARKUP = re.compile(r"<(?:input|label)\b[^<]{0,300}?['\"`]\s*\+", re.I)
# Flat JSON objects of a form config and their string members.
_JSON_OBJECT = re.compile(r"\{[^{}]{0,600}\}")
_JSON_PAIR = re.compile(r'"([A-Za-z_-]{1,20})"\s*:\s*"([^"\\]{0,120})"')
_JSON_ATTRS = {
    "name": "name",
    "id": "id",
    "type": "type",
    "placeholder": "placeholder",
    "autocomplete": "autocomplete",
    "label": "aria-label",
    "title": "title",
}


@dataclass(frozen=True, slots=True)
class Field:
    """An input field asking for something: its kind and a CSS-like locator."""

    kind: str
    where: str
    form: int | None  # index of its form, None outside any form


@dataclass(frozen=True, slots=True)
class Form:
    """A form: where it posts (absolute when the page URL is known), method, field kinds."""

    index: int
    action: str
    method: str
    kinds: tuple[str, ...]
    layout: str  # input types and kinds in order, for the structural fingerprint


@dataclass(frozen=True, slots=True)
class Resource:
    """An image, style sheet, script or icon the page loads."""

    kind: str  # img, css, script, icon
    url: str
    text: str = ""  # alt/title/class/id of an image (for logos)


@dataclass
class PageFeatures:
    """Everything the rules and the model look at."""

    title: str = ""
    text: str = ""  # folded visible text (capped)
    headings: str = ""  # folded text of h1-h3 and legends
    alt_text: str = ""  # folded alt text of images (pages whose words are pictures)
    fields: list[Field] = field(default_factory=list)
    # Fields in markup that inline scripts hold as strings (a multi-step kit writes its card
    # form in step 2); kept apart from ``fields`` so the page model sees what it was trained on.
    script_fields: list[Field] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    script_text: str = ""
    # What inline scripts hide (decoded base64 and char-code strings; the scripts with hex
    # escapes undone) and the visible text of the markup among it; for the rules only, like
    # ``script_fields``.
    script_hidden: str = ""
    script_unescaped: str = ""
    hidden_text: str = ""
    hidden_headings: str = ""
    hidden_resources: list[Resource] = field(default_factory=list)  # images of hidden markup
    decoded: int = 0  # encoded strings that decoded to markup or code
    script_urls: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # tag names in document order
    links: list[str] = field(default_factory=list)  # a[href], absolute when possible
    counts: dict[str, int] = field(default_factory=dict)
    source_words: frozenset[str] = frozenset()  # identifiers of the HTML source (model input)
    site_names: list[str] = field(default_factory=list)  # og:site_name, application-name


class _Base:
    """Makes references absolute quickly (urljoin only for the rare odd relative forms)."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.scheme = self.origin = self.folder = ""
        if url:
            try:
                parts = urlsplit(url)
            except ValueError:
                self.url = None
                return
            self.scheme = parts.scheme
            self.origin = f"{parts.scheme}://{parts.netloc}"
            self.folder = self.origin + parts.path[: parts.path.rfind("/") + 1]

    def __call__(self, ref: str) -> str:
        ref = ref.strip()
        if not self.url or ref.startswith(("http://", "https://")):
            return ref
        if ref.startswith("//"):
            return f"{self.scheme}:{ref}"
        if ref.startswith("/"):
            return self.origin + ref
        if ref[:1].isalnum() and ":" not in ref.split("/", 1)[0]:
            return self.folder + ref
        try:
            return urljoin(self.url, ref)
        except ValueError:
            return ref


def _locator(node: LexborNode) -> str:
    attrs = node.attributes
    for key in ("id", "name"):
        if attrs.get(key):
            return f"{node.tag}[{key}={attrs[key]}]"
    return f"{node.tag}[type={attrs.get('type') or 'text'}]"


def _labels(tree: LexborHTMLParser, aria: bool = True) -> dict[str, str]:
    """Label text by the id of the field it names (``<label for>``), and, under the key
    ``aria:`` + the element's id, the text of each element that ``aria-labelledby`` refers
    to (``<span id="l-kart">Kart nömrəsi</span> ... <input aria-labelledby="l-kart">``)."""
    out: dict[str, str] = {}
    for label in tree.css("label[for]"):
        target = label.attributes.get("for")
        if target:
            out[target] = label.text(deep=True, separator=" ", strip=True)
    wanted: set[str] = set()
    for node in tree.css("[aria-labelledby]") if aria else ():
        wanted.update((node.attributes.get("aria-labelledby") or "").split())
    if wanted:
        for node in tree.css("[id]"):
            ref = node.attributes.get("id") or ""
            if ref in wanted:
                out[f"aria:{ref}"] = node.text(deep=True, separator=" ", strip=True)[:200]
    return out


# Elements that kits use as a field's label when they use no <label>.
_LABEL_LIKE = frozenset({"div", "span", "small", "p", "b", "strong"})
_LABEL_MAX = 80


def _label_before(node: LexborNode) -> str:
    """The text of a ``<label>`` without ``for`` right before the field (``<label>CVV</label>
    <input name="x3">``: kits name their fields x1, x2 and say what they are in the label),
    or of a short text element there that holds no field itself (``<small>Три цифры на
    обороте</small><input id="c">``), or the alt text of an image there (a label drawn as a
    picture)."""
    prev = node.prev
    while prev is not None and prev.tag == "-text" and not prev.text(deep=False).strip():
        prev = prev.prev
    if prev is None:
        return ""
    if prev.tag == "label":
        return "" if prev.attributes.get("for") else prev.text(deep=True, separator=" ", strip=True)
    if prev.tag == "img":  # a label drawn as a picture
        alt = (prev.attributes.get("alt") or "").strip()
        return alt if len(alt) <= _LABEL_MAX else ""
    if prev.tag in _LABEL_LIKE:
        text = prev.text(deep=True, separator=" ", strip=True)
        if text and len(text) <= _LABEL_MAX and prev.css_first("input, select, textarea") is None:
            return text
    return ""


def _field_kind(node: LexborNode, labels: dict[str, str], lex: PageLexicon) -> str | None:
    """The kind of a field: by its autocomplete token, else by its own text (attributes and
    the labels that name it), else by the text right before it, else by its type. Its own
    text comes first because the text before it may be an instruction naming several
    fields ("enter your mobile number and password"). An e-mail field is none of the kinds."""
    attrs = node.attributes
    input_type = (attrs.get("type") or "text").lower()
    if input_type in ("hidden", "submit", "button", "checkbox", "radio", "image", "reset"):
        return None
    autocomplete = (attrs.get("autocomplete") or "").lower()
    if input_type == "email":
        return lex.field_kind("", autocomplete, "")
    parts = [attrs.get(a) or "" for a in _FIELD_ATTRS]
    for ref in (attrs.get("aria-labelledby") or "").split():
        parts.append(labels.get(f"aria:{ref}", ""))
    node_id = attrs.get("id")
    labelled = bool(node_id and node_id in labels)
    if labelled:
        parts.append(labels[node_id or ""])
    parent = node.parent
    if parent is not None and parent.tag == "label":
        parts.append(parent.text(deep=True, separator=" ", strip=True))
        labelled = True
    kind = lex.field_kind(fold(" ".join(p for p in parts if p)), autocomplete, "")
    if kind is None and not labelled:
        before = _label_before(node)
        if before:
            kind = lex.field_kind(fold(before), "", "")
    return kind if kind is not None else lex.field_kind("", "", input_type)


def _forms(
    tree: LexborHTMLParser,
    base: _Base,
    labels: dict[str, str],
    lex: PageLexicon,
    feats: PageFeatures,
) -> None:
    form_nodes = tree.css("form")
    seen: set[int] = set()
    for index, form in enumerate(form_nodes):
        kinds: list[str] = []
        layout: list[str] = []
        nodes = form.css("input, select, textarea")
        split = _split_card(nodes)
        for node in nodes:
            seen.add(node.mem_id)
            kind = _field_kind(node, labels, lex)
            if kind is None and node.mem_id in split:
                kind = "card"
            layout.append(f"{node.tag}:{node.attributes.get('type') or ''}:{kind or ''}")
            if kind is not None:
                kinds.append(kind)
                feats.fields.append(Field(kind, _locator(node), index))
        attrs = form.attributes
        feats.forms.append(
            Form(
                index=index,
                action=base(attrs.get("action") or ""),
                method=(attrs.get("method") or "get").lower(),
                kinds=tuple(kinds),
                layout=",".join(layout),
            )
        )
    for node in tree.css("input, select, textarea"):
        if node.mem_id in seen:
            continue
        kind = _field_kind(node, labels, lex)
        if kind is not None:
            feats.fields.append(Field(kind, _locator(node), None))


_SPLIT_TYPES = frozenset({"text", "tel", "number", "password"})


def _split_card(nodes: list[LexborNode]) -> set[int]:
    """The first input of each run of four or more text inputs of four characters each: a
    card number split over four boxes, as kits and some banks ask for it."""
    out: set[int] = set()
    run: list[LexborNode] = []
    for node in [*nodes, None]:
        if node is not None and node.tag == "input":
            attrs = node.attributes
            kind = (attrs.get("type") or "text").lower()
            if kind in _SPLIT_TYPES and (attrs.get("maxlength") or "").strip() == "4":
                run.append(node)
                continue
        if len(run) >= 4:
            out.add(run[0].mem_id)
        run = []
    return out


class _Refs:
    """How the page's own references are written (before any base URL is applied): absolute
    ones, their hosts, and "Save page as" folders. Copied kits keep the original site's
    absolute addresses or a saved ``*_files/`` folder; a site's own pages mostly use relative
    ones. Independent of the page's address, so training and serving see the same values."""

    __slots__ = ("absolute", "files", "hosts", "relative")

    def __init__(self) -> None:
        self.absolute = self.relative = self.files = 0
        self.hosts: Counter[str] = Counter()

    def add(self, ref: str) -> None:
        if ref.startswith(("http://", "https://", "//")):
            self.absolute += 1
            self.hosts[host_of(ref if ref[0] != "/" else "http:" + ref)] += 1
        elif ref and not ref.startswith(("data:", "#", "javascript:", "mailto:", "tel:")):
            self.relative += 1
        if "_files/" in ref:
            self.files += 1

    def count(self, prefix: str, feats: PageFeatures) -> None:
        top = max(self.hosts.values(), default=0)
        feats.counts |= {
            f"{prefix}_abs": self.absolute,
            f"{prefix}_rel": self.relative,
            f"{prefix}_top_host": top,
            f"{prefix}_hosts": len(self.hosts),
            f"{prefix}_files": self.files,
        }


def _image(img: LexborNode, base: _Base) -> Resource:
    """An image with the words that may name it a logo (alt, title, class, id)."""
    a = img.attributes
    hint = " ".join(a.get(k) or "" for k in ("alt", "title", "class", "id"))
    return Resource("img", base((a.get("src") or "").strip()), hint.lower())


def _resources(tree: LexborHTMLParser, base: _Base, feats: PageFeatures, res: _Refs) -> None:
    for img in tree.css("img[src]"):
        res.add((img.attributes.get("src") or "").strip())
        feats.resources.append(_image(img, base))
    for link in tree.css("link[href]"):
        a = link.attributes
        rel = (a.get("rel") or "").lower()
        if "icon" in rel or "stylesheet" in rel:
            href = (a.get("href") or "").strip()
            res.add(href)
            feats.resources.append(Resource("icon" if "icon" in rel else "css", base(href)))
    anchors = tree.css("a[href]")
    empty = 0
    refs = _Refs()
    for anchor in anchors:
        href = (anchor.attributes.get("href") or "").strip()
        refs.add(href)
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            feats.links.append(base(href))
        elif not href or href.startswith(("#", "javascript:")):
            empty += 1
    refs.count("a", feats)
    feats.counts["hrefs"] = len(anchors)
    feats.counts["empty_hrefs"] = empty


def _scripts(tree: LexborHTMLParser, base: _Base, feats: PageFeatures, res: _Refs) -> None:
    chunks: list[str] = []
    size = 0
    for script in tree.css("script"):
        src = script.attributes.get("src")
        if src:
            res.add(src.strip())
            url = base(src)
            feats.script_urls.append(url)
            feats.resources.append(Resource("script", url))
            continue
        body = script.text(deep=True)
        if body and size < MAX_SCRIPT:
            chunks.append(body[: MAX_SCRIPT - size])
            size += len(chunks[-1])
    feats.script_text = "\n".join(chunks)


def _decoded_scripts(text: str) -> list[str]:
    """Markup and code that scripts hide in encoded strings (long base64 literals,
    char-code arrays), two levels deep (a decoded script may hold another encoded string);
    decoded strings without markup or code (an image, a font) are left out."""
    out: list[str] = []
    pending = [text[:MAX_SCRIPT]]
    for _level in range(2):
        found: list[str] = []
        for chunk in pending:
            for blob in _encoded_strings(chunk):
                if _DECODED_HINT.search(blob) and len(out) + len(found) < _DECODED_MAX:
                    found.append(blob[:MAX_SCRIPT])
        out += found
        pending = found
        if not pending:
            break
    return out


def _encoded_strings(text: str) -> list[str]:
    out: list[str] = []
    if "fromCharCode" in text:
        for match in _CHAR_CODES.finditer(text):
            codes = [int(c) for c in match.group(1).split(",")]
            if all(0 < c < 0x110000 and not 0xD800 <= c <= 0xDFFF for c in codes):
                out.append("".join(map(chr, codes)))
    for match in _B64_LITERAL.finditer(text):
        raw = match.group(1)
        try:
            out.append(base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True).decode())
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
    return out


def _hidden_scripts(feats: PageFeatures) -> None:
    """Fill ``script_hidden``, ``script_unescaped`` and ``decoded`` from the inline scripts."""
    text = feats.script_text
    if not text:
        return
    decoded = _decoded_scripts(text)
    if "\\x" in text:  # hex-escaped strings ("\x74\x65\x6c...": an address hidden that way)
        feats.script_unescaped = _JS_ESCAPE.sub(_js_unescape, text)
    feats.decoded = len(decoded)
    feats.script_hidden = "\n".join(decoded)


def _js_unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    char = match.group(3)
    return {"n": "\n", "t": " ", "r": ""}.get(char, char)


def _pct_unescape(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


def _hidden_markup(
    tree: LexborHTMLParser, text: str, rare: frozenset[str]
) -> list[tuple[str, str, bool]]:
    """Markup the page holds outside its parsed tree, with where it was: what inline
    scripts write (``innerHTML = '<input ...>'``, also JS-, HTML- or percent-escaped as
    ``document.write(unescape('%3Cinput...'))`` writes it), field definitions that a
    script builds a form from (JSON objects with a ``name`` or ``autocomplete``), the
    literals of a script that creates inputs itself (:func:`_dom_fields`),
    ``<template>`` content that a script clones in, and ``<iframe srcdoc>`` documents.
    The flag is true for the scripts' whole text read as markup."""
    out: list[tuple[str, str, bool]] = []
    if _PCT_MARKUP.search(text):
        text = _PCT_ESCAPE.sub(_pct_unescape, text)
    writes_fields = _SCRIPT_FIELD.search(text) is not None
    if writes_fields:
        markup = _JS_ESCAPE.sub(_js_unescape, text).replace("&lt;", "<").replace("&gt;", ">")
        out.append(("script", markup, True))
    configs = _json_fields(text)
    if configs:
        out.append(("script", configs, False))
    built, said = _dom_fields(text, writes_fields)
    if built:
        out.append(("script", built, False))
        out.append(("script", said, False))
    for node in tree.css("template") if "<template" in rare else ():
        out.append(("template", _TEMPLATE_TAG.sub("", node.html or ""), False))
    for node in tree.css("iframe[srcdoc]") if "srcdoc" in rare else ():
        out.append(("iframe", node.attributes.get("srcdoc") or "", False))
    return out


def _json_fields(text: str) -> str:
    """Inputs written from the field definitions of a script's form config
    (``{"name": "card_number", "label": "Kart nömrəsi", "autocomplete": "cc-number"}``)."""
    if '"autocomplete"' not in text and not (
        '"name"' in text and any(f'"{k}"' in text for k in ("type", "label", "placeholder"))
    ):
        return ""
    inputs: list[str] = []
    for obj in _JSON_OBJECT.findall(text[:MAX_SCRIPT]):
        pairs = {k.lower(): v for k, v in _JSON_PAIR.findall(obj)}
        if not ({"name", "autocomplete"} & pairs.keys()):
            continue
        if not ({"type", "label", "placeholder", "autocomplete"} & pairs.keys()):
            continue
        attrs = " ".join(
            f'{_JSON_ATTRS[k]}="{escape(v, quote=True)}"'
            for k, v in pairs.items()
            if k in _JSON_ATTRS
        )
        inputs.append(f"<input {attrs}>")
        if len(inputs) >= 50:
            break
    return "".join(inputs)


def _dom_fields(text: str, writes_fields: bool) -> tuple[str, str]:
    """Inputs a script creates one by one (``document.createElement('input')``, or through a
    helper of a minified script: ``h("input", {p: "Kart nömrəsi"})``), or joins into markup
    from data (:data:`_JOINED_MARKUP`): one per short string literal of the page's scripts
    (their data blocks included) that has a letter, so that whichever of them names a
    sensitive field (a placeholder, a label in a table) counts as that field; and the same
    literals as paragraphs of words (the brand such a page shows is in its data).
    ``writes_fields``: the scripts hold field markup (:data:`_SCRIPT_FIELD`), without which
    there is no joined markup to look for."""
    builds = "createElement" in text and any(
        _builder(text, m.start()) for m in _DOM_INPUT.finditer(text)
    )
    if not builds and not (writes_fields and _JOINED_MARKUP.search(text)):
        return "", ""
    return _literals(_JS_STRING, text, '<input placeholder="{}">'), _literals(
        _JS_TEXT, text, "<p>{}</p>"
    )


def _literals(pattern: re.Pattern[str], text: str, shape: str) -> str:
    """Markup of the string literals ``pattern`` finds in ``text`` that have a letter, each
    written into ``shape`` (at most :data:`_DOM_LITERALS_MAX`)."""
    out: list[str] = []
    for match in pattern.finditer(text[:MAX_SCRIPT]):
        literal = match.group(1) or match.group(2)
        if any(ch.isalpha() for ch in literal):
            out.append(shape.format(escape(literal, quote=True)))
            if len(out) >= _DOM_LITERALS_MAX:
                break
    return "".join(out)


def _builder(text: str, paren: int) -> bool:
    """Whether the function called at ``paren`` may build an element (not an event or
    selector call such as ``addEventListener`` or ``querySelector``)."""
    callee = _CALLEE.search(text, max(0, paren - 32), paren)
    return callee is not None and callee.group(1) not in _NOT_BUILDERS


def _script_fields(
    tree: LexborHTMLParser,
    base: _Base,
    feats: PageFeatures,
    lex: PageLexicon,
    rare: frozenset[str],
) -> None:
    """Fields of the markup the page holds outside its parsed tree (see
    :func:`_hidden_markup`), and its words, headings and images (a kit that writes its
    whole page from a script names its brand there); the rules count them, the page model
    does not see them."""
    text = (
        f"{feats.script_text}\n{feats.script_hidden}" if feats.script_hidden else feats.script_text
    )
    words: list[str] = []
    heads: list[str] = []
    read = False
    for where, markup, whole in _hidden_markup(tree, text, rare):
        sub = LexborHTMLParser(markup)
        labels = _labels(sub)
        for node in sub.css("input, select, textarea"):
            kind = _field_kind(node, labels, lex)
            if kind is not None:
                feats.script_fields.append(Field(kind, f"{where} {_locator(node)}", None))
        _shown(sub, base, feats, words, heads)
        read = read or whole
    if not read and "<" in feats.script_hidden:  # decoded markup without fields: its words
        _shown(LexborHTMLParser(feats.script_hidden), base, feats, words, heads)
    feats.hidden_text = fold(" ".join(w for w in words if w))[:MAX_TEXT]
    feats.hidden_headings = fold(" ".join(heads))[:2000]


def _shown(
    sub: LexborHTMLParser, base: _Base, feats: PageFeatures, words: list[str], heads: list[str]
) -> None:
    """The words of the elements of hidden markup (each element's own text, so that nested
    elements do not repeat it, and script code between the strings of a script read as
    markup stays out), its ``h1``-``h3`` and its images."""
    for node in sub.css(_SHOWN_TAGS):
        words.append(node.text(deep=False, strip=True))
    heads.extend(n.text(deep=True, separator=" ", strip=True) for n in sub.css("h1, h2, h3"))
    feats.hidden_resources.extend(_image(img, base) for img in sub.css("img[src]"))


def extract(html: str, base_url: str | None, lex: PageLexicon) -> PageFeatures:
    """Read one page; ``base_url`` (where it was found) makes relative addresses absolute."""
    tree = LexborHTMLParser(html)
    source = html[:MAX_SOURCE].lower()
    # The rest of a long page, lowercased once for the rare markup below (with an overlap,
    # so that a mark across the cut is found).
    tail = html[MAX_SOURCE - 20 :].lower() if len(html) > MAX_SOURCE else ""
    feats = PageFeatures(source_words=source_words(source))
    base = _Base(base_url)
    base_tag = tree.css_first("base[href]")
    base_href = (base_tag.attributes.get("href") or "").strip() if base_tag is not None else ""
    if base_href and base_url:
        base = _Base(base(base_href))
    feats.counts |= {
        # Tells of a saved or mirrored copy of another site: the browser's "saved from url"
        # mark, HTTrack's "mirrored from" comment, a <base> pointing at an absolute address.
        "saved_from": int("<!-- saved from url=" in source),
        "mirrored": int("mirrored from" in source or "httrack" in source),
        "base_abs": int(base_href.startswith(("http://", "https://", "//"))),
    }
    title = tree.css_first("title")
    feats.title = title.text(strip=True)[:500] if title is not None else ""
    # Markup most pages lack, found by one scan so that its CSS queries run only when needed.
    # (Plain substring tests of the lowercased page: a case-insensitive regex with these
    # alternatives took seven times as long.)
    rare = frozenset(m for m in _RARE_MARKUP if m in source or m in tail)
    labels = _labels(tree, "aria-labelledby" in rare)
    _forms(tree, base, labels, lex, feats)
    res = _Refs()
    _resources(tree, base, feats, res)
    _scripts(tree, base, feats, res)
    _hidden_scripts(feats)
    _script_fields(tree, base, feats, lex, rare)
    res.count("res", feats)
    root = tree.root
    if root is not None:
        feats.tags = [t for n in root.traverse() if (t := n.tag) and t[0] != "-"]
    inputs = tree.css("input")
    feats.counts |= {
        "forms": len(feats.forms),
        "inputs": len(inputs),
        "hidden": sum(1 for n in inputs if (n.attributes.get("type") or "").lower() == "hidden"),
        "metas": len(tree.css("meta")),
        "bytes": len(html),
        "iframes": len(tree.css("iframe")),
        "links": len(feats.links),
        "scripts": len(feats.script_urls),
        "imgs": sum(1 for r in feats.resources if r.kind == "img"),
    }
    heads = [n.text(deep=True, separator=" ", strip=True) for n in tree.css("h1, h2, h3, legend")]
    feats.headings = fold(" ".join(heads))[:2000]
    feats.site_names = [
        (n.attributes.get("content") or "").strip()[:200]
        for n in tree.css('meta[property="og:site_name"], meta[name="application-name"]')
    ]
    alts = [(n.attributes.get("alt") or "").strip() for n in tree.css("img[alt]")]
    feats.alt_text = fold(" ".join(a for a in alts if a))[:2000]
    tree.strip_tags(["script", "style", "noscript", "template", "svg"])
    body = tree.body
    text = body.text(deep=True, separator=" ", strip=True) if body is not None else ""
    feats.text = fold(text[:MAX_TEXT])
    return feats


def source_words(source: str, *, compiled: bool = True) -> frozenset[str]:
    """The distinct identifiers of a page's (lowercased) source; the compiled scan and the
    regex give the same set."""
    if compiled and _source_words is not None:
        return _source_words(source)
    return frozenset(_SOURCE_WORD.findall(source))


@lru_cache(maxsize=8192)
def host_of(url: str) -> str:
    """The lowercase host of an absolute URL ('' for relative or odd ones): what
    ``urlsplit(url).hostname`` says, without its trailing dot."""
    # The common case without urlsplit: a plain ASCII http(s) address without white space,
    # IPv6 brackets or anything urlsplit would strip or refuse (the same answer, 4x faster).
    scheme = 8 if url[:8].lower() == "https://" else 7 if url[:7].lower() == "http://" else 0
    if scheme and url.isascii() and url.isprintable() and " " not in url:
        netloc = url[scheme:]
        for stop in "/?#":
            netloc = netloc.split(stop, 1)[0]
        if "[" not in netloc and "]" not in netloc:
            host, pct, zone = netloc.rpartition("@")[2].partition(":")[0].partition("%")
            return (host.lower() + pct + zone).rstrip(".")  # urlsplit keeps a zone's case
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
