"""The message detector: extract indicators, fold, run rules and the model, explain.

``analyze()`` is the full path for one message. ``analyze_batch()`` is the operator path:
repeated messages come from a verdict cache (:class:`VerdictCache`); the others are folded,
scored by the model and flagged for links and tricks in one pass of the compiled kernel
(``kernel.py``; without it: ``str.translate``, the model vectorised over the batch and regex
scans), and scanned as one joined text by the trigger automaton. Only messages
that show a signal (a rule that could fire, a link or long digit run, an obfuscation trick, a
model score worth a reason or a look-alike sender) go through the full path. The others
cannot produce a positive reason, so they get the verdict the full path would give (score 0,
benign, same brand and language), without indicators. See docs/message.md.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rapidfuzz import fuzz

from qalxan.detect.message.batchscan import (
    VerdictCache,
    automaton,
    brand_literals,
    marked_texts,
    text_starts,
)
from qalxan.detect.message.extract import Extracted, Feature, extract
from qalxan.detect.message.kernel import (
    F_ASCII,
    F_AZ_WORD,
    F_MODEL_FALLBACK,
    F_TRICKY,
    F_URLISH,
    BatchKernel,
    build_kernel,
    flagged,
)
from qalxan.detect.message.model import TextModel
from qalxan.detect.message.normalize import TRICK_SCANS, Folded, Normalizer
from qalxan.detect.message.rules import RuleHit, RuleSet
from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.verdict import Indicator, Reason, Thresholds, Verdict

__all__ = ["CHANNELS", "SCHEMES", "MessageDetector", "MessageInput"]

CHANNELS: tuple[str, ...] = ("sms", "messenger", "social", "call_transcript")
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
# A necessary condition for a link, handle or card number in a fast-folded text.
_URLISH = re.compile(r"\.[a-z]{2}|@\w|[\[(](?:\.|dot)|h(?:tt|xx)ps?:|www|\d[\d -]{11,}\d")
# The separator of joined batch texts: the fast fold maps it to a space, so no folded text
# contains it (the model and the trigger scan rely on that).
_SEP = "\n"
_MEMO_MAX = 10_000
_MISSING = object()
# Every indicator kind a rule's ``requires`` can name (the batch prefilter takes them as met).
_ANY_KIND = frozenset({"amount", "card", "handle", "iban", "phone", "short_code", "url"})
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
    channel: str = "sms"
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
        self._triggers = automaton(rules.fraud_triggers)
        self._rule_triggers = automaton(rules.triggers)
        self._always_fraud = tuple(i for i in sorted(rules.always) if not rules.rules[i].legit)
        self._brand_auto, self._brand_always = brand_literals(self._brand_patterns)
        self._suspect_memo: dict[str, bool] = {}
        self._host_memo: dict[str, Brand | None] = {}
        self._lookalike_memo: dict[str, Brand | None] = {}
        self._url_memo: dict[str, Verdict | None] = {}
        self._official_numbers = frozenset(
            n for b in brands for n in (*b.short_codes, *(p.replace(" ", "") for p in b.phones))
        )
        self._cache = VerdictCache(cache_size, cache_ttl) if cache_size > 0 else None
        self._kernel = build_kernel(normalizer, model) if compiled else None

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
        return self._judge(msg, text, ex, folded, self._model_proba_one(text))

    def analyze_batch(
        self, items: Sequence[MessageInput | str], stats: dict[str, int] | None = None
    ) -> list[Verdict]:
        """Verdicts for many messages, in order, through the fast path (module docstring).

        Messages seen recently (same text, sender, channel and language) come from the
        verdict cache. ``stats``, when given, counts the messages that took the ``cached``,
        ``quiet`` and ``full`` paths (``settled``: the quiet ones that needed the full fold
        and a try of the fraud rules to tell).
        """
        msgs = [_coerce(i) for i in items]
        out: list[Verdict | None] = [None] * len(msgs)
        cache = self._cache
        if cache is not None:
            todo = [i for i, m in enumerate(msgs) if (v := cache.get(m)) is None or _put(out, i, v)]
        else:
            todo = list(range(len(msgs)))
        if stats is not None:
            stats["cached"] = stats.get("cached", 0) + len(msgs) - len(todo)
        fresh = self._score_batch([msgs[i] for i in todo], stats)
        for i, v in zip(todo, fresh, strict=True):
            out[i] = v
        if cache is not None:
            cache.put_many([msgs[i] for i in todo], fresh)
        return out  # type: ignore[return-value]

    def _score_batch(
        self, msgs: Sequence[MessageInput], stats: dict[str, int] | None
    ) -> list[Verdict]:
        if not msgs:
            return []
        limit = self.max_chars
        texts = [_encodable(m.text if len(m.text) <= limit else m.text[:limit]) for m in msgs]
        if self._kernel is not None:
            fast, probs, links, soft, langs = self._kernel_scan(self._kernel, texts)
        else:
            fast, probs, links, soft = self._python_scan(texts)
            langs = [None] * len(texts)
        floor = self._weights["model_floor"]
        residual = self.rules.residual.search if self.rules.residual is not None else None
        out: list[Verdict] = []
        quiet_n = settled = 0
        for i, (msg, text, ft, p) in enumerate(zip(msgs, texts, fast, probs, strict=True)):
            folded: Folded | None = None
            # Hard signals go to the full path: a link, handle or card-like digit run, a model
            # score worth a reason, a residual rule, a look-alike sender.
            hard = (
                i in links
                or (p is not None and p >= floor)
                or (residual is not None and residual(ft) is not None)
                or self._sender_suspect(msg.sender)
            )
            # Soft ones (a rule's trigger and pattern, an obfuscation trick) are settled by
            # folding and trying the fraud rules: none fires, so no positive reason can come.
            if not hard and i in soft:
                folded = self.normalizer.fold(text)
                hard = self._fraud_fires(folded.text)
                settled += not hard
            if not hard:
                quiet_n += 1
                out.append(self._quiet(msg, text, langs[i]))
            else:
                ex = extract(text, self.card_key)
                folded = folded or self.normalizer.fold(text)
                out.append(self._judge(msg, text, ex, folded, p))
        if stats is not None:
            stats["quiet"] = stats.get("quiet", 0) + quiet_n
            stats["settled"] = stats.get("settled", 0) + settled
            stats["full"] = stats.get("full", 0) + len(msgs) - quiet_n
        return out

    def _fraud_fires(self, folded: str) -> bool:
        """Whether a fraud rule fires on a folded text, whatever indicators it has (a rule's
        ``requires`` is taken as met)."""
        found = {w for _, w in self._triggers.iter(folded)}
        rules = self.rules.rules
        for i in (*self.rules.fraud_candidates(found), *self._always_fraud):
            if rules[i].match(folded, _ANY_KIND) is not None:
                return True
        return False

    def _python_scan(
        self, texts: Sequence[str]
    ) -> tuple[list[str], list[float | None], set[int], set[int]]:
        """Fast folds, model probabilities, the messages with a link-like shape and those
        with a soft signal (a rule that may fire, a trick), in Python."""
        fast_fold = self.normalizer.fast
        fast = [fast_fold(t) for t in texts]
        probs = self._model_proba(fast)
        # One scan of all texts joined by "\n" (the fast fold leaves none inside a text) per
        # prefilter; a match marks every message it overlaps, and marked messages are checked
        # again on their own text, so the outcome is the per-message one (see docs/message.md).
        joined_fast = _SEP.join(fast)
        links = marked_texts(_URLISH, joined_fast, text_starts(fast))
        soft = self._rule_docs(joined_fast, fast, links)
        if len(links) < len(texts):
            soft |= self._tricky_docs(texts)
        return fast, probs, links, soft

    def _kernel_scan(
        self, kernel: BatchKernel, texts: Sequence[str]
    ) -> tuple[list[str], list[float | None], set[int], set[int], list[str | None]]:
        """What :meth:`_python_scan` gives, from the compiled kernel (the same values), and
        the language of the ASCII texts."""
        fast, probs, flags = kernel.scan(list(texts))
        if self.model is None:
            probs = [None] * len(texts)
        else:
            for i in flagged(flags, F_MODEL_FALLBACK):
                probs[i] = self.model.predict_proba_one(fast[i])
        links = set(flagged(flags, F_URLISH))
        soft = self._rule_docs(_SEP.join(fast), fast, links)
        needs = Normalizer.needs_full
        soft.update(i for i in flagged(flags, F_TRICKY) if needs(texts[i]))
        langs: list[str | None] = [
            ("az" if f & F_AZ_WORD else "en") if f & F_ASCII else None for f in flags
        ]
        return fast, probs, links, soft, langs

    def _rule_docs(self, joined: str, fast: Sequence[str], skip: set[int]) -> set[int]:
        """Messages (other than ``skip``) where a fraud rule's trigger and ``any`` pattern
        are both in the fast fold."""
        starts = text_starts(fast)
        found: dict[int, set[str]] = {}
        for start, word in self._triggers.iter(joined):
            doc = bisect_right(starts, start) - 1
            found.setdefault(doc, set()).add(word)
        return {
            d
            for d, words in found.items()
            if d not in skip and self._may_fire_found(fast[d], words)
        }

    def _tricky_docs(self, texts: Sequence[str]) -> set[int]:
        """Messages that :meth:`Normalizer.needs_full` sends to the full fold."""
        joined = _SEP.join(texts)
        starts = text_starts(texts)
        marked: set[int] = set()
        for pattern in TRICK_SCANS:
            marked |= marked_texts(pattern, joined, starts)
        needs = Normalizer.needs_full
        return {i for i in marked if needs(texts[i])}

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

    def _may_fire_found(self, fast: str, found: set[str]) -> bool:
        """Whether a fraud rule could fire on a fast-folded text containing the literal
        triggers ``found``: one of its ``any`` patterns matches."""
        if not found:
            return False
        rules = self.rules.rules
        for i in self.rules.fraud_candidates(found):
            if any(p.search(fast) for p in rules[i].any):
                return True
        return False

    def _model_proba_one(self, text: str) -> float | None:
        if self.model is None:
            return None
        if self._kernel is not None:
            prob = self._kernel.scan([text])[1][0]
            if prob is not None:
                return prob
        return self.model.predict_proba_one(self.normalizer.fast(text))

    def _model_proba(self, fast: Sequence[str]) -> list[float | None]:
        if self.model is None:
            return [None] * len(fast)
        return [float(p) for p in self.model.predict_proba(fast)]

    def _quiet(self, msg: MessageInput, text: str, lang: str | None = None) -> Verdict:
        # What the full path gives a message without any positive evidence: score 0, and
        # the brand as context when the sender ID is official. ``lang``: guess_lang(text)
        # when the caller knows it.
        extra = {
            "scheme": None,
            "lang": msg.lang or lang or guess_lang(text),
            "channel": msg.channel,
        }
        sender = self.brands.by_sender(msg.sender) if msg.sender else None
        brand = None
        if sender is not None:
            # As in the full path: a brand named in the text comes first, then the sender's.
            named, _ = self._brand_mention(self.normalizer.fold(text))
            brand = (named or sender).id
        return Verdict(self.kind, text, self.thresholds.label(0.0), 0.0, (), (), brand, extra)

    def _reason(self, code: str, weight: float, evidence: str = "", **kw: Any) -> Reason:
        return self.reasons.reason(code, max(-1.0, min(1.0, weight)), evidence, **kw)

    def _judge(
        self,
        msg: MessageInput,
        text: str,
        ex: Extracted,
        folded: Folded,
        prob: float | None,
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
        extra = {
            "scheme": _main_scheme(reasons, hits),
            "lang": msg.lang or guess_lang(text),
            "channel": msg.channel,
        }
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
        for k, (brand, pattern) in enumerate(self._brand_patterns):
            if k not in hit and k not in self._brand_always:
                continue  # none of the brand's necessary literals is in the text
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
        if not sender:
            return False
        known = self._suspect_memo.get(sender)
        if known is None:
            known = self.brands.by_sender(sender) is None and (
                self._sender_lookalike(sender) is not None
            )
            if len(self._suspect_memo) >= _MEMO_MAX:
                self._suspect_memo.clear()
            self._suspect_memo[sender] = known
        return known

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

    def _judge_url(self, url: str) -> Verdict | None:
        """The URL detector's verdict, memoised: detectors are pure and fixed once built, and
        a campaign repeats its links across many messages."""
        det = self.url_detector
        if det is None:
            return None
        memo = self._url_memo
        hit = memo.get(url, _MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        fn = det.analyze if hasattr(det, "analyze") else det
        try:
            verdict: Verdict | None = fn(url)
        except ValueError:
            verdict = None
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[url] = verdict
        return verdict

    def _owner_of_host(self, host: str) -> Brand | None:
        """``brands.owner_of_host``, memoised (the registry is fixed for a detector, as the
        compiled brand patterns already assume)."""
        memo = self._host_memo
        hit = memo.get(host, _MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        brand = self.brands.owner_of_host(host)
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[host] = brand
        return brand

    def _lookalike(self, registered: str) -> Brand | None:
        memo = self._lookalike_memo
        hit = memo.get(registered, _MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        brand = self._lookalike_slow(registered)
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[registered] = brand
        return brand

    def _lookalike_slow(self, registered: str) -> Brand | None:
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
