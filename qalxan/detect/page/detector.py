"""The page detector: HTML (and where it was found) -> verdict with reasons and a fingerprint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

from qalxan.detect.page.features import extract, host_of
from qalxan.detect.page.fingerprint import fingerprint
from qalxan.detect.page.lexicon import PageLexicon
from qalxan.detect.page.model import PageModel
from qalxan.detect.page.rules import BrandIndex, judge
from qalxan.domain.brands import BrandRegistry
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.verdict import Reason, Thresholds, Verdict

__all__ = ["PageDetector", "PageInput"]

MAX_HTML_CHARS = 5_000_000


@dataclass(frozen=True, slots=True)
class PageInput:
    """One page to judge.

    ``html`` is the page as fetched or saved; ``url`` where it was found (None when unknown:
    brand/domain mismatch cannot be judged then); ``dom`` the DOM after scripts when the page
    was rendered (analysed instead of ``html``, which may build its form in script);
    ``notes`` are reasons the caller adds (rendering skipped, redirects).
    """

    html: str
    url: str | None = None
    dom: str | None = None
    notes: tuple[Reason, ...] = ()


class PageDetector:
    """Static analysis of a page: rules over extracted features, plus the page model."""

    kind: ClassVar[str] = "page"

    def __init__(
        self,
        *,
        brands: BrandRegistry,
        reasons: ReasonCatalog,
        lexicon: PageLexicon,
        model: PageModel | None = None,
        thresholds: Thresholds = Thresholds(),
        imitated_by: Callable[[str], str | None] | None = None,
    ) -> None:
        self.brands = brands
        self.reasons = reasons
        self.lexicon = lexicon
        self.model = model
        self.thresholds = thresholds
        # The registry brand a host name imitates (the URL detector's look-alike engine),
        # which earns that brand points when the page names it too.
        self.imitated_by = imitated_by

    @cached_property
    def _index(self) -> BrandIndex:
        return BrandIndex(self.brands)

    def analyze(self, item: PageInput | str) -> Verdict:
        """Judge one page and explain why (pure: no I/O, same input, same verdict)."""
        page = item if isinstance(item, PageInput) else PageInput(str(item))
        html = (page.dom if page.dom is not None else page.html)[:MAX_HTML_CHARS]
        feats = extract(html, page.url, self.lexicon)
        imitated = None
        if page.url and self.imitated_by is not None:
            host = host_of(page.url)
            imitated = self.imitated_by(host) if host else None
        found = judge(feats, page.url, self._index, self.lexicon, self.reasons, imitated)
        reasons = list(found.reasons) + list(page.notes)
        extra: dict[str, Any] = {
            "fingerprint": fingerprint(feats.tags, [f.layout for f in feats.forms]),
            "fields": found.kinds,
            "title": feats.title[:200],
        }
        if self.model is not None:
            p = self.model.score(feats)
            extra["model_probability"] = round(p, 4)
            if p >= 0.5:
                # From model_floor at p = 0.5 up to model_max at p = 1: a page the model
                # calls phishing is at least close to suspicious, rules decide the rest.
                low, high = self.lexicon.weight("model_floor"), self.lexicon.weight("model_max")
                weight = low + (high - low) * (p - 0.5) * 2
                reasons.append(self.reasons.reason("page.model", round(weight, 4), f"{p:.2f}"))
        verdict = Verdict.from_reasons(
            self.kind,
            page.url or f"html:{len(page.html)} chars",
            reasons,
            indicators=found.indicators,
            brand=found.brand,
            extra=extra,
            thresholds=self.thresholds,
        )
        if verdict.brand is not None and verdict.verdict == "benign":
            # A page that merely names a brand (a news article) imitates nothing.
            return replace(verdict, brand=None, extra={**extra, "brand_shown": found.brand})
        return verdict

    @classmethod
    def conformance_inputs(cls) -> Sequence[Any]:
        return [
            PageInput("<html><head><title>Hello</title></head><body>Hi</body></html>"),
            PageInput("", url="https://example.com/"),
            PageInput(
                "<form action='https://api.telegram.org/bot1:x/sendMessage'>"
                "<input name='cvv'><input name='card number'></form>",
                url="https://pay-example.top/",
            ),
        ]
