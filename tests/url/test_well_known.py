"""Well-known global services (``data/url/well_known.yaml``): their own login and account
addresses read like phishing to the lexical model, so there it ranks but never flags alone;
an address that carries a link to another site is judged as usual, and the link it carries
is judged too (``redirect.target``)."""

from __future__ import annotations

import pytest

from qalxan.data import read_yaml
from qalxan.detect.url import UrlDetector
from qalxan.domain.verdict import Verdict


def _model(v: Verdict) -> tuple[float, float]:
    """(weight, probability) of the model reason."""
    reason = next(r for r in v.reasons if r.code == "model.url")
    return reason.weight, float(reason.evidence)


@pytest.mark.parametrize(
    "url",
    [
        "https://accounts.google.com/signin/v2/identifier?service=mail",
        "https://accounts.google.com/signin/v2/identifier?continue=https%3A%2F%2Fmail.google.com%2F",
        "https://login.microsoftonline.com/common/oauth2/authorize",
        "https://www.paypal.com/signin?returnUri=https://www.paypal.com/myaccount",
        "https://www.amazon.com/dp/B0CHX1W1XY?ref=ppx_yo2ov_dt_b_product_details",
        "https://docs.python.org/3/library/re.html",
    ],
)
def test_the_model_only_ranks_on_a_well_known_service(detector: UrlDetector, url: str) -> None:
    v = detector.analyze(url)
    assert v.verdict == "benign", v.to_dict()
    assert "context.well_known" in v.codes
    weight, _ = _model(v)
    assert weight <= 0.3  # the cap that keeps it below suspicious


@pytest.mark.parametrize(
    "url",
    [
        "https://www.google.com/url?q=https://kapital-secure.top/login&sa=D",
        "https://login.microsoftonline.com/common/oauth2/authorize?redirect_uri=https%3A%2F%2Fevil-login.top%2Fcb",
        "https://www.google.com/amp/s/evil-bank.top/login",
        "https://www.google.com/amp/s/www.evil-bank.top/login",
        # a login that continues to user content on the same domain
        "https://accounts.google.com/ServiceLogin?service=cds&continue=https://storage.cloud.google.com/x1.appspot.com/index.html",
    ],
)
def test_an_address_that_leads_to_another_site_is_judged_as_usual(
    detector: UrlDetector, url: str
) -> None:
    weight, p = _model(detector.analyze(url))
    assert weight == pytest.approx(p * 0.75, abs=1e-3) and weight > 0.3  # not capped


def test_user_content_hosts_of_a_well_known_service_stay_free_hosting(
    detector: UrlDetector,
) -> None:
    v = detector.analyze("https://sites.google.com/view/kapitalbank-giris/home")
    assert "context.free_hosting" in v.codes and "context.well_known" not in v.codes
    assert v.verdict == "malicious" and v.brand == "kapitalbank"
    for url in (
        "https://drive.google.com/file/d/1ik3UxH3RDigwAr7D269WVkoWp17Cci1n/edit",
        "https://onedrive.live.com/redir?resid=C8B76DABC59C8691!105",
        "https://storage.cloud.google.com/x1.appspot.com/index.html",
        "http://feedproxy.google.com/~r/26b1e0/~3/gM3TTTA35WE/apmix",
    ):
        codes = detector.analyze(url).codes
        assert "context.free_hosting" in codes and "context.well_known" not in codes, url


def test_the_list_holds_no_free_hosting_and_no_registry_brand(detector: UrlDetector) -> None:
    hosting = read_yaml("url/hosting.yaml")
    listed = set(read_yaml("url/well_known.yaml")["domains"])
    for kind in ("shorteners", "free_hosting", "dynamic_dns", "social"):
        assert not listed & set(hosting[kind]), kind
    assert all(detector.lookalike.owner(d) is None for d in listed)


@pytest.mark.parametrize(
    ("url", "brand"),
    [
        ("https://www.google.com/url?q=https://kapitalbank-giris.online/login&sa=D", "kapitalbank"),
        ("https://www.google.com/amp/s/birbank-cashback.site/az/verify", "kapitalbank"),
        (
            "https://www.facebook.com/l.php?u=https%3A%2F%2Fpasha-bank.secure-verify.com%2Flogin",
            "pashabank",
        ),
    ],
)
def test_the_link_an_address_leads_to_is_judged(
    detector: UrlDetector, url: str, brand: str
) -> None:
    v = detector.analyze(url)
    assert v.verdict == "malicious" and v.brand == brand, v.to_dict()
    target = next(r for r in v.reasons if r.code == "redirect.target")
    assert target.weight >= 0.8 and "://" in target.evidence


