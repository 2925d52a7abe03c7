"""The page detector's brand mentions: the Aho-Corasick prefilter of ``BrandIndex.hits``
gives exactly the matches of the full pattern over every brand."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from qalxan.data import load_brands
from qalxan.detect.page import extract
from qalxan.detect.page.lexicon import fold
from qalxan.detect.page.rules import BrandIndex
from qalxan.service.page import load_lexicon
from qalxan.service.page_train import iter_pages, load_index

INDEX = BrandIndex(load_brands())
PIECES = sorted({n for n in INDEX._names} | {n[:-1] for n in INDEX._names if len(n) > 3})


def _full(text: str) -> Counter[str]:
    return Counter(m.lastgroup or "" for m in INDEX.pattern.finditer(text))


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.text(alphabet=" .-_/abkəış1", max_size=4),
        ),
        max_size=12,
    )
)
@example(parts=["kapital bank", "kapitalbank.az", " birbank"])
@example(parts=[])
def test_prefiltered_hits_equal_the_full_pattern(parts: list[str]) -> None:
    text = "".join(parts)
    assert INDEX.hits(text) == _full(text)


def test_prefiltered_hits_on_real_pages() -> None:
    data = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "html"
    rows = [r for r in load_index(data) if r.first_copy][:300]
    named = 0
    for _, html in iter_pages(data, rows):
        feats = extract(html, None, load_lexicon())
        for text in (fold(feats.title), feats.text, feats.headings):
            hits = INDEX.hits(text)
            assert hits == _full(text)
            named += bool(hits)
    probe = Path(__file__).parent / "pages"
    for page in sorted(probe.glob("*.html")):
        feats = extract(page.read_text(encoding="utf-8"), None, load_lexicon())
        for text in (fold(feats.title), feats.text, feats.headings):
            hits = INDEX.hits(text)
            assert hits == _full(text), page.name
            named += bool(hits)
    assert named > 20  # the check saw brand mentions, not only empty counts


def test_every_brand_with_points_is_among_the_shown() -> None:
    """``BrandIndex.shown`` may skip only brands that would score 0 points."""
    from qalxan.detect.page.rules import _Assets, _brand_points, _Mentions

    lex = load_lexicon()
    data = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "html"
    rows = [r for r in load_index(data) if r.first_copy][:300]
    htmls = [html for _, html in iter_pages(data, rows)]
    htmls += [
        p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.glob("pages/*.html"))
    ]
    with_points = 0
    for html in htmls:
        feats = extract(html, "https://example.com/", lex)
        assets = _Assets.of(feats, INDEX)
        said = _Mentions(
            INDEX.hits(fold(feats.title)), INDEX.hits(feats.text), INDEX.hits(feats.headings)
        )
        shown = {e.brand.id for e in INDEX.shown(assets, said)}
        scoring = {e.brand.id for e in INDEX.entries if _brand_points(e, assets, said, lex)[0] > 0}
        assert scoring <= shown
        with_points += bool(scoring)
    assert with_points > 20
