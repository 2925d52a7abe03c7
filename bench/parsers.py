"""Domain parsers: inputs per second on one core (one process, one thread).

Run: ``nice .venv/bin/python -m bench parsers``. Compare figures as ratios within one run;
the machine is shared.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

from qalxan.domain import (
    normalize_ip_literal,
    parse_card,
    parse_email,
    parse_handle,
    parse_iban,
    parse_phone,
    parse_url,
)

URLS = [
    "hxxps://kapitalbank-az[.]com/login/../verify?card=1",
    "https://www.abb-bank.az/az/ferdi",
    "http://xn--kaptalbank-t9b.az:80/a/./b",
    "tap.az/elanlar/123",
    "https://bit.ly/3xYz",
]
PHONES = ["050 123 45 67", "+994 12 498 12 34", "994551234567", "+7 912 345 67 89", "8111"]
CARDS = ["4169 7312 3456 1239", "5351-1500-0000-0006", "4111111111111111"]
OTHER: list[tuple[str, Callable[[str], object]]] = [
    ("iban", parse_iban),
    ("email", parse_email),
    ("handle", parse_handle),
    ("ip_literal", normalize_ip_literal),
]
OTHER_INPUTS = {
    "iban": ["AZ21NABZ00000000137010001944"],
    "email": ["info@kapitalbank.az", "a[@]b[.]az"],
    "handle": ["t.me/kapital_support", "wa.me/994501234567", "@azerpost_help"],
    "ip_literal": ["0x7f.1", "2130706433", "[::ffff:127.0.0.1]", "example.az"],
}


def _rate(fn: Callable[[str], object], inputs: Sequence[str], seconds: float = 1.0) -> float:
    for item in inputs:  # warm caches (tldextract's suffix list)
        with contextlib.suppress(ValueError):
            fn(item)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in inputs:
            with contextlib.suppress(ValueError):
                fn(item)
        n += len(inputs)
    return n / (time.perf_counter() - start)


def main() -> None:
    rows = [
        ("url", _rate(parse_url, URLS)),
        ("phone", _rate(parse_phone, PHONES)),
        ("card", _rate(lambda t: parse_card(t, b"bench-key"), CARDS)),
    ]
    rows += [(name, _rate(fn, OTHER_INPUTS[name])) for name, fn in OTHER]
    for name, rate in rows:
        print(f"{name:12s} {rate:12,.0f} inputs/s per core")
