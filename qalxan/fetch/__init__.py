"""The safe web fetcher (SSRF-proof) and optional headless rendering."""

from qalxan.fetch.addresses import METADATA_ADDRESSES, forbidden_reason, parse_ip_literal
from qalxan.fetch.fetcher import Certificate, FetchResult, Hop, SafeFetcher
from qalxan.fetch.resolver import Resolver, StaticResolver, SystemResolver

__all__ = [
    "METADATA_ADDRESSES",
    "Certificate",
    "FetchResult",
    "Hop",
    "Resolver",
    "SafeFetcher",
    "StaticResolver",
    "SystemResolver",
    "forbidden_reason",
    "parse_ip_literal",
]