def test_a_redirect_to_a_brands_own_site_imitates_nothing(detector: UrlDetector) -> None:
    for url in (
        "https://example.org/redirect?to=https%3A%2F%2Fwww.kapitalbank.az%2F",
        "https://click.mailer.com/track?url=https://www.kapitalbank.az/az/cards&id=55",
    ):
        v = detector.analyze(url)
        assert not any(c.startswith("lookalike.") or c == "redirect.target" for c in v.codes)
        assert v.brand is None and v.verdict != "malicious", v.to_dict()
    # A kit's own path still counts when it also links to the real site.
    v = detector.analyze("https://evil.top/kapitalbank/login?next=https://www.kapitalbank.az/")
    assert "lookalike.path" in v.codes and v.brand == "kapitalbank"
    # So does a folder named like the real site: a link needs // (or an AMP prefix) there.
    for url in (
        "https://evil.top/www.kapitalbank.az/login?next=https://www.kapitalbank.az/",
        "https://evil.top/www.kapitalbank.az/az/online/login",
    ):
        v = detector.analyze(url)
        assert "lookalike.path" in v.codes and v.brand == "kapitalbank", v.to_dict()
    for url in (
        "https://example.org/go/https://www.kapitalbank.az/az/cards",
        "https://example.org/go/https%3A%2F%2Fwww.kapitalbank.az%2Faz%2Fcards",
    ):
        v = detector.analyze(url)
        assert v.brand is None and "lookalike.path" not in v.codes, v.to_dict()


@pytest.mark.parametrize(
    "url",
    [
        # Share, sign-in and app-attribution links found on real sites' pages: the carried
        # link reads like phishing to the model, and so does the address around it.
        "https://www.reddit.com/submit?url=https://letstalkbitcoin.com/blog/post/"
        "https://letstalkbitcoin.com/blog/post/",
        "https://login.ua.edu/cas/login?service=https%3a%2f%2fw.taskstream.com%2fCas%2fLogin"
        "%3fpartnerId%3dksh0hphohk",
        "https://app.adjust.com/i3r0611?adgroup=apk_button&campaign=footer&creative=cid-CLIENTID"
        "&redirect=https%3A%2F%2Fdrive.google.com%2Fdrive%2Ffolders%2F1TeEeY-34J0HeRfDh0k5-N5Nt"
        "akfNDpbG%3Fusp%3Dsharing",
    ],
)
def test_a_link_only_the_model_suspects_does_not_make_an_address_malicious(
    detector: UrlDetector, url: str
) -> None:
    """The model alone makes an address suspicious at most; a carried link the model alone
    suspects lifts the address's model weight to the link's, not past it."""
    v = detector.analyze(url)
    redirect = next(r for r in v.reasons if r.code == "redirect.target")
    link = detector.analyze(redirect.evidence)
    assert {r.code for r in link.reasons if r.weight > 0} <= {"model.url"} | {
        r.code for r in link.reasons if r.code.startswith("context.")
    }
    own, _ = _model(v)
    theirs, _ = _model(link)
    assert v.verdict == "suspicious", v.to_dict()
    assert v.score == pytest.approx(max(own, theirs), abs=1e-5), v.to_dict()


def test_a_brand_before_the_at_sign_is_named_without_the_password(
    detector: UrlDetector,
) -> None:
    v = detector.analyze("https://kapitalbank.az:hunter2@evil-login.ru/giris")
    reason = next(r for r in v.reasons if r.code == "lookalike.userinfo")
    assert v.verdict == "malicious" and v.brand == "kapitalbank"
    assert reason.evidence == "kapitalbank.az"
    assert all("hunter2" not in (r.evidence or "") for r in v.reasons)
    by_name = detector.analyze("https://secure.birbank.login@203.0.113.7/")
    assert [r.code for r in by_name.reasons if r.code.startswith("lookalike.")] == [
        "lookalike.userinfo"
    ]
    plain = detector.analyze("https://anonymous:guest@ftp.example.org/pub/")
    assert not any(r.code == "lookalike.userinfo" for r in plain.reasons)


def test_a_search_on_a_well_known_service_only_mentions_the_brand(
    detector: UrlDetector,
) -> None:
    """The same words in the path of an unknown site are a phishing kit's."""
    search = detector.analyze("https://www.google.com/search?q=kapitalbank+login")
    assert search.verdict == "benign"
    assert [r.code for r in search.reasons if "brand" in r.code] == ["context.brand_mention"]
    kit = detector.analyze("https://example-host.com/search?q=kapitalbank+login")
    assert kit.brand == "kapitalbank" and kit.verdict != "benign"
