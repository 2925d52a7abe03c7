"""The fast batch path gives the verdicts of the single path: over the written held-out set
(``qalxan/data/message/written/test.csv``) with senders and channels, through the verdict
cache, and piece by piece (vectorised model, joined-text prefilters)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qalxan.detect.message import MessageDetector, MessageInput
from qalxan.detect.message.batchscan import VerdictCache
from qalxan.detect.message.extract import extract
from qalxan.detect.message.normalize import TRICK_SCANS, Normalizer
from qalxan.detect.message.prefilter import Prefilter, tld_dot
from qalxan.domain.verdict import Verdict
from qalxan.service import Engine
from qalxan.service.message_train import load_written
from qalxan.settings import Settings

SENDERS = (None, "KapitalBank", "KapitaIBank", "+994501234567", "Birbank", "INFO")
CHANNELS = ("sms", "messenger", "social", "call_transcript")
ODD = [
    "",
    "\n",
    "a\nb",
    "k o d u  d e y i n",
    "c0d göndər",
    "Kаpital Bank: kodu deyin",  # Cyrillic а inside a Latin word
    "x" * 12_000,
    "\x00\x01\ufffd",
    "😀😀😀",
    "ﬁnal ｋｏｄ",
    "Kartınız bloklanıb\n\nkodu deyin: 4169 7388 1234 5670",
]


def _held_out() -> list[MessageInput]:
    texts = [e.text for e in load_written("test")] + ODD
    combos = itertools.cycle(itertools.product(SENDERS, CHANNELS))
    items = [MessageInput(t) for t in texts]
    items += [
        MessageInput(t, sender=s, channel=c) for t, (s, c) in zip(texts, combos, strict=False)
    ]
    return items


def _same(batch: Verdict, single: Verdict) -> None:
    assert (batch.verdict, batch.score, batch.brand, dict(batch.extra)) == (
        single.verdict,
        single.score,
        single.brand,
        dict(single.extra),
    ), batch.input
    if batch.reasons or batch.indicators:
        # It took the full path: the whole verdict is the single one.
        assert batch.to_dict() == single.to_dict()


@pytest.fixture(scope="module")
def uncached() -> MessageDetector:
    det: MessageDetector = Engine(
        Settings(database_url="sqlite://", message_cache_size=0)
    ).detector("message")
    return det


def test_batch_equals_single_on_the_written_held_out_set(uncached: MessageDetector) -> None:
    items = _held_out()
    stats: dict[str, int] = {}
    batch = uncached.analyze_batch(items, stats)
    # Every path is exercised, also a soft signal settled quiet by the fraud rules.
    assert stats["quiet"] > 0 and stats["full"] > 0 and stats["settled"] > 0, stats
    for item, b in zip(items, batch, strict=True):
        _same(b, uncached.analyze(item))
    # Any split into batches gives the same answers (joined-text scans see other neighbours).
    for size in (1, 3, 17):
        again = [
            v
            for i in range(0, len(items), size)
            for v in uncached.analyze_batch(items[i : i + size])
        ]
        assert again == batch


def test_cache_gives_the_same_verdicts(detector: MessageDetector) -> None:
    items = _held_out()
    stats: dict[str, int] = {}
    first = detector.analyze_batch(items, stats)
    second = detector.analyze_batch(items, stats)
    assert second == first
    short = sum(len(i.text) <= 2000 for i in items)
    assert stats["cached"] >= short  # the second pass came from the cache (short texts)
    for item, v in zip(items[:50], second[:50], strict=True):
        _same(v, detector.analyze(item))


def test_cache_is_bounded_and_expires() -> None:
    cache = VerdictCache(size=2, ttl=60.0)
    v = Verdict("message", "x", "benign", 0.0)
    a, b, c = MessageInput("a"), MessageInput("b"), MessageInput("c")
    cache.put_many([a, b], [v, v])
    assert cache.get(a) is v  # a is now the most recent
    cache.put_many([c], [v])
    assert len(cache) == 2 and cache.get(b) is None and cache.get(a) is v
    long = MessageInput("x" * 5000)
    cache.put_many([long], [v])
    assert cache.get(long) is None and cache.get(a) is v  # long texts are not kept
    expired = VerdictCache(size=10, ttl=1e-9)
    expired.put_many([a], [v])
    assert expired.get(a) is None
    # A different sender or channel is a different entry.
    cache.put_many([MessageInput("a", sender="X")], [v])
    assert cache.get(MessageInput("a", sender="Y")) is None


def test_vectorised_model_equals_the_reference_bit_for_bit(detector: MessageDetector) -> None:
    model = detector.model
    assert model is not None
    fast = detector.normalizer.fast
    texts = [fast(e.text) for e in load_written("test") + load_written("train")]
    texts += [fast(t) for t in ODD]
    batch = model.predict_proba(texts)
    assert batch == [model.predict_proba_one(t) for t in texts]
    assert model.decision_batch(texts) == [model.decision_one(t) for t in texts]


def test_trick_scans_cover_needs_full() -> None:
    texts = [e.text for e in load_written("test") + load_written("train")] + ODD
    needing = [t for t in texts if Normalizer.needs_full(t)]
    assert needing  # the corpus has texts of the kind
    for t in needing:
        assert any(p.search(t) for p in TRICK_SCANS), t


# Link-like pieces, with the letters that ``[a-z]`` with IGNORECASE also reads (ſ, the Kelvin
# sign, İ, ı), TLDs and words that are none ("i.ll", "dear.with").
_LINKY = st.lists(
    st.sampled_from(
        [
            *"aAeEsSſKkzZıİ0123456789 @.:/-_+()[]\u00a0",
            ".az",
            ".com",
            ".COM",
            ".ll",
            ".with",
            ".how",
            ".Kz",
            ".ſu",
            ".İnfo",
            "t.me/",
            "wa.me/",
            "whatsapp",
            "www",
            "hxxps://",
            "[dot]",
            "(.)",
            "4169 7388 1234 5670",
        ]
    ),
    max_size=24,
).map("".join)


def _prefilters(det: MessageDetector) -> list[Prefilter]:
    out = [det._prefilter]
    out.append(Prefilter(det.normalizer, det.rules, det.model, compiled=False))
    return out


@settings(max_examples=400, deadline=None)
@given(text=_LINKY)
@example(text="visit site.\u017fu now")  # ſ: IGNORECASE reads it as s
@example(text="visit site.\u212az now")  # the Kelvin sign: as k
@example(text="x@site.com")
def test_the_link_prefilter_misses_no_link_handle_or_card(text: str) -> None:
    # A message the prefilter does not mark is answered without extraction: every link,
    # handle and card number extraction finds must be marked, by the kernel and in Python.
    if not _DET:
        _DET.append(_uncached())
    det = _DET[0]
    found = {f.kind for f in extract(text, b"k").features} & {"url", "handle", "card"}
    for pf in _prefilters(det):
        assert not found or pf.scan([text]).links == {0}, (text, found, pf.kernel)


def test_words_after_a_dot_that_are_no_tld_are_not_links(uncached: MessageDetector) -> None:
    texts = ["I.ll tell you", "Happy birthday....dear.with love", "25.Ulusal Kongre", "x.COM"]
    for pf in _prefilters(uncached):
        assert pf.scan(texts).links == {3}, pf.kernel
        assert tld_dot("see site.\u212az", pf.tlds) and not tld_dot("a.b", pf.tlds)


_DET: list[MessageDetector] = []


def _uncached() -> MessageDetector:
    det: MessageDetector = Engine(
        Settings(database_url="sqlite://", message_cache_size=0)
    ).detector("message")
    return det


def test_each_rules_any_union_matches_where_one_of_its_patterns_does(
    uncached: MessageDetector,
) -> None:
    pf = uncached._prefilter
    texts = [e.text for e in load_written("test") + load_written("train")] + ODD
    for rule, union in zip(uncached.rules.rules, pf._any_union, strict=True):
        assert union is not None, rule.id  # every shipped rule joins
        for text in (*texts, *rule.positives, *rule.negatives):
            fast = uncached.normalizer.fast(text)
            want = any(p.search(fast) for p in rule.any)
            assert (union.search(fast) is not None) == want, (rule.id, text)


def test_the_scan_tells_exactly_which_texts_need_the_full_fold(
    uncached: MessageDetector,
) -> None:
    # The batch path passes this to Normalizer.fold instead of asking needs_full again.
    texts = [e.text for e in load_written("test") + load_written("train")] + ODD
    want = {i for i, t in enumerate(texts) if Normalizer.needs_full(t)}
    assert want  # the corpus has such texts
    for pf in _prefilters(uncached):
        assert pf.scan(texts).tricks == want, pf.kernel
