"""The batch path's prefilter: which messages of a batch could get a positive reason.

A positive reason can only come from a fraud rule, a link, handle or card number, a model
score of at least the floor, or a look-alike sender. :meth:`Prefilter.scan` gives, for a batch,
the fast folds, the model's probabilities, the messages with a link-like shape (a *hard*
signal: they take the full path) and those with a *soft* one (a rule's literal trigger and
``any`` pattern in the fast fold, an obfuscation trick): :meth:`Prefilter.fraud_fires` settles
a soft one on the message's full fold. The compiled kernel (``kernel.py``) does the fold, the
model and the flags in one pass; without it the same values come from ``str.translate``, the
model vectorised over the batch and regex scans of the texts joined by ``\\n`` (which the
fast fold never leaves inside a text). See docs/message.md.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from qalxan.detect.message.batchscan import automaton, marked_texts, text_starts
from qalxan.detect.message.kernel import (
    F_AZ,
    F_MODEL_FALLBACK,
    F_RU,
    F_TRICKY,
    F_URLISH,
    BatchKernel,
    build_kernel,
    flagged,
)
from qalxan.detect.message.model import TextModel
from qalxan.detect.message.normalize import TRICK_SCANS, Normalizer
from qalxan.detect.message.rules import RuleSet
from qalxan.domain.url import suffix_tlds

__all__ = ["ANY_KIND", "URLISH", "Prefilter", "Scan", "tld_dot"]

# With tld_dot on the original text, a necessary condition for a link, handle or card
# number: this on the fast-folded text (handles, defanged dots, schemes, long digit runs).
URLISH = re.compile(r"@\w|[\[(](?:\.|dot)|h(?:tt|xx)ps?:|www|\d[\d -]{11,}\d")
# A dot and the run of letters after it, as extract's bare-domain pattern reads letters
# (``[a-z]`` with IGNORECASE also takes ſ, the Kelvin sign, İ and ı).
_TLD_RUN = re.compile("\\.([a-zA-Z\u017f\u212a\u0130\u0131]{2,})")
_RUN_ASCII = {0x17F: "s", 0x212A: "k"}
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
TLD_PACK = 12  # the kernel keys TLDs of up to this many letters; longer runs always count
# Every indicator kind a rule's ``requires`` can name (the prefilter takes them as present).
ANY_KIND = frozenset({"amount", "card", "handle", "iban", "phone", "short_code", "url"})
# The separator of joined batch texts: the fast fold maps it to a space, so no folded text
# contains it (the model and the trigger scan rely on that).
_SEP = "\n"


@dataclass(frozen=True, slots=True)
class Scan:
    """What the prefilter saw in a batch (indexes into it)."""

    fast: list[str]
    probs: list[float | None]
    links: set[int]  # a link-like shape or a long digit run: hard
    soft: set[int]  # a rule that may fire, or an obfuscation trick
    tricks: set[int]  # Normalizer.needs_full holds (an obfuscation trick; also in soft)
    langs: list[str | None]  # guess_lang's answer where the kernel gives it


def tld_dot(text: str, tlds: frozenset[str] | None) -> bool:
    """Whether ``text`` (original, not folded) has a dot followed by two or more letters
    that are a TLD of ``tlds`` (any, when None). A bare domain ends so, and a host whose
    last label is no TLD has no public suffix, so extract drops it. A run longer than
    ``TLD_PACK`` letters, or with İ or ı, counts: a superset is safe."""
    if "." not in text:
        return False
    for m in _TLD_RUN.finditer(text):
        run = m.group(1)
        if tlds is None or len(run) > TLD_PACK or "\u0130" in run or "\u0131" in run:
            return True
        if run.translate(_RUN_ASCII).lower() in tlds:
            return True
    return False


def _union(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern matching where any of ``patterns`` does (None: none, or one that cannot
    be joined, such as a back-reference or a global flag inside)."""
    if not patterns or len({p.flags for p in patterns}) != 1:
        return None
    text = "|".join(f"(?:{p.pattern})" for p in patterns)
    if _BACKREF.search(text):
        return None
    try:
        return re.compile(text, patterns[0].flags)
    except re.error:
        return None


