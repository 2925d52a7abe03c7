"""Run benchmarks: ``python -m bench`` runs all, ``python -m bench url message`` some.

Each benchmark is a module ``bench.<name>`` with ``main() -> None``; listed explicitly.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: tuple[str, ...] = (
    "parsers",
    "url_screen",
    "url_model_select",
    "flow_decode",
    "ddos_delay",
    "ddos_fastnetmon",
    "message_throughput",
    "message_latency",
    "reports",
    "reports_neardup",
    "page_static",
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmarks: {unknown}; known: {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
