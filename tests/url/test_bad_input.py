"""Bad input gets a clear error or a verdict, never a crash or a hang; hypothesis fuzzes it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qalxan.detect.url import UrlDetector
from qalxan.domain.errors import DomainError, ParseError, UrlError

BAD_URLS = [
    "",
    "   ",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox",
    "http://exa mple.com/",
    "http://\x00evil.com/",
    "http://evil.com/\x1b[31m",
    "http://xn--zz.com/",
    "http://xn--a-ecp.ru.xn--zzzz/",
    "http://" + "a" * 300 + ".com/",
    "http://[::1",
    "http://host:99999/",
    "ftp://",
    "http://",
    "https://-bad-.com/",
    # Lone surrogates (a JSON escape such as \udc00 decodes to one): no encoder takes them.
    "http://ex.com/\udc00",
    "http://kapital\ud800bank.az/",
]


@pytest.mark.parametrize("text", BAD_URLS)
def test_bad_urls_raise_url_error(detector: UrlDetector, text: str) -> None:
    with pytest.raises(UrlError) as info:
        detector.analyze(text)
    assert info.value.reason
    assert info.value.field == "url"


@pytest.mark.parametrize("text", ["", "kapital bank.az", "http://x.com/a", "-x-.az", "\x07.az"])
def test_bad_domains_raise_domain_error(detector: UrlDetector, text: str) -> None:
    with pytest.raises(DomainError):
        detector.analyze_domain(text)


def test_non_text_is_an_error(detector: UrlDetector) -> None:
    with pytest.raises(UrlError):
        detector.analyze(None)
    with pytest.raises(DomainError):
        detector.analyze_domain(12)


def test_ten_kilobyte_url_gets_a_verdict(detector: UrlDetector) -> None:
    url = "https://kapitalbank-login.com/" + "a/" * 5000
    verdict = detector.analyze(url)
    assert verdict.verdict == "malicious"
    assert len(url) > 10_000


def test_ten_kilobyte_host_is_refused(detector: UrlDetector) -> None:
    with pytest.raises(UrlError, match="253"):
        detector.analyze("http://" + "a." * 5000 + "com/")


@pytest.mark.parametrize(
    "url", ["http://[2001:db8::1]/", "http://[::ffff:192.0.2.1]:8080/x", "http://192.0.2.1/login"]
)
def test_ip_literals_get_a_verdict(detector: UrlDetector, url: str) -> None:
    verdict = detector.analyze(url)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.indicators[-1].kind == "ip"


def test_analyze_many_keeps_order_and_errors(detector: UrlDetector) -> None:
    out = detector.analyze_many(["kapitalbank.az", "javascript:x", "kapitalbank-login.com"])
    assert [type(o).__name__ for o in out] == ["Verdict", "UrlError", "Verdict"]


_URLISH = st.text(
    alphabet=st.sampled_from(
        [
            *list("abcdehklnprstxz0123456789-._~:/?#[]@!$&'()*+,;=%"),
            "ə",
            "ı",
            "а",
            "\x00",
            " ",
            "\u200b",
            "İ",
        ]
    ),
    max_size=80,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(_URLISH, st.text(max_size=60), st.builds(lambda s: "http://" + s, _URLISH)))
def test_fuzz_analyze(detector: UrlDetector, text: str) -> None:
    try:
        verdict = detector.analyze(text)
    except ParseError:
        return
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.verdict in ("malicious", "suspicious", "benign")
    verdict.to_dict("az")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(_URLISH, st.from_regex(r"[a-z0-9əıа-]{1,20}(\.[a-z]{2,6}){1,2}", fullmatch=True))
)
def test_fuzz_analyze_domain(detector: UrlDetector, text: str) -> None:
    try:
        verdict = detector.analyze_domain(text)
    except ParseError:
        return
    assert 0.0 <= verdict.score <= 1.0
