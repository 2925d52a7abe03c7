"""The message detector: extract indicators, fold, run rules and the model, explain.

``analyze()`` is the full path for one message. ``analyze_batch()`` is the operator path:
repeated messages come from a verdict cache (:class:`VerdictCache`); for the others the
prefilter (``prefilter.py``) tells which could get a positive reason: a link or long digit
run, a model score worth a reason, a look-alike sender, or a fraud rule that fires on the
full fold. Only those go through the full path. The others get the verdict the full path
would give (score 0, benign, same brand and language), without indicators. See
docs/message.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from rapidfuzz import fuzz

from qalxan.detect.message.batchscan import VerdictCache, automaton, brand_literals
from qalxan.detect.message.extract import Extracted, Feature, extract
from qalxan.detect.message.kernel import quiet_verdicts
from qalxan.detect.message.model import TextModel
from qalxan.detect.message.normalize import Folded, Normalizer
from qalxan.detect.message.prefilter import Prefilter, Scan
from qalxan.detect.message.rules import RuleHit, RuleSet
from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.verdict import Indicator, Reason, Thresholds, Verdict

__all__ = ["CHANNELS", "SCHEMES", "MessageDetector", "MessageInput"]

CHANNELS: tuple[str, ...] = ("sms", "messenger", "social", "call_transcript")
_DEFAULT_CHANNEL = CHANNELS[0]  # a message given as a plain text
# The main scheme of a verdict is the strongest specific one (ties go to the more specific
# story: a takeover or a fake buyer also asks for a code or card data); the generic ones
# (impersonation, urgency, callback) only when nothing specific fired.
SCHEMES: tuple[str, ...] = (
    "account_takeover",
    "fake_buyer",
    "safe_account",
    "relative_in_trouble",
    "delivery_fee",
    "benefit",
    "prize",
    "investment",
    "otp_request",
    "card_data_request",
    "impersonation",
    "urgency",
    "callback",
)
_GENERIC = frozenset({"impersonation", "urgency", "callback"})
_MEMO_MAX = 10_000
_SURROGATE = re.compile("[\ud800-\udfff]")
_AZ_LETTERS = re.compile(r"[əğışçöüƏĞİŞÇÖÜ]")
_AZ_CYR = re.compile(r"[әғҹөүһјҝ]", re.IGNORECASE)
_CYR = re.compile(r"[\u0400-\u04ff]")
_AZ_WORDS = re.compile(r"\b(?:v[əe]|ucun|üçün|sizin|edin|olunub|salam|z[əe]hm[əe]t|kartiniz)\b")


@dataclass(frozen=True, slots=True)
class MessageInput:
    """One message: text, optional sender (SMS sender ID or number), channel and language."""

    text: str
    sender: str | None = None
    channel: str = _DEFAULT_CHANNEL
    lang: str | None = None


URLJudge = Callable[[str], Verdict]


class MessageDetector:
    """Scam messages in Azerbaijani, Russian and English (see ``docs/message.md``)."""

    kind: ClassVar[str] = "message"

    def __init__(
        self,
        *,
        normalizer: Normalizer,
        rules: RuleSet,
        brands: BrandRegistry,
        reasons: ReasonCatalog,
        lexicon: Mapping[str, Any],
        model: TextModel | None = None,
        url_detector: Any = None,
        card_key: bytes = b"",
        thresholds: Thresholds = Thresholds(),
        max_chars: int = 10_000,
        cache_size: int = 0,
        cache_ttl: float = 300.0,
        compiled: bool = True,
    ) -> None:
        self.normalizer = normalizer
        self.rules = rules
        self.brands = brands
        self.reasons = reasons
        self.lexicon = lexicon
        self.model = model
        self.url_detector = url_detector
        self.card_key = card_key
        self.thresholds = thresholds
        self.max_chars = max_chars
        self._weights: dict[str, float] = {k: float(v) for k, v in lexicon["weights"].items()}
        self._brand_patterns = self._compile_brands(brands, lexicon)
        self._rule_triggers = automaton(rules.triggers)
        self._brand_auto, self._brand_always = brand_literals(self._brand_patterns)
        # Pure look-ups, bounded memos (the registry and the URL detector are fixed once the
        # detector is built; campaigns repeat their senders, hosts and links).
        self._owner_of_host = lru_cache(maxsize=_MEMO_MAX)(brands.owner_of_host)
        self._suspect = lru_cache(maxsize=_MEMO_MAX)(self._sender_suspect_uncached)
        self._lookalike = lru_cache(maxsize=_MEMO_MAX)(self._lookalike_uncached)
        self._judge_url = lru_cache(maxsize=_MEMO_MAX)(self._judge_url_uncached)
        self._official_numbers = frozenset(
            n for b in brands for n in (*b.short_codes, *(p.replace(" ", "") for p in b.phones))
        )
        self._cache = VerdictCache(cache_size, cache_ttl) if cache_size > 0 else None
        self._benign = thresholds.label(0.0)
        self._prefilter = Prefilter(normalizer, rules, model, compiled=compiled)

    # -- set-up ------------------------------------------------------------------------------

    def _compile_brands(
        self, brands: BrandRegistry, lexicon: Mapping[str, Any]
    ) -> list[tuple[Brand, re.Pattern[str]]]:
        ambiguous = {self.normalizer.fast(str(w)) for w in lexicon["ambiguous_brand_words"]}
        out: list[tuple[Brand, re.Pattern[str]]] = []
        for brand in brands:
            words = {brand.name, *brand.keywords}
            for names in brand.names.values():
                words.update(names)
            folded = set()
            for w in words:
                f = self.normalizer.fast(w).strip()
                if len(f) >= 3 and f not in ambiguous:
                    folded.add(re.escape(f).replace(r"\ ", r"\s?"))
            if folded:
                alt = "|".join(sorted(folded, key=len, reverse=True))
                out.append((brand, re.compile(rf"(?<!\w)(?:{alt})")))
        return out

    # -- entry points ------------------------------------------------------------------------

    def analyze(self, item: MessageInput | str) -> Verdict:
        """The full verdict for one message (no I/O, no side effects)."""
        msg = _coerce(item)
        text = _encodable(msg.text[: self.max_chars])
        ex = extract(text, self.card_key)
        folded = self.normalizer.fold(text)
        return self._judge(msg, text, ex, folded, self._prefilter.probability(text))

    def analyze_batch(
        self, items: Sequence[MessageInput | str], stats: dict[str, int] | None = None
    ) -> list[Verdict]:
        """Verdicts for many messages, in order, through the fast path (module docstring).

        Messages seen recently (same text, sender, channel and language) come from the
        verdict cache. ``stats``, when given, counts the messages that took the ``cached``,
        ``quiet`` and ``full`` paths (``settled``: the quiet ones that needed the full fold
        and a try of the fraud rules to tell).
        """
        cache = self._cache
        if cache is None:
            # Plain texts stay strings; a MessageInput is made for the full path only.
            plain = [i if isinstance(i, str) else _coerce(i) for i in items]
            if stats is not None:
                stats["cached"] = stats.get("cached", 0)
            return self._score_batch(plain, stats)
        msgs = [_coerce(i) for i in items]
        out: list[Verdict | None] = [None] * len(msgs)
        todo = [i for i, m in enumerate(msgs) if (v := cache.get(m)) is None or _put(out, i, v)]
        if stats is not None:
            stats["cached"] = stats.get("cached", 0) + len(msgs) - len(todo)
        fresh = self._score_batch([msgs[i] for i in todo], stats)
        for i, v in zip(todo, fresh, strict=True):
            out[i] = v
        cache.put_many([msgs[i] for i in todo], fresh)
        return out  # type: ignore[return-value]

    def _score_batch(
        self, msgs: Sequence[MessageInput | str], stats: dict[str, int] | None
    ) -> list[Verdict]:
        """``msgs``: a plain ``str`` is a MessageInput with that text and the defaults."""
        if not msgs:
            return []
        limit = self.max_chars
        texts = [
            _encodable(t if len(t) <= limit else t[:limit])
            for t in (m if isinstance(m, str) else m.text for m in msgs)
        ]
        scan = self._prefilter.scan(texts)
        hard = self._hard(msgs, scan)
        # Soft signals (a rule's trigger and pattern, an obfuscation trick) are settled by
        # folding and trying the fraud rules: none fires, so no positive reason can come.
        folds: dict[int, Folded] = {}
        settled = 0
        tricks = scan.tricks
        for i in sorted(scan.soft - hard):
            folded = self.normalizer.fold(texts[i], tricky=i in tricks)
            if self._prefilter.fraud_fires(folded.text):
                hard.add(i)
                folds[i] = folded
            else:
                settled += 1
        out = self._quiet_batch(msgs, texts, scan.langs, hard)
        for i in sorted(hard):
            text = texts[i]
            ex = extract(text, self.card_key)
            folded = folds.get(i) or self.normalizer.fold(text, tricky=i in tricks)
            msg = _coerce(msgs[i])
            out[i] = self._judge(msg, text, ex, folded, scan.probs[i], scan.langs[i])
        if stats is not None:
            stats["quiet"] = stats.get("quiet", 0) + len(msgs) - len(hard)
            stats["settled"] = stats.get("settled", 0) + settled
            stats["full"] = stats.get("full", 0) + len(hard)
        return out  # type: ignore[return-value]

    def _hard(self, msgs: Sequence[MessageInput | str], scan: Scan) -> set[int]:
        """The messages with a hard signal, for the full path: a link, handle or card-like
        digit run, a model score worth a reason, a residual rule, a look-alike sender."""
        floor = self._weights["model_floor"]
        hard = set(scan.links)
        hard.update(i for i, p in enumerate(scan.probs) if p is not None and p >= floor)
        residual = self.rules.residual
        if residual is not None:
            hard.update(i for i, ft in enumerate(scan.fast) if residual.search(ft))
        hard.update(
            i
            for i, m in enumerate(msgs)
            if not isinstance(m, str) and self._sender_suspect(m.sender)
        )
        return hard

    def _quiet_batch(
        self,
        msgs: Sequence[MessageInput | str],
        texts: Sequence[str],
        langs: Sequence[str | None],
        hard: set[int],
    ) -> list[Verdict | None]:
        """The quiet verdicts of the messages not in ``hard``, in their places (None at the
        others); ``langs``: guess_lang's answers where the prefilter gives them."""
        out: list[Verdict | None] = [None] * len(msgs)
        places: list[int] = []
        quiet: list[str] = []
        extras: list[dict[str, Any]] = []
        for i, (msg, text, lang) in enumerate(zip(msgs, texts, langs, strict=True)):
            if i in hard:
                continue
            if not isinstance(msg, str) and msg.sender:
                out[i] = self._quiet(msg, text, lang)  # the brand of an official sender
                continue
            places.append(i)
            quiet.append(text)
            extras.append(_extra(msg, text, lang, None))
        made = quiet_verdicts(self.kind, self._benign, quiet, extras)
        for i, v in zip(places, made, strict=True):
            out[i] = v
        return out

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        return [
            "Kodunuz: 4821. Bu kodu heç kimə deməyin.",
            "Salam, bank əməkdaşıyam, SMS kodu deyin",
            "",
            "\x00\x01\ufffd",
            "😀😀😀",
            MessageInput("Ваша карта заблокирована", sender="+79161234567", channel="sms"),
        ]

    # -- internals ---------------------------------------------------------------------------

    def _quiet(self, msg: MessageInput, text: str, lang: str | None = None) -> Verdict:
        # What the full path gives a message without any positive evidence: score 0, and
        # the brand as context when the sender ID is official. ``lang``: guess_lang(text)
        # when the caller knows it.
        extra = _extra(msg, text, lang, None)
        sender = self.brands.by_sender(msg.sender) if msg.sender else None
        brand = None
        if sender is not None:
            # As in the full path: a brand named in the text comes first, then the sender's.
            named, _ = self._brand_mention(self.normalizer.fold(text))
            brand = (named or sender).id
        return Verdict(self.kind, text, self._benign, 0.0, (), (), brand, extra)

    def _reason(self, code: str, weight: float, evidence: str = "", **kw: Any) -> Reason:
        return self.reasons.reason(code, max(-1.0, min(1.0, weight)), evidence, **kw)

    def _judge(
        self,
        msg: MessageInput,
        text: str,
        ex: Extracted,
        folded: Folded,
        prob: float | None,
        lang: str | None = None,
    ) -> Verdict:
        kinds = {f.kind for f in ex.features}
        found = {w for _, w in self._rule_triggers.iter(folded.text)}
        hits = self.rules.evaluate(folded.text, kinds, self.rules.candidates(found))
        reasons = self._rule_reasons(hits, folded, ex.redacted)
        fraud = any(r.weight >= 0.3 for r in reasons)
        brand, brand_span = self._brand_mention(folded)
        sender_brand = self.brands.by_sender(msg.sender) if msg.sender else None
        reasons += self._url_reasons(ex.of("url"), ex.redacted)
        reasons = self._drop_official_callback(reasons, ex)
        fraud = fraud or any(r.weight >= 0.3 for r in reasons)
        brand = brand or self._url_brand(reasons)
        if brand is not None and fraud:
            ev = ex.redacted[brand_span[0] : brand_span[1]] if brand_span else brand.name
            reasons.append(
                self._reason(
                    "message.impersonation",
                    self._weights["impersonation"],
                    ev,
                    span=brand_span,
                    where="text",
                    brand=brand.name,
                )
            )
            reasons += self._foreign_number(ex, brand)
        if sender_brand is not None:
            reasons.append(
                self._reason(
                    "message.sender_official", 0.0, msg.sender or "", brand=sender_brand.name
                )
            )
        elif msg.sender:
            spoofed = self._sender_lookalike(msg.sender)
            if spoofed is not None:
                reasons.append(
                    self._reason(
                        "message.sender_lookalike",
                        self._weights["sender_lookalike"],
                        msg.sender,
                        where="sender",
                        brand=spoofed.name,
                    )
                )
                brand = brand or spoofed
        for card in ex.of("card"):
            reasons.append(
                self._reason(
                    "message.card_in_text",
                    self._weights["card_in_text"],
                    card.value,
                    span=card.span,
                    where="text",
                )
            )
        floor = self._weights["model_floor"]
        if prob is not None and prob >= floor:
            # The model alone is weaker evidence than a rule: its weight climbs from 0 at the
            # floor to model_max at model_full.
            span = self._weights["model_full"] - floor
            w = self._weights["model_max"] * min(1.0, (prob - floor) / span)
            reasons.append(self._reason("message.model", w, f"{prob:.2f}"))
        # Legitimacy reasons stand unless hard evidence (a rule or a link, not the model's
        # opinion) says fraud: a real OTP notice that the model dislikes stays benign.
        if any(r.weight >= 0.5 and r.code != "message.model" for r in reasons):
            reasons = [r for r in reasons if r.weight >= 0]
        extra = _extra(msg, text, lang, _main_scheme(reasons, hits))
        brand_id = brand.id if brand else (sender_brand.id if sender_brand else None)
        return Verdict.from_reasons(
            self.kind,
            ex.redacted,
            reasons,
            indicators=self._indicators(ex, msg),
            brand=brand_id if any(r.weight > 0 for r in reasons) or sender_brand else None,
            extra=extra,
            thresholds=self.thresholds,
        )

    def _rule_reasons(self, hits: Iterable[RuleHit], folded: Folded, redacted: str) -> list[Reason]:
        by_code: dict[str, Reason] = {}
        for hit in sorted(hits, key=lambda h: -h.rule.weight):
            if hit.rule.reason in by_code:
                continue
            span = folded.span(hit.start, hit.end)
            by_code[hit.rule.reason] = self._reason(
                hit.rule.reason,
                hit.rule.weight,
                redacted[span[0] : span[1]],
                span=span,
                where=f"rule:{hit.rule.id}",
            )
        return list(by_code.values())

    def _brand_mention(self, folded: Folded) -> tuple[Brand | None, tuple[int, int] | None]:
        best: tuple[int, Brand, tuple[int, int]] | None = None
        hit = {k for _, ks in self._brand_auto.iter(folded.text) for k in ks}
        # Only brands with one of their necessary literals in the text, in registry order.
        for k in sorted(hit | self._brand_always):
            brand, pattern = self._brand_patterns[k]
            m = pattern.search(folded.text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), brand, folded.span(m.start(), m.end()))
        if best is None:
            return None, None
        return best[1], best[2]

    def _url_reasons(self, urls: Sequence[Feature], redacted: str) -> list[Reason]:
        out: list[Reason] = []
        w = self._weights
        owners = [self._owner_of_host(f.attrs.get("host", "")) for f in urls]
        if urls and all(owners):
            # Links only to brands' own sites are a sign of a real notice; like every
            # legitimacy reason it stands only while no hard evidence says fraud.
            first = urls[0]
            out.append(
                self._reason(
                    "message.url_official",
                    w["url_official"],
                    redacted[first.span[0] : first.span[1]],
                    span=first.span,
                    where="url",
                    brand=owners[0].name,  # type: ignore[union-attr]
                )
            )
        for f, owner in zip(urls, owners, strict=True):
            registered = f.attrs.get("registered", "")
            ev = redacted[f.span[0] : f.span[1]]
            judged = self._judge_url(f.value)
            if judged is not None and judged.verdict != "benign":
                code = (
                    "message.url_malicious"
                    if judged.verdict == "malicious"
                    else "message.url_suspicious"
                )
                base = w["url_malicious"] if judged.verdict == "malicious" else w["url_suspicious"]
                brand = self.brands.get(judged.brand) if judged.brand else None
                out.append(
                    self._reason(
                        code,
                        max(base, judged.score) if judged.verdict == "malicious" else base,
                        ev,
                        span=f.span,
                        where="url",
                        brand=brand.name if brand else (judged.brand or "-"),
                    )
                )
            if owner is not None:
                continue
            lookalike = self._lookalike(registered)
            if lookalike is not None:
                out.append(
                    self._reason(
                        "message.url_brand_lookalike",
                        w["url_brand_lookalike"],
                        ev,
                        span=f.span,
                        where="url",
                        brand=lookalike.name,
                    )
                )
            suffix = registered.rsplit(".", 1)[-1]
            if registered in self.lexicon["shorteners"]:
                out.append(
                    self._reason("message.url_shortener", w["url_shortener"], ev, span=f.span)
                )
            elif suffix in self.lexicon["risky_suffixes"]:
                out.append(
                    self._reason("message.url_risky_suffix", w["url_risky_suffix"], ev, span=f.span)
                )
            if f.value.lower().split("?")[0].endswith(".apk"):
                out.append(self._reason("message.url_apk", w["url_apk"], ev, span=f.span))
        return out

    def _sender_suspect(self, sender: str | None) -> bool:
        """A sender ID that is not a brand's but imitates one."""
        return bool(sender) and self._suspect(sender)

    def _sender_suspect_uncached(self, sender: str) -> bool:
        return self.brands.by_sender(sender) is None and self._sender_lookalike(sender) is not None

    def _sender_lookalike(self, sender: str) -> Brand | None:
        """A brand whose sender ID or name the (unregistered) sender imitates."""
        s = re.sub(r"[^a-z0-9]", "", self.normalizer.fast(sender))
        if len(s) < 4 or s.isdigit():
            return None
        for brand in self.brands:
            for cand in (*brand.sender_ids, *brand.keywords):
                c = re.sub(r"[^a-z0-9]", "", self.normalizer.fast(cand))
                if len(c) >= 5 and (c in s or fuzz.ratio(s, c) >= 85):
                    return brand
        return None

    def _judge_url_uncached(self, url: str) -> Verdict | None:
        """The URL detector's verdict (memoised as ``_judge_url``: a campaign repeats its
        links across many messages)."""
        det = self.url_detector
        if det is None:
            return None
        fn = det.analyze if hasattr(det, "analyze") else det
        try:
            verdict: Verdict = fn(url)
        except ValueError:
            return None
        return verdict

    def _lookalike_uncached(self, registered: str) -> Brand | None:
        label = registered.split(".")[0].replace("-", "")
        for brand in self.brands:
            for kw in brand.keywords:
                k = kw.replace("-", "")
                if len(k) >= 5 and k in label:
                    return brand
        return None

    def _url_brand(self, reasons: Sequence[Reason]) -> Brand | None:
        for r in reasons:
            if r.code in ("message.url_brand_lookalike", "message.url_malicious"):
                for brand in self.brands:
                    if brand.name in r.message("en"):
                        return brand
        return None

    def _drop_official_callback(self, reasons: list[Reason], ex: Extracted) -> list[Reason]:
        numbers = ex.of("phone") + ex.of("short_code")
        if not numbers:
            return reasons
        official = self._official_numbers
        if all(f.value in official for f in numbers):
            return [r for r in reasons if r.code != "message.callback"]
        return reasons

    def _foreign_number(self, ex: Extracted, brand: Brand) -> list[Reason]:
        for f in ex.of("phone"):
            if f.attrs.get("country") not in ("AZ", ""):
                return [
                    self._reason(
                        "message.foreign_number_brand",
                        self._weights["foreign_number_brand"],
                        f.value,
                        span=f.span,
                        where="text",
                        brand=brand.name,
                    )
                ]
        return []

    def _indicators(self, ex: Extracted, msg: MessageInput) -> list[Indicator]:
        out = [
            Indicator(f.kind, f.value, {**f.attrs, "span": f"{f.span[0]}:{f.span[1]}"})
            for f in ex.features
        ]
        if msg.sender:
            out.append(Indicator("sender_id", msg.sender, {"channel": msg.channel}))
        return out