class Prefilter:
    """The batch prefilter of one rule set, normaliser and model (see the module docstring)."""

    def __init__(
        self,
        normalizer: Normalizer,
        rules: RuleSet,
        model: TextModel | None,
        *,
        compiled: bool = True,
    ) -> None:
        self.normalizer = normalizer
        self.rules = rules
        self.model = model
        self.tlds = suffix_tlds()
        self.kernel: BatchKernel | None = (
            build_kernel(normalizer, model, self.tlds) if compiled else None
        )
        self._triggers = automaton(rules.fraud_triggers)
        self._always_fraud = tuple(i for i in sorted(rules.always) if not rules.rules[i].legit)
        # Each rule's ``any`` patterns as one alternation: one search tells whether one of
        # them matches (a pattern that cannot join one keeps the rule on its own patterns).
        self._any_union = [_union(r.any) for r in rules.rules]

    def scan(self, texts: Sequence[str]) -> Scan:
        """The prefilter's view of a batch of texts."""
        if self.kernel is not None:
            return self._kernel_scan(self.kernel, texts)
        return self._python_scan(texts)

    def probability(self, text: str) -> float | None:
        """The model's probability for one text (None without a model)."""
        if self.model is None:
            return None
        if self.kernel is not None:
            prob = self.kernel.scan([text])[1][0]
            if prob is not None:
                return prob
        return self.model.predict_proba_one(self.normalizer.fast(text))

    def fraud_fires(self, folded: str) -> bool:
        """Whether a fraud rule fires on a folded text, whatever indicators it has (a rule's
        ``requires`` is taken as met)."""
        found = {w for _, w in self._triggers.iter(folded)}
        rules = self.rules.rules
        for i in (*self.rules.fraud_candidates(found), *self._always_fraud):
            if rules[i].match(folded, ANY_KIND) is not None:
                return True
        return False

    # -- internals ---------------------------------------------------------------------------

    def _python_scan(self, texts: Sequence[str]) -> Scan:
        fast_fold = self.normalizer.fast
        fast = [fast_fold(t) for t in texts]
        probs: list[float | None] = (
            [float(p) for p in self.model.predict_proba(fast)]
            if self.model is not None
            else [None] * len(fast)
        )
        # One scan of all texts joined per pattern; a match marks every message it overlaps,
        # and marked messages are checked again on their own text, so the outcome is the
        # per-message one.
        joined_fast = _SEP.join(fast)
        links = marked_texts(URLISH, joined_fast, text_starts(fast))
        links.update(i for i, t in enumerate(texts) if tld_dot(t, self.tlds))
        soft = self._rule_docs(joined_fast, fast, links)
        tricks = self._tricky_docs(texts)
        soft |= tricks
        return Scan(fast, probs, links, soft, tricks, [None] * len(texts))

    def _kernel_scan(self, kernel: BatchKernel, texts: Sequence[str]) -> Scan:
        fast, probs, flags = kernel.scan(list(texts))
        if self.model is None:
            probs = [None] * len(texts)
        else:
            for i in flagged(flags, F_MODEL_FALLBACK):
                probs[i] = self.model.predict_proba_one(fast[i])
        links = set(flagged(flags, F_URLISH))
        soft = self._rule_docs(_SEP.join(fast), fast, links)
        needs = Normalizer.needs_full
        tricks = {i for i in flagged(flags, F_TRICKY) if needs(texts[i])}
        soft |= tricks
        langs: list[str | None] = ["az" if f & F_AZ else "ru" if f & F_RU else "en" for f in flags]
        return Scan(fast, probs, links, soft, tricks, langs)

    def _rule_docs(self, joined: str, fast: Sequence[str], skip: set[int]) -> set[int]:
        """Messages (other than ``skip``) where a fraud rule's trigger and ``any`` pattern
        are both in the fast fold."""
        starts = text_starts(fast)
        found: dict[int, set[str]] = {}
        for start, word in self._triggers.iter(joined):
            doc = bisect_right(starts, start) - 1
            found.setdefault(doc, set()).add(word)
        return {d for d, words in found.items() if d not in skip and self._may_fire(fast[d], words)}

    def _may_fire(self, fast: str, found: set[str]) -> bool:
        unions = self._any_union
        rules = self.rules.rules
        for i in self.rules.fraud_candidates(found):
            union = unions[i]
            if union is not None:
                if union.search(fast) is not None:
                    return True
            elif any(p.search(fast) for p in rules[i].any):
                return True
        return False

    def _tricky_docs(self, texts: Sequence[str]) -> set[int]:
        """Messages that :meth:`Normalizer.needs_full` sends to the full fold."""
        joined = _SEP.join(texts)
        starts = text_starts(texts)
        marked: set[int] = set()
        for pattern in TRICK_SCANS:
            marked |= marked_texts(pattern, joined, starts)
        needs = Normalizer.needs_full
        return {i for i in marked if needs(texts[i])}
