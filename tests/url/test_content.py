"""Detection content: data files load, every emitted code has az/ru/en messages, the
confusable table folds Azerbaijani and Cyrillic letters, variant naming is right."""

from __future__ import annotations

import pytest

from qalxan.data import load_reasons, read_text, read_yaml
from qalxan.detect.url import Confusables, LookalikeConfig, UrlDetector, parse_confusables_tsv
from qalxan.detect.url.variants import glyph_variants, name_edit, typo_variants
from qalxan.domain.errors import ParseError

CODES = [
    "lookalike.homoglyph",
    "lookalike.typo",
    "lookalike.combosquat",
    "lookalike.subdomain",
    "lookalike.path",
    "lookalike.tld_swap",
    "lookalike.transliteration",
    "model.url",
    "context.free_hosting",
    "context.shortener",
    "context.dynamic_dns",
    "context.brand_mention",
    "context.well_known",
    "redirect.target",
    "brand.official",
]


def test_every_code_has_three_languages() -> None:
    catalog = load_reasons()
    for code in CODES:
        assert code in catalog
        reason = catalog.reason(code, 0.5, "x", brand="B", official="b.az", detail="d")
        for lang in ("az", "ru", "en"):
            assert "{" not in reason.message(lang)


def test_weights_are_valid() -> None:
    config = LookalikeConfig.from_mapping(read_yaml("url/lookalike.yaml"))
    assert all(-1.0 <= w <= 1.0 for w in config.weights.values())
    assert {"login", "secure", "verify", "bonus", "pay", "odenis", "kart", "az", "online"} <= (
        config.combo_words
    )


@pytest.fixture(scope="module")
def confusables() -> Confusables:
    config = LookalikeConfig.from_mapping(read_yaml("url/lookalike.yaml"))
    table = parse_confusables_tsv(read_text("url/confusables.tsv"))
    return Confusables(table, config.sequences, config.loose)


@pytest.mark.parametrize(
    ("label", "skeleton"),
    [
        ("azərpoçt", "azerpoct"),
        ("kapıtalbank", "kapitalbank"),
        ("ğöüşç", "gousc"),
        ("вirвank", "birbank"),
        ("pаypаl", "paypal"),
        ("rnicrosoft", "microsoft"),
        ("kapita1bank", "kapitalbank"),
    ],
)
def test_skeleton(confusables: Confusables, label: str, skeleton: str) -> None:
    assert confusables.skeleton(label) == skeleton


def test_schwa_has_two_readings(confusables: Confusables) -> None:
    assert set(confusables.skeletons("ə")) == {"e", "a"}


def test_loose_meets_double_glyph_swaps(confusables: Confusables) -> None:
    assert confusables.loose("abb-dank".replace("-", "")) == confusables.loose("abbbank")
    assert confusables.loose("kapita1bamk") == confusables.loose("kapitalbank")


def test_variant_generators() -> None:
    variants = set(typo_variants("nar"))
    assert {"na", "naar", "anr", "nat", "n-ar", "mar"} <= variants
    assert "kapita1bank" in glyph_variants("kapitalbank", {"l": ("1",)})
    assert name_edit("kapitalbank", "kapitalbnak", {}) == "transposition"
    assert name_edit("nar", "naar", {}) == "repetition"
    assert name_edit("nar", "nr", {}) == "omission"
    assert name_edit("kapitalbank", "kapitalbcnk", {}) == "bit flip"
    assert name_edit("kapitalbank", "kapitelbank", {}) == "vowel swap"


def test_conformance(detector: UrlDetector) -> None:
    for item in detector.conformance_inputs():
        try:
            first = detector.analyze(item)
        except ParseError:
            continue
        again = detector.analyze(item)
        assert first == again
        assert first.kind == "url"


def test_path_lure_words_match_whole_short_words_and_inside_long_ones(
    detector: UrlDetector,
) -> None:
    # Short lure words count as whole tokens only (pay, kart), long ones also inside words.
    def technique(url: str) -> str:
        codes = detector.analyze(url).codes
        return "path" if "lookalike.path" in codes else "mention"

    assert technique("https://example.com/news/birbank-rates/pay/now") == "path"
    assert technique("https://example.com/news/birbank-securelogin-rates") == "path"
    assert technique("https://example.com/news/birbank-paypal-rates") == "mention"
    assert technique("https://example.com/news/birbank-kartof-rates") == "mention"