def _put(out: list[Verdict | None], i: int, v: Verdict) -> bool:
    out[i] = v
    return False


def _encodable(text: str) -> str:
    """``text`` with lone surrogates (a JSON escape such as ``\\ud800`` decodes to one) as
    U+FFFD, one for one so that spans stay: no encoder downstream accepts them."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def _extra(
    msg: MessageInput | str, text: str, lang: str | None, scheme: str | None
) -> dict[str, Any]:
    """A verdict's extras: scheme, language (the message's, else ``lang`` when the caller
    knows guess_lang's answer, else the guess) and channel; a plain text has the defaults."""
    if isinstance(msg, str):
        return {"scheme": scheme, "lang": lang or guess_lang(text), "channel": _DEFAULT_CHANNEL}
    return {"scheme": scheme, "lang": msg.lang or lang or guess_lang(text), "channel": msg.channel}


def _coerce(item: MessageInput | str) -> MessageInput:
    if isinstance(item, MessageInput):
        return item
    if isinstance(item, str):
        return MessageInput(item)
    raise TypeError(f"expected a message text, got {type(item).__name__}")


def _main_scheme(reasons: Sequence[Reason], hits: Sequence[RuleHit]) -> str | None:
    by_reason = {h.rule.reason: h.rule.scheme for h in hits if h.rule.scheme}
    scored: list[tuple[int, float, int, str]] = []
    for r in reasons:
        scheme = "impersonation" if r.code == "message.impersonation" else by_reason.get(r.code)
        if scheme and r.weight > 0:
            order = SCHEMES.index(scheme) if scheme in SCHEMES else len(SCHEMES)
            scored.append((int(scheme in _GENERIC), -r.weight, order, scheme))
    return min(scored)[3] if scored else None


def guess_lang(text: str) -> str:
    """A cheap guess of the language: az, ru or en (only for reporting and metrics)."""
    sample = text[:2000]
    if not sample.isascii():
        if _CYR.search(sample) is not None:
            if _AZ_CYR.search(sample):
                return "az"
            if len(_CYR.findall(sample)) > 0.3 * len(sample.replace(" ", "")):
                return "ru"
        if _AZ_LETTERS.search(sample):
            return "az"
    return "az" if _AZ_WORDS.search(sample.lower()) else "en"
