"""The message detector: spans, card redaction, the URL detector port, batch = single,
bad input, and the detector contract."""

from __future__ import annotations

import json
import re

import pytest

from qalxan.detect.message import MessageDetector, MessageInput
from qalxan.domain.errors import ConfigError
from qalxan.service import Engine
from qalxan.service.message import build
from qalxan.settings import Settings
from qalxan.testing import FakeDetector

PAN = "4169738812345670"


def test_evidence_spans_point_at_the_right_characters(detector: MessageDetector) -> None:
    text = (
        "Hörmətli müştəri! KARTINIZ BLOKLANIB. Telefonunuza gələn S M S  kodu deyin: "
        "+44 7911 123456"
    )
    v = detector.analyze(text)
    assert v.verdict == "malicious"
    spans = {r.code: r.span for r in v.reasons if r.span}
    for r in v.reasons:
        if r.span:
            assert v.input[r.span[0] : r.span[1]] == r.evidence
    start, end = spans["message.account_threat"]
    assert text[start:end] == "KARTINIZ BLOKLANIB"
    start, end = spans["message.otp_request"]
    assert text[start:end].endswith("kodu deyin")
    phone = next(i for i in v.indicators if i.kind == "phone")
    a, b = map(int, phone.attrs["span"].split(":"))
    assert text[a:b] == "+44 7911 123456"


@pytest.mark.parametrize(
    "text",
    [
        f"Ana, təcili pul lazımdır, bu karta at {PAN}",
        "Ana, təcili pul lazımdır, bu karta at 4169 7388 1234 5670",
        "Kart nömrənizi yazın: 4169-7388-1234-5670 və CVV",
    ],
)
def test_card_numbers_never_appear_in_clear(detector: MessageDetector, text: str) -> None:
    v = detector.analyze(text)
    out = json.dumps(v.to_dict(), ensure_ascii=False)
    assert PAN not in re.sub(r"[ -]", "", out)
    assert "7388" not in out
    card = next(i for i in v.indicators if i.kind == "card")
    assert re.sub(r"[ -]", "", card.value) == "416973******5670"
    assert re.fullmatch(r"[0-9a-f]{64}", card.attrs["hash"])
    (batch,) = detector.analyze_batch([text])
    assert "7388" not in json.dumps(batch.to_dict(), ensure_ascii=False)


def test_sender_of_the_brand_is_context_not_a_pass(detector: MessageDetector) -> None:
    text = "Kapital Bank: kartınız bloklanıb. Kodu bizə göndərin"
    v = detector.analyze(MessageInput(text, sender="KapitalBank"))
    assert v.verdict == "malicious"
    official = next(r for r in v.reasons if r.code == "message.sender_official")
    assert official.weight == 0.0
    legit = detector.analyze(MessageInput("Kodunuz: 4821. Heç kimə deməyin.", sender="KapitalBank"))
    assert legit.verdict == "benign"
    assert legit.brand == "kapitalbank"


def _with_url_detector(url_detector: object) -> MessageDetector:
    engine = Engine(Settings(database_url="sqlite://"))
    engine.register("url", url_detector)
    return build(engine)


def test_url_verdict_joins_the_message_verdict() -> None:
    fake = FakeDetector("url", score_of=lambda u: 0.95 if "odlar-yurdu" in u else 0.0)
    det = _with_url_detector(fake)
    v = det.analyze("Salam, sənədlər burada: hxxps://odlar-yurdu[.]az/docs")
    assert "message.url_malicious" in v.codes
    assert v.verdict == "malicious"
    clean = det.analyze("Salam, sənədlər burada: https://example.org/docs")
    assert "message.url_malicious" not in clean.codes
    assert clean.verdict == "benign"


def test_url_detector_may_be_a_plain_callable() -> None:
    fake = FakeDetector("url", score_of=lambda u: 0.6)
    det = _with_url_detector(fake.analyze)
    v = det.analyze("bax https://example.org/x")
    assert "message.url_suspicious" in v.codes


def test_each_link_is_judged_once() -> None:
    """A campaign repeats its link in many messages: the URL verdict is memoised."""
    fake = FakeDetector("url", score_of=lambda u: 0.95)
    calls: list[str] = []

    def judge(url: str) -> object:
        calls.append(url)
        return fake.analyze(url)

    det = _with_url_detector(judge)
    texts = [f"Mukafat {i}: https://prize-az.top/get" for i in range(5)]
    verdicts = [*det.analyze_batch(texts), det.analyze(texts[0])]
    assert all("message.url_malicious" in v.codes for v in verdicts)
    assert len(calls) == 1


