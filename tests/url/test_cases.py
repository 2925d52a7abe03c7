"""Data-driven cases (``cases.yaml``): every lookalike technique and the negatives.

Each case names the input, its kind (url/domain), the expected verdict, brand and reason
codes. Edit ``cases.yaml`` to add one; this test proves each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from qalxan.detect.url import UrlDetector

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).with_name("cases.yaml")).read_text(encoding="utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["input"] for c in CASES])
def test_case(detector: UrlDetector, case: dict[str, Any]) -> None:
    analyze = detector.analyze if case["kind"] == "url" else detector.analyze_domain
    verdict = analyze(case["input"])
    expected = case["verdict"]
    if expected == "flagged":
        assert verdict.verdict in ("malicious", "suspicious"), verdict.to_dict()
    elif expected != "any":
        assert verdict.verdict == expected, verdict.to_dict()
    assert verdict.brand == case["brand"], verdict.to_dict()
    codes = set(verdict.codes)
    for code in case.get("codes", []):
        assert code in codes, verdict.to_dict()
    if expected == "benign":
        assert not any(c.startswith("lookalike.") for c in codes), verdict.to_dict()
    if "detail" in case:
        details = [m["detail"] for m in verdict.extra["imitates"]]
        assert case["detail"] in details, verdict.to_dict()


def test_case_ids_unique() -> None:
    inputs = [c["input"] for c in CASES]
    assert len(inputs) == len(set(inputs))


def test_every_technique_has_a_case() -> None:
    codes = {code for c in CASES for code in c.get("codes", [])}
    for technique in (
        "homoglyph",
        "typo",
        "combosquat",
        "subdomain",
        "path",
        "tld_swap",
        "transliteration",
    ):
        assert f"lookalike.{technique}" in codes
    details = {c.get("detail") for c in CASES}
    for typo in (
        "omission",
        "insertion",
        "repetition",
        "transposition",
        "keyboard replacement",
        "bit flip",
        "vowel swap",
        "hyphenation",
        "dot insertion",
    ):
        assert typo in details


def test_reasons_name_the_official_domain(detector: UrlDetector) -> None:
    verdict = detector.analyze_domain("kapitalbank-login.com")
    reason = verdict.reasons[0]
    assert reason.code == "lookalike.combosquat"
    for lang in ("az", "ru", "en"):
        assert "kapitalbank.az" in reason.message(lang)
    assert verdict.extra["imitates"][0]["official"] == "kapitalbank.az"


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.google.com/forms/d/e/1FAIpQLSf/viewform",
        "http://secure-login-verify-account.xyz/webscr/signin.php?cmd=update",
        "http://paypal.com.account-verify.duckdns.org/login",
        "http://198.51.100.7/bank/login.php",
    ],
)
def test_the_model_alone_never_makes_a_url_malicious(detector: UrlDetector, url: str) -> None:
    """Without a brand imitation, a lexical opinion plus hosting context stays below 0.8."""
    verdict = detector.analyze(url)
    assert not any(c.startswith("lookalike.") for c in verdict.codes), verdict.to_dict()
    assert verdict.verdict != "malicious", verdict.to_dict()
