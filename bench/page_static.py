"""Static page analysis speed: pages per second on one core, on the shared HTML set.

Runs the whole page detector (parse, features, rules, fingerprint, model) in this one
process (one core) over the first-copy pages of ``../shared/data/html``; also times the
selectolax parse alone, in turns with the detector, so the two can be compared as a ratio
within one run.

    nice .venv/bin/python -m bench page_static [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from qalxan.detect.page import PageInput
from qalxan.service import Engine
from qalxan.service.page_train import iter_pages, load_index
from qalxan.settings import Settings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "html"


def main() -> None:
    limit = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "page_static" else 1000
    rows = [r for r in load_index(DATA) if r.first_copy][:limit]
    pages = [html for _, html in iter_pages(DATA, rows)]
    detector = Engine(Settings()).detector("page")
    detector.analyze(PageInput(pages[0], "https://example.com/"))  # warm caches
    size = sum(len(p) for p in pages) / len(pages)

    # Parsing alone and the whole detector take turns, 50 pages at a time, so that both
    # see the same machine (a shared machine's speed drifts by 1.5x within minutes) and
    # their ratio is a figure of this code, not of the moment.
    parse_s = full_s = 0.0
    for at in range(0, len(pages), 50):
        block = pages[at : at + 50]
        start = time.process_time()
        for html in block:
            LexborHTMLParser(html).body  # noqa: B018  (parse only)
        mid = time.process_time()
        for html in block:
            detector.analyze(PageInput(html, "https://example.com/login"))
        parse_s += mid - start
        full_s += time.process_time() - mid

    print(f"pages: {len(pages)} (mean {size / 1000:.1f} kB)")
    print(f"parse only:      {len(pages) / parse_s:8.1f} pages/s per core")
    print(f"full detector:   {len(pages) / full_s:8.1f} pages/s per core")
    print(f"detector/parse:  {full_s / parse_s:8.1f}x the time of parsing alone")


if __name__ == "__main__":
    main()