def test_with_the_real_url_detector() -> None:
    """Integration with the URL area's detector; skipped only while it is not built yet."""
    engine = Engine(Settings(database_url="sqlite://"))
    try:
        engine.detector("url")
    except ConfigError as exc:
        if "not built yet" in str(exc):
            pytest.skip("the url detector is not built yet")
        raise
    det = build(engine)
    v = det.analyze(
        "Kapital Bank: kartınız bloklanıb, bərpa edin: hxxps://kapitalbank-az[.]com/login"
    )
    assert v.verdict == "malicious"
    assert v.brand == "kapitalbank"
    ok = det.analyze("Kapital Bank: yeni tariflər kapitalbank.az saytında")
    assert ok.verdict == "benign"


MIX = [
    "Salam, axşam gəlirsən?",
    "Kodunuz: 4821. Bu kodu heç kimə deməyin.",
    "Kartınız bloklanıb. Telefonunuza gələn SMS kodu deyin.",
    "Вaш кoд подтверждения скажите оператору",
    "Congratulations! You have won a £1000 cash prize. Call 09061701461 to claim",
    "Ok, see you at 5",
    "k o d u göndərin",
    "Tap.az elanı: pulu almaq üçün azerpost-pay.top",
    "",
    "😀😀😀",
]


def _corpus() -> list[str]:
    from qalxan.service.message_train import load_written

    return MIX + [e.text for e in load_written("train") + load_written("test")]


def test_batch_gives_the_same_verdicts_as_single(detector: MessageDetector) -> None:
    texts = _corpus()
    batch = detector.analyze_batch(texts)
    for text, b in zip(texts, batch, strict=True):
        single = detector.analyze(text)
        assert (b.verdict, b.score, b.extra["scheme"]) == (
            single.verdict,
            single.score,
            single.extra["scheme"],
        ), text


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "x" * 100_000,
        "Kartınız bloklanıb " * 6000,
        "\x00\x01\x02\x7f\ufffd\ud7ff",
        bytes(range(256)).decode("latin-1"),
        "😀😀😀🔥🔥",
        "Salam Привет hello 你好 مرحبا kodu deyin",
        # Lone surrogates: a JSON escape such as \ud800 decodes to one, and no UTF-8 encoder
        # (the literal scans, the JSON answer) accepts them.
        "kodu deyin \ud800 indi",
        "\udc00\ud83d" * 50,
    ],
)
def test_bad_input_gets_a_verdict(detector: MessageDetector, text: str) -> None:
    v = detector.analyze(text)
    assert v.verdict in ("benign", "suspicious", "malicious")
    json.dumps(v.to_dict(), ensure_ascii=False).encode("utf-8")
    (b,) = detector.analyze_batch([text])
    assert b.verdict == v.verdict
    json.dumps(b.to_dict(), ensure_ascii=False).encode("utf-8")


def test_conformance_inputs_are_deterministic(detector: MessageDetector) -> None:
    for item in MessageDetector.conformance_inputs():
        a, b = detector.analyze(item), detector.analyze(item)
        assert a == b
        assert 0.0 <= a.score <= 1.0
        assert a.kind == "message"
        assert "scheme" in a.to_dict()


def test_every_reason_the_detector_emits_is_translated(detector: MessageDetector) -> None:
    for text in MIX:
        for r in detector.analyze(text).reasons:
            assert set(r.messages) == {"az", "ru", "en"}
            assert "{" not in r.message("az")


def test_batch_and_single_agree_with_senders(detector: MessageDetector) -> None:
    items = [
        MessageInput("Salam, axşam gəlirsən?", sender="KapitaIBank"),
        MessageInput("Salam, axşam gəlirsən?", sender="KapitalBank"),
        MessageInput("Salam, axşam gəlirsən?", sender="+994501234567"),
        MessageInput("Kodunuz: 4821. Heç kimə deməyin.", sender="Birbank"),
    ]
    for item, b in zip(items, detector.analyze_batch(items), strict=True):
        single = detector.analyze(item)
        assert (b.verdict, b.score, b.brand) == (single.verdict, single.score, single.brand)
    assert detector.analyze(items[0]).verdict == "suspicious"
    assert detector.analyze(items[1]).verdict == "benign"
