"""The shared vocabulary: indicators, verdicts, reasons, brands, errors. Pure; no I/O.

Imports nothing else of qalxan (a test enforces it).
"""

from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.errors import ParseError, QalxanError
from qalxan.domain.phone import Phone, parse_phone
from qalxan.domain.reasons import ReasonCatalog
from qalxan.domain.url import Domain, Url, parse_domain, parse_url, refang
from qalxan.domain.verdict import Indicator, Reason, Thresholds, Verdict

__all__ = [
    "Brand",
    "BrandRegistry",
    "Domain",
    "Indicator",
    "ParseError",
    "Phone",
    "QalxanError",
    "Reason",
    "ReasonCatalog",
    "Thresholds",
    "Url",
    "Verdict",
    "parse_domain",
    "parse_phone",
    "parse_url",
    "refang",
]
