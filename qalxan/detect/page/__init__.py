"""Static analysis of web pages: fake bank logins, card pages, fake payment and benefit pages.

``PageDetector(brands=, reasons=, lexicon=, model=).analyze(PageInput(html, url))`` extracts
fields, forms, resources, scripts and text with selectolax, applies the data-driven rules of
``data/page/`` and the page model, and answers a :class:`~qalxan.domain.verdict.Verdict` of
kind ``page`` with the imitated brand and a structural fingerprint in ``extra``.
"""

from qalxan.detect.page.detector import PageDetector, PageInput
from qalxan.detect.page.features import PageFeatures, extract
from qalxan.detect.page.fingerprint import fingerprint, simhash_distance
from qalxan.detect.page.lexicon import PageLexicon, fold
from qalxan.detect.page.model import PageModel, page_tokens

__all__ = [
    "PageDetector",
    "PageFeatures",
    "PageInput",
    "PageLexicon",
    "PageModel",
    "extract",
    "fingerprint",
    "fold",
    "page_tokens",
    "simhash_distance",
]
