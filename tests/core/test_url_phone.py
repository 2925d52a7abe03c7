"""URL canonicalisation and phone parsing: properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from qalxan.domain import PhoneError, UrlError, parse_domain, parse_phone, parse_url, refang

labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.builds(
    lambda parts, tld: ".".join([*parts, tld]),
    st.lists(labels, min_size=1, max_size=3),
    st.sampled_from(["az", "com", "com.az", "gov.az", "ru", "xyz", "github.io"]),
)
paths = st.lists(st.sampled_from(["a", "b", ".", "..", "login", "%2e", "x y"]), max_size=5).map(
    lambda segs: "/" + "/".join(s for s in segs if " " not in s)
)
built = st.builds(
    lambda scheme, host, port, path, query: f"{scheme}://{host}{port}{path}{query}",
    st.sampled_from(["http", "https", "HTTP", "hTTps"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    paths,
    st.sampled_from(["", "?a=1", "?q=kart&x=%20"]),
)
tricky = st.lists(
    st.sampled_from(
        [*"abcxyz019.-_/:@?#%[]() ", "ı", "ə", "ç", "[.]", "(dot)", "xn--", "hxxp", "\u200b", "１"]
    ),
    max_size=30,
).map("".join)
anything = st.one_of(built, urls(), st.text(max_size=80), tricky, tricky.map("http://".__add__))


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_never_raises_anything_but_url_error(text: str) -> None:
    try:
        parse_url(text)
    except UrlError as exc:
        assert exc.field == "url" and exc.reason


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(built, urls(), tricky.map("http://".__add__)))
def test_canonical_form_is_idempotent(text: str) -> None:
    try:
        first = parse_url(text)
    except UrlError:
        assume(False)
        return
    again = parse_url(first.canonical)
    assert again.canonical == first.canonical
    assert again.domain == first.domain
    assert (again.path, again.query, again.port) == (first.path, first.query, first.port)


def _defang(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host, slash, tail = rest.partition("/")
    return scheme.replace("http", "hxxp") + "://" + host.replace(".", "[.]") + slash + tail


@settings(deadline=None, max_examples=120)
@given(built)
def test_defanged_equals_fanged(text: str) -> None:
    try:
        fanged = parse_url(text)
    except UrlError:
        assume(False)
        return
    assert parse_url(_defang(text)).canonical == fanged.canonical
    assert parse_url(refang(_defang(text))) == parse_url(text)


@settings(deadline=None)
@given(hosts)
def test_canonical_lowercases_and_drops_default_port(host: str) -> None:
    url = parse_url(f"HTTPS://{host.upper()}:443/a/./b/../c")
    assert url.canonical == f"https://{host}/a/c"
    assert parse_domain(host.upper()).host == host


def test_idn_and_display() -> None:
    url = parse_url("https://kapıtalbank.az/giriş")
    assert url.host.startswith("xn--") and url.domain.unicode == "kapıtalbank.az"
    assert "kapıtalbank.az" in url.display
    assert parse_url(url.canonical).canonical == url.canonical


@pytest.mark.parametrize(
    "text",
    ["javascript:alert(1)", "", "http://", "http://exa mple.az", "ftp://a..b/", "http://a:99999/"],
)
def test_bad_urls_name_the_reason(text: str) -> None:
    with pytest.raises(UrlError) as info:
        parse_url(text)
    assert info.value.reason


# --- phones ----------------------------------------------------------------------------------

az_numbers = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["50", "51", "10", "55", "99", "70", "77", "12"]),
    st.text("0123456789", min_size=7, max_size=7),
)


@settings(deadline=None)
@given(az_numbers)
def test_az_national_and_international_forms_agree(nsn: str) -> None:
    a, b, c, d = nsn[:2], nsn[2:5], nsn[5:7], nsn[7:]
    forms = [
        f"0{a} {b} {c} {d}",
        f"(0{a}) {b}-{c}-{d}",
        f"+994 {a} {b} {c} {d}",
        f"994{nsn}",
        f"00994{nsn}",
        f"+994-{a}-{b}-{c}-{d}",
        f"0{nsn}",
    ]
    phones = {parse_phone(f).e164 for f in forms}
    assert phones == {f"+994{nsn}"}
    phone = parse_phone(forms[0])
    assert phone.country == "AZ" and not phone.is_foreign and not phone.is_short_code


@settings(deadline=None)
@given(st.text("0123456789", min_size=3, max_size=5))
def test_short_codes_stay_short_codes(code: str) -> None:
    phone = parse_phone(code)
    assert phone.is_short_code and phone.e164 == code


def test_foreign_number() -> None:
    phone = parse_phone("+7 912 345 67 89")
    assert phone.is_foreign and phone.e164 == "+79123456789"


@settings(deadline=None, max_examples=120)
@given(st.text(max_size=30))
def test_phone_never_raises_anything_but_phone_error(text: str) -> None:
    try:
        parse_phone(text)
    except PhoneError as exc:
        assert exc.reason


def test_parent_domains() -> None:
    from qalxan.domain.url import parent_domains

    assert parent_domains("a.b.example.az") == [
        "a.b.example.az",
        "b.example.az",
        "example.az",
        "az",
    ]
    assert parent_domains("localhost") == ["localhost"]
