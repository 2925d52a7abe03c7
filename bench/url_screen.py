"""Lookalike screening over the Tranco top-1M, side by side with a dnstwist baseline.

Run: ``python -m bench url_screen`` (``QX_BENCH_TRANCO=N`` for the first N domains only;
``QX_BENCH_BRANDS=FILE.yaml`` to screen against another registry file, same format as
``qalxan/data/brands.yaml``).

Figures (CPU seconds of this process, so per core):
- our batch screening of every Tranco domain against the full brand registry (one
  Aho-Corasick pass over the batch, full analysis with public-suffix parsing of candidates);
- the dnstwist baseline: its fuzzers (no DNS) precompute permutations of every brand domain,
  then the Tranco list is looked up in that set;
- recall of our screening on those permutations (without the ones a brand owns and those in
  the Tranco top-10k), by fuzzer;
- what each flags in the Tranco top-1M (brand-owned excluded): count, share, sample.
"""

from __future__ import annotations

import csv
import gzip
import os
import time
from collections import Counter
from pathlib import Path

import yaml

from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.service import Engine
from qalxan.settings import Settings

TRANCO = Path(__file__).resolve().parents[1].parent / "shared/data/urls/tranco_top1m.csv.gz"


def _tranco(limit: int | None) -> list[str]:
    with gzip.open(TRANCO, "rt", encoding="utf-8") as fh:
        rows = [
            row[1].strip().lower() for row in csv.reader(fh) if len(row) > 1 and row[0].isdigit()
        ]
    return rows[:limit] if limit else rows


def _dnstwist_permutations(domains: list[str]) -> dict[str, str]:
    import dnstwist

    perms: dict[str, str] = {}
    for domain in domains:
        fuzz = dnstwist.Fuzzer(domain)
        fuzz.generate()
        for p in fuzz.domains:
            if p["fuzzer"] != "*original":
                perms.setdefault(p["domain"], p["fuzzer"])
    return perms


def _registry() -> BrandRegistry | None:
    path = os.environ.get("QX_BENCH_BRANDS")
    if not path:
        return None
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return BrandRegistry(Brand.from_dict(entry) for entry in doc["brands"])


def _cpu(fn, *args):  # type: ignore[no-untyped-def]
    start = time.process_time()
    result = fn(*args)
    return result, time.process_time() - start


def main() -> None:
    limit = int(os.environ.get("QX_BENCH_TRANCO", "0")) or None
    hosts = _tranco(limit)
    engine = Engine(Settings(), brands=_registry())
    lookalike = engine.detector("url").lookalike
    n_brands = len(engine.brands)
    brand_domains = sorted({d for b in engine.brands for d in b.domains})
    print(
        f"registry: {n_brands} brands, {len(brand_domains)} domains, {len(lookalike.terms_)} terms"
    )

    index, t_index = _cpu(lambda: lookalike.index)
    print(f"screen index: {index.size} patterns, built in {t_index:.2f} s")

    best = None
    for _ in range(3):
        flagged, t = _cpu(lookalike.screen, hosts)
        best = t if best is None else min(best, t)
    assert best is not None
    print(
        f"ours: screened {len(hosts):,} domains in {best:.3f} CPU s "
        f"= {len(hosts) / best:,.0f} domains/s/core (best of 3)"
    )

    perms, t_perm = _cpu(_dnstwist_permutations, brand_domains)
    hits_base, t_look = _cpu(lambda: set(hosts) & perms.keys())
    print(
        f"dnstwist: {len(perms):,} permutations of {len(brand_domains)} domains precomputed in "
        f"{t_perm:.2f} CPU s; Tranco lookup {t_look:.3f} CPU s = "
        f"{len(hosts) / max(t_look, 1e-9):,.0f} domains/s/core"
    )

    top10k = set(hosts[:10_000])
    targets = {
        d: f for d, f in perms.items() if d not in top10k and engine.brands.owner_of_host(d) is None
    }
    flagged_perm = {h for h, _ in lookalike.screen(list(targets))}
    missed = Counter(f for d, f in targets.items() if d not in flagged_perm)
    per_fuzzer = Counter(targets.values())
    found = len(flagged_perm & targets.keys())
    recall = found / max(len(targets), 1)
    print(
        f"recall on dnstwist permutations: {recall:.5f} ({found:,}/{len(targets):,}; brand-owned "
        f"and Tranco top-10k excluded; target >= 0.99)"
    )
    for fuzzer, total in sorted(per_fuzzer.items()):
        print(f"  {fuzzer:<14} {total - missed[fuzzer]:>6}/{total:<6}")
    sample_missed = [d for d in targets if d not in flagged_perm][:15]
    print(f"  missed sample: {sample_missed}")

    ours = [(h, m) for h, m in flagged if engine.brands.owner_of_host(h) is None]
    share = len(ours) / len(hosts)
    print(f"ours flags in Tranco: {len(ours)} ({share:.4%}; target <= 0.05%)")
    for host, matches in ours[:25]:
        top = matches[0]
        print(f"  {host:<32} {top.technique:<11} {top.brand:<12} {top.detail}")
    base = sorted(h for h in hits_base if engine.brands.owner_of_host(h) is None)
    print(f"dnstwist flags in Tranco: {len(base)} ({len(base) / len(hosts):.4%}): {base[:20]}")


if __name__ == "__main__":
    main()
