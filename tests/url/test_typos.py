"""The typo search of the look-alike engine (one rapidfuzz call per distance set over the
memoised candidates) finds what the plain loop over every candidate finds."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from qalxan.detect.url import UrlDetector
from qalxan.detect.url.lookalike import LookalikeEngine, _plural
from qalxan.detect.url.terms import Term
from qalxan.domain.url import split_domain

_EDIT_CHARS = "abcdefghijklmnopqrstuvwxyz0-s"


def _reference(
    engine: LookalikeEngine, skel: str, suffix: str
) -> tuple[tuple[int, Term] | None, tuple[int, Term] | None]:
    """The search as first written: every candidate, in the registry's order (odd
    one-letter replacements of short names skipped)."""
    compact = skel.replace("-", "")
    n = len(compact)
    cands = sorted(c for m in range(n - 2, n + 3) for c in engine._by_length.get(m, ()))
    one = two = None
    for _, term, term_compact, limit in cands:
        if not engine._typo_allowed(term, suffix):
            continue
        d = min(
            OSA.distance(skel, term.text, score_cutoff=2),
            OSA.distance(compact, term_compact, score_cutoff=2),
        )
        if d == 1 and engine._odd_replacement(term_compact, compact):
            continue
        plural = _plural(term_compact, compact) if d > min(limit, 1) else False
        if (d <= min(limit, 1) or plural) and (one is None or d < one[0]):
            one = (d, term)
        if (d <= min(limit, 2) or plural) and (two is None or d < two[0]):
            two = (d, term)
    return one, two


@st.composite
def _labels(draw: st.DrawFn, terms: tuple[Term, ...]) -> str:
    """A brand term with up to three random edits (or "es" inserted)."""
    label = list(draw(st.sampled_from(terms)).text)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, max(0, len(label) - 1)))
        op = draw(st.integers(0, 3))
        if op == 0 and label:
            label[i] = draw(st.sampled_from(_EDIT_CHARS))
        elif op == 1:
            label.insert(i, draw(st.sampled_from(_EDIT_CHARS)))
        elif op == 2 and len(label) > 1:
            del label[i]
        else:
            label.insert(i, "es")
    return "".join(label).strip("-") or "x"


def test_typo_search_matches_the_plain_loop(detector: UrlDetector) -> None:
    engine = detector.lookalike

    @settings(max_examples=400, deadline=None)
    @given(label=_labels(engine.terms_), suffix=st.sampled_from(["az", "com", "com.az", "net"]))
    @example(label="kapitalbank", suffix="az")
    @example(label="expresses", suffix="az")
    def check(label: str, suffix: str) -> None:
        domain = split_domain(f"{label}.{suffix}")
        skel = domain.label
        assert engine._typos(skel, domain) == _reference(engine, skel, domain.suffix)

    check()
