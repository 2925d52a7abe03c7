"""Campaign keys, near-duplicate fingerprints and .eml parsing."""

from __future__ import annotations

import pytest

from qalxan.data import load_brands
from qalxan.domain.errors import ParseError
from qalxan.domain.verdict import Indicator
from qalxan.intake.eml import parse_eml
from qalxan.policy.fingerprint import fingerprint, normalise_text, similarity
from qalxan.policy.indicators import KeyPolicy, card_hash

from .support import EML

TEMPLATE = (
    "Hörmətli müştəri, bağlamanız anbara çatıb, lakin ünvan səhvdir. Ünvanı yeniləmək üçün "
    "1.50 AZN ödəyin: https://azerpost-{x}.site/track/{n}"
)


@pytest.fixture(scope="module")
def policy() -> KeyPolicy:
    return KeyPolicy(load_brands(), ["bit.ly", "t.me", "wa.me"], b"test-key")


def test_near_duplicates_share_a_band_and_distinct_texts_do_not() -> None:
    a = fingerprint(TEMPLATE.format(x="az", n=1))
    b = fingerprint(TEMPLATE.format(x="pay", n=99817).replace("Hörmətli", "Hormetli"))
    c = fingerprint("Sabah saat 10-da iclas olacaq, zəhmət olmasa hesabatı gətirin və gecikməyin.")
    assert a and b and c
    assert similarity(a.signature, b.signature) >= 0.5
    assert set(a.bands) & set(b.bands)
    assert similarity(a.signature, c.signature) < 0.2
    assert not set(a.bands) & set(c.bands)


def test_short_texts_have_no_fingerprint_and_normalising_folds_letters() -> None:
    assert fingerprint("Salam, zəng edin") is None
    assert normalise_text("Kartınız BLOKLANIB 4169 https://x.az/a") == "kartiniz bloklanib 0 url"


def test_keys_from_fields(policy: KeyPolicy) -> None:
    keys = policy.keys(
        {
            "url": "hxxps://kapital-bank-az[.]com/login",
            "phone": "050 123 45 67",
            "sender": "AZ-BONUS",
            "text": "Yazın @fake_support_az, IBAN AZ21NABZ00000000137010001944, "
            "kart 4169 7388 1234 5670 https://bit.ly/3xYz",
        }
    )
    pairs = {(k.kind, k.value) for k in keys}
    assert ("domain", "kapital-bank-az.com") in pairs
    assert ("host", "kapital-bank-az.com") in pairs
    assert ("url", "https://kapital-bank-az.com/login") in pairs
    assert ("phone", "+994501234567") in pairs
    assert ("sender_id", "az-bonus") in pairs
    assert ("handle", "telegram:fake_support_az") in pairs
    assert ("iban", "AZ21NABZ00000000137010001944") in pairs
    assert ("card", card_hash("4169738812345670", b"test-key")) in pairs
    assert ("url", "https://bit.ly/3xYz") in pairs
    assert not any(v == "bit.ly" for _, v in pairs), "a shortener's domain must not join"
    assert not any("4169738812345670" in v for _, v in pairs), "no clear card number"
    card = next(k for k in keys if k.kind == "card")
    assert card.display == "416973******5670"


def test_brand_owned_and_official_things_never_join(policy: KeyPolicy) -> None:
    keys = policy.keys(
        {"url": "https://www.kapitalbank.az/cards", "phone": "196", "sender": "KapitalBank"}
    )
    kinds = {k.kind for k in keys}
    assert "domain" not in kinds and "host" not in kinds
    assert "phone" not in kinds and "sender_id" not in kinds
    assert kinds == {"url"}


def test_keys_from_detector_indicators(policy: KeyPolicy) -> None:
    keys = policy.keys(
        {},
        [
            Indicator("card", "416973******5672", {"hash": "abc123"}),
            Indicator("domain", "evil-pay.site"),
            Indicator("fingerprint", "PAGE:ABCDEF"),
            Indicator("handle", "@Scammer_Bot"),
        ],
    )
    pairs = {(k.kind, k.value) for k in keys}
    assert ("card", "abc123") in pairs
    assert ("domain", "evil-pay.site") in pairs
    assert ("fingerprint", "page:abcdef") in pairs
    assert ("handle", "telegram:scammer_bot") in pairs


def test_eml_keeps_headers_links_and_attachment_hashes_only() -> None:
    parsed = parse_eml(EML)
    assert parsed.subject == "Kartınız bloklanıb"
    assert parsed.links == ["https://kapitalbank-secure.com/unblock?id=7"]
    assert "Kartiniz bloklanib" in parsed.body_text
    (att,) = parsed.attachments
    assert att["filename"] == "invoice.exe" and att["size"] == 32
    assert len(att["sha256"]) == 64
    assert "TVqQ" not in repr(parsed), "attachment content must not be kept"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02binary junk\xff\xfe",
        b"just some text without headers\n\nbody",
        b"X-Foo: 1\n\nbody",
    ],
)
def test_malformed_eml_is_a_parse_error_naming_the_field(raw: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_eml(raw)
    assert info.value.field == "eml"


def test_texts_sharing_only_common_words_are_not_near_duplicates() -> None:
    """Regression: with small hash coefficients every permutation picked the same shingle and
    these two scored 0.86."""
    a = fingerprint(
        "I know but you need to get hotel now. I just got my invitation but i had to apologise."
    )
    b = fingerprint('Short But Cute: "Be a good person, but dont try to prove it.." .Gud noon....')
    assert a and b
    assert similarity(a.signature, b.signature) < 0.2
