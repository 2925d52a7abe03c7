"""The portal (server-rendered, no JavaScript) and the analyst pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from qalxan.store.analysts import AnalystDirectory
from qalxan.web.i18n import load_texts

from .support import FAKE_BUYER_SMS, drain

PASSWORD = "correct horse battery staple"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match
    return match.group(1)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(reports_workers=0)


def login(client: TestClient, username: str = "aysel") -> str:
    AnalystDirectory(client.app.state.store).create_user(username, PASSWORD)  # type: ignore[attr-defined]
    page = client.get("/analyst/login")
    answer = client.post(
        "/analyst/login",
        data={
            "csrf": csrf_of(page.text),
            "username": username,
            "password": PASSWORD,
            "next": "/analyst",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/analyst"
    return csrf_of(client.get("/analyst").text)


def test_every_language_has_every_text() -> None:
    texts = load_texts()
    assert set(texts) == {"az", "ru", "en"}
    keys = set(texts["az"].texts)
    for lang in ("ru", "en"):
        assert set(texts[lang].texts) == keys


def test_main_page_is_azerbaijani_by_default_and_switches_language(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="az">' in page.text
    assert "Bank heç vaxt bunları soruşmur" in page.text
    assert "<script" not in page.text, "the portal works without JavaScript"
    assert "script-src 'none'" in page.headers["content-security-policy"]
    ru = client.get("/advice?lang=ru")
    assert '<html lang="ru">' in ru.text and "Банк никогда не спрашивает" in ru.text
    assert '<html lang="ru">' in client.get("/").text, "the choice is remembered"
    en = client.get("/advice?lang=en")
    assert "A bank never asks for" in en.text and "one-time code" in en.text
    css = client.get("/static/qalxan.css")
    assert css.status_code == 200 and "@media" in css.text


def test_advice_covers_the_schemes(client: TestClient) -> None:
    page = client.get("/advice").text
    for phrase in (
        "texniki dəstəyi",
        "SMS kodları",
        "Saxta alıcılar",
        "Çatdırılma haqqı",
        "müavinət",
        "CVV",
        "PIN",
        "birdəfəlik şifrəni",
    ):
        assert phrase in page


def test_check_a_message_shows_the_warning_and_reasons(client: TestClient) -> None:
    home = client.get("/")
    result = client.post("/check", data={"csrf": csrf_of(home.text), "q": FAKE_BUYER_SMS})
    assert result.status_code == 200
    assert "Təhlükəli! Bu, demək olar ki, fırıldaqdır." in result.text
    assert "Mesaj kart məlumatlarını istəyir" in result.text
    assert field(result.text, "client_key").startswith("web-")
    ru = client.post("/check", data={"csrf": csrf_of(home.text), "q": FAKE_BUYER_SMS, "lang": "ru"})
    assert "Сообщение просит данные карты" in ru.text


def test_check_a_phone_number_uses_reports_and_brands(client: TestClient) -> None:
    token = csrf_of(client.get("/").text)
    official = client.post("/check", data={"csrf": token, "q": "196"})
    assert "Kapital Bank şirkətinin rəsmi nömrəsidir" in official.text
    foreign = client.post("/check", data={"csrf": token, "q": "+7 916 123-45-67"})
    assert "xaricidir" in foreign.text
    client.post("/v1/reports", json={"phone": "+994 55 444 33 22", "channel": "call"})
    drain(client.app)  # type: ignore[arg-type]
    reported = client.post("/check", data={"csrf": token, "q": "055 444 33 22"})
    assert "Bu nömrə barədə 1 şikayət var." in reported.text
    assert 'data-verdict="suspicious"' in reported.text


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    client.get("/")
    assert client.post("/check", data={"q": "x"}).status_code == 403
    assert client.post("/report", data={"text": "x", "csrf": "forged"}).status_code == 403
    fresh = TestClient(client.app)
    assert fresh.post("/report", data={"text": "x", "csrf": "abc"}).status_code == 403


def test_report_form_stores_once_and_escapes_html(client: TestClient) -> None:
    form = client.get("/report")
    assert form.status_code == 200
    data = {
        "csrf": csrf_of(form.text),
        "client_key": field(form.text, "client_key"),
        "text": 'Qiymət <script>alert("pwn")</script> <b>endirim</b>',
        "channel": "telegram",
    }
    first = client.post("/report", data=data, follow_redirects=False)
    assert first.status_code == 303
    second = client.post("/report", data=data, follow_redirects=False)
    assert second.headers["location"] == first.headers["location"], "a double submit is one report"
    thanks = client.get(first.headers["location"])
    assert "Təşəkkür edirik!" in thanks.text
    rid = re.search(r"ref=([0-9a-f]{32})", first.headers["location"]).group(1)  # type: ignore[union-attr]
    login(client)
    page = client.get(f"/analyst/reports/{rid}").text
    assert "&lt;script&gt;alert(&#34;pwn&#34;)&lt;/script&gt;" in page
    assert "<script>" not in page and "<b>endirim" not in page


def test_bad_report_form_input_is_a_clear_error(client: TestClient) -> None:
    form = client.get("/report")
    token = csrf_of(form.text)
    empty = client.post("/report", data={"csrf": token, "text": "  "})
    assert empty.status_code == 422 and 'id="form-error"' in empty.text
    body = f"csrf={token}&text=Kart%FD%FE".encode()
    raw = client.post(
        "/report", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert raw.status_code == 422
    assert "text: is not valid UTF-8 text" in raw.text and 'id="error-message"' in raw.text
    bad_eml = client.post(
        "/report", data={"csrf": token}, files={"eml": ("x.eml", b"\x00\x01junk", "message/rfc822")}
    )
    assert bad_eml.status_code == 422 and "eml" in bad_eml.text


def test_analyst_pages_need_a_session(client: TestClient) -> None:
    for path in ("/analyst", "/analyst/campaigns", "/analyst/stats", "/analyst/reports/abc"):
        page = client.get(path)
        assert page.status_code == 401 and 'id="login-form"' in page.text
    assert (
        client.post("/analyst/reports/abc/decision", data={"decision": "confirm"}).status_code
        == 401
    )
    token = csrf_of(client.get("/analyst/login").text)
    AnalystDirectory(client.app.state.store).create_user("rauf", PASSWORD)  # type: ignore[attr-defined]
    wrong = client.post(
        "/analyst/login", data={"csrf": token, "username": "rauf", "password": "nope nope nope"}
    )
    assert wrong.status_code == 401 and 'id="login-notice"' in wrong.text
    assert "qx_session" not in client.cookies


def test_analyst_confirms_a_campaign_and_stats_follow(client: TestClient) -> None:
    client.post("/v1/reports", json={"text": FAKE_BUYER_SMS})
    client.post("/v1/reports", json={"url": "https://azerpost-odenis.site/pay/1"})
    drain(client.app)  # type: ignore[arg-type]
    token = login(client)
    queue = client.get("/analyst").text
    assert "malicious" in queue
    assert "Şikayətlər növbəsi" in queue  # analyst pages speak Azerbaijani by default too
    assert "Report queue" in client.get("/analyst?lang=en").text
    client.get("/analyst?lang=az")
    cid = re.search(r"/analyst/campaigns/(\d+)", queue).group(1)  # type: ignore[union-attr]
    page = client.get(f"/analyst/campaigns/{cid}").text
    assert "<svg" in page and page.count('class="edge"') >= 2
    assert "azerpost-odenis.site" in page and "azerpost" in page
    forged = client.post(
        f"/analyst/campaigns/{cid}/decision", data={"decision": "confirm", "csrf": "x"}
    )
    assert forged.status_code == 403
    done = client.post(
        f"/analyst/campaigns/{cid}/decision",
        data={"decision": "confirm", "csrf": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'id="campaign-status">confirmed' in client.get(f"/analyst/campaigns/{cid}").text
    stats = client.get("/analyst/stats").text
    assert 'id="decisions-total">1<' in stats and "aysel, " in stats
    logout = client.post("/analyst/logout", data={"csrf": token}, follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/analyst").status_code == 401


def test_sessions_expire_and_tampered_cookies_are_refused(client: TestClient) -> None:
    from datetime import timedelta

    directory = AnalystDirectory(client.app.state.store)  # type: ignore[attr-defined]
    directory.create_user("nigar", PASSWORD)
    user = directory.authenticate("nigar", PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    expired = directory.open_session(user, timedelta(seconds=-1))
    assert directory.lookup(expired.session_id) is None
    live = directory.open_session(user, timedelta(hours=1))
    assert directory.lookup(live.session_id) is not None
    client.cookies.set("qx_session", live.session_id)  # unsigned: refused
    assert client.get("/analyst").status_code == 401
