"""URL and domain detection: lookalikes of protected brands and a lexical phishing model.

- :class:`LookalikeEngine` (``lookalike.py``): which brand a domain imitates and how
  (homoglyph, typo, combosquat, subdomain, path, TLD swap), and batch screening.
- :class:`UrlModel` (``model.py``): hashed character n-grams, word tokens by URL part
  (``tokens.py``) and shape features in a logistic regression.
- :class:`UrlDetector` (``detector.py``): both in one verdict, plus hosting context.
"""

from qalxan.detect.url.detector import HostingLists, UrlDetector
from qalxan.detect.url.lookalike import LookalikeEngine, Match
from qalxan.detect.url.model import UrlModel, normalise_url
from qalxan.detect.url.skeleton import Confusables, parse_confusables_tsv
from qalxan.detect.url.terms import LookalikeConfig, Term
from qalxan.detect.url.tokens import TokenLists

__all__ = [
    "Confusables",
    "HostingLists",
    "LookalikeConfig",
    "LookalikeEngine",
    "Match",
    "Term",
    "TokenLists",
    "UrlDetector",
    "UrlModel",
    "normalise_url",
    "parse_confusables_tsv",
]
