"""The compiled batch kernel (``qalxan/detect/message/_kernel.pyx``) gives what the Python
path gives: the fast fold, the model's probability bit for bit, each prefilter flag and the
full fold with its index; a detector with it and one without give the same verdicts."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qalxan.detect.message import MessageDetector, MessageInput
from qalxan.detect.message import kernel as kmod
from qalxan.detect.message.detector import guess_lang
from qalxan.detect.message.normalize import TRICK_SCANS, Normalizer
from qalxan.detect.message.prefilter import URLISH, tld_dot
from qalxan.domain.verdict import Verdict
from qalxan.service import Engine
from qalxan.service.message import build, load_normalizer
from qalxan.service.message_train import load_written
from qalxan.settings import Settings
from tests.message.test_batch_path import ODD, _held_out

# Characters where the two paths could part: Azerbaijani and Turkish letters, Cyrillic
# (also ъ/ь, which fold to nothing, and ß, which folds to two letters), digits and leet signs,
# the model's sign tokens, spacing, compatibility forms, combining marks, emoji, surrogates'
# neighbours, and the pieces of links and long numbers.
ALPHABET = (
    "aAbBcCdeEhHiIkKlmMnoOpPrRsStTuwWxXyz əƏıİşŞçÇğĞöÖüÜ кодКОДвамЁёъьЪЬ3 0123456789 "
    "@$£€₼%!?._-*/:[]() \t\n\r\x0b\x00 ﬁｋ①\u0301\u200dß😀№ www http hxxp .az .com dot"
    "әӘҹҸјЈ\u212a"
)
# What guess_lang reads: Azerbaijani words (also in capitals, with the Kelvin sign that
# lowercases to k), Cyrillic in and under its 30% share, Azerbaijani letters of both scripts.
_LANGY = st.lists(
    st.sampled_from(
        [
            "salam",
            "VE",
            "ve_",
            "kartiniz",
            "\u212aARTINIZ",
            "ucun",
            "Привет",
            "мир",
            "ә",
            "Ҹ",
            " ",
            "  ",
            "x",
            "ab",
            "ə",
            "İ",
            "é",
            "1",
            ".",
            "\u0173e",
            "SİZİN",
            "edin",
        ]
    ),
    max_size=14,
).map("".join)


def _expected(det: MessageDetector, text: str) -> tuple[str, float | None, int]:
    fast = det.normalizer.fast(text)
    prob = det.model.predict_proba_one(fast) if det.model is not None else None
    flags = 0
    if URLISH.search(fast) or tld_dot(text, det._prefilter.tlds):
        flags |= kmod.F_URLISH
    if any(p.search(text) for p in TRICK_SCANS):
        flags |= kmod.F_TRICKY
    flags |= {"az": kmod.F_AZ, "ru": kmod.F_RU, "en": 0}[guess_lang(text)]
    return fast, prob, flags


def _check(det: MessageDetector, texts: list[str]) -> None:
    kernel = det._prefilter.kernel
    assert kernel is not None
    folded, probs, flags = kernel.scan(texts)
    for i, text in enumerate(texts):
        fast, prob, want = _expected(det, text)
        assert folded[i] == fast, text
        assert kernel.fold(text) == fast, text
        if flags[i] & kmod.F_MODEL_FALLBACK:
            assert probs[i] is None
        else:
            assert probs[i] == prob, text  # bit for bit
        assert flags[i] & ~kmod.F_MODEL_FALLBACK == want, (text, flags[i], want)


def test_the_kernel_is_built(detector: MessageDetector) -> None:
    # make install compiles it (Cython and the system C compiler); without it the detector
    # still works, about 1.7 times slower in batch. CI must not lose it silently.
    assert kmod.COMPILED, "_kernel.pyx or _fold.pyx is not compiled: run make install"
    assert detector._prefilter.kernel is not None


def test_kernel_equals_python_on_the_written_sets(detector: MessageDetector) -> None:
    texts = [e.text for e in load_written("test") + load_written("train")] + ODD
    _check(detector, texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=60), min_size=1, max_size=8))
def test_kernel_equals_python_on_generated_text(texts: list[str]) -> None:
    _check(_detector(), texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LANGY, min_size=1, max_size=6))
@example(["\u212aARTINIZ", "Привет ab x", "Привет abcdefghijklmnopq", "\u0173e", "salam ә"])
def test_kernel_language_equals_guess_lang(texts: list[str]) -> None:
    _check(_detector(), texts)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
@settings(max_examples=200, deadline=None)
def test_kernel_equals_python_on_any_unicode(texts: list[str]) -> None:
    _check(_detector(), texts)


_DET: list[MessageDetector] = []


def _detector() -> MessageDetector:
    if not _DET:
        det: MessageDetector = Engine(Settings(database_url="sqlite://")).detector("message")
        _DET.append(det)
    return _DET[0]


def test_kernel_flags_a_model_overflow_for_the_reference_path() -> None:
    # A model whose integer weights could overflow on a long text is scored by the Python
    # reference (the flag), never by a wrapped-around sum.
    det = _detector()
    assert det.model is not None
    tables = det.model.kernel_tables()
    assert tables is not None
    vocab, uni, bkeys, bfeat, iw, scale, _ = tables
    huge = iw.copy()
    huge[:] = (1 << 61) // 2
    k = kmod._Kernel(dict(det.normalizer.fast_table), (vocab, uni, bkeys, bfeat, huge, scale, 0.0))
    text = " ".join(list(vocab)[2:40])
    _, probs, flags = k.scan([text])
    assert flags[0] & kmod.F_MODEL_FALLBACK and probs[0] is None


def test_compiled_and_python_detectors_give_the_same_verdicts(engine: Engine) -> None:
    compiled = build(engine)
    python = build(engine, compiled=False)
    assert compiled._prefilter.kernel is not None and python._prefilter.kernel is None
    items = _held_out() + [MessageInput(t) for t in ODD]
    stats: dict[str, int] = {}
    a = compiled.analyze_batch(items, stats)
    assert stats["quiet"] > 0 and stats["full"] > 0
    b = python.analyze_batch(items)
    assert [v.to_dict() for v in a] == [v.to_dict() for v in b]
    for item in items[:40]:
        assert compiled.analyze(item).to_dict() == python.analyze(item).to_dict()


@pytest.mark.parametrize("table", [{ord("a"): "abc"}])
def test_a_fold_longer_than_two_characters_falls_back(table: dict[int, str]) -> None:
    assert kmod._Kernel is not None
    with pytest.raises(ValueError, match="longer than two"):
        kmod._Kernel(table, None)


_NORMALIZERS: list[Normalizer] = []


def _normalizers() -> tuple[Normalizer, Normalizer]:
    if not _NORMALIZERS:
        compiled = load_normalizer()
        _NORMALIZERS.extend([compiled, Normalizer(compiled.tables, compiled=False)])
    return _NORMALIZERS[0], _NORMALIZERS[1]


def test_the_full_fold_loop_is_compiled() -> None:
    compiled, python = _normalizers()
    assert compiled._pieces_kernel is not None and python._pieces_kernel is None


def test_compiled_full_fold_equals_python_on_the_written_sets() -> None:
    compiled, python = _normalizers()
    texts = [e.text for e in load_written("test") + load_written("train")] + ODD
    texts += [t + " G o o d n i g h t . . .@ c0d k.o.d" for t in texts[:50]]
    for text in texts:
        assert compiled.fold(text) == python.fold(text), text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET + "_", max_size=300))
def test_compiled_full_fold_equals_python_on_generated_text(text: str) -> None:
    compiled, python = _normalizers()
    assert compiled.fold(text) == python.fold(text)
    # The index is a tuple of ints that outlives the call (its items are real references).
    assert all(isinstance(i, int) and 0 <= i < len(text) for i in compiled.fold(text).index)


def test_compiled_quiet_verdicts_equal_those_made_by_init() -> None:
    # The compiled builder sets the fields as Verdict's own __init__ does; kernel.py keeps
    # it only while Verdict has exactly those fields and nothing more to run.
    assert kmod._quiet_compiled is not None
    texts = ["a", "", "Salam, necəsən?"]
    extras: list[dict[str, Any]] = [
        {"scheme": None, "lang": lang, "channel": "sms"} for lang in ("en", "en", "az")
    ]
    made = kmod.quiet_verdicts("message", "benign", texts, extras)
    want = [
        Verdict("message", t, "benign", 0.0, (), (), None, e)
        for t, e in zip(texts, extras, strict=True)
    ]
    assert made == want
    assert [v.to_dict() for v in made] == [v.to_dict() for v in want]
    assert all(type(v) is Verdict for v in made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].score = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="differ in length"):
        kmod._quiet_compiled(Verdict, "message", "benign", texts, extras[:1])
