"""IBAN, VÖEN, FİN, SMS sender ID, messenger handle and e-mail parsers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from qalxan.domain import (
    IdentifierError,
    parse_email,
    parse_fin,
    parse_handle,
    parse_iban,
    parse_sender_id,
    parse_voen,
)

PARSERS = [parse_iban, parse_voen, parse_sender_id, parse_handle, parse_email]


@settings(deadline=None, max_examples=120)
@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_identifier_error(text: str) -> None:
    for parser in PARSERS:
        try:
            parser(text)
        except IdentifierError as exc:
            assert exc.reason and exc.field
    for context in (True, False):
        try:
            parse_fin(text, context=context)
        except IdentifierError as exc:
            assert exc.reason


# --- IBAN ------------------------------------------------------------------------------------


def _az_iban(bank: str, account: str) -> str:
    check = stdnum_iban.calc_check_digits("AZ00" + bank + account)
    return f"AZ{check}{bank}{account}"


az_ibans = st.builds(
    _az_iban,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=4, max_size=4),
    st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=20, max_size=20),
)


def test_known_az_iban() -> None:
    iban = parse_iban("AZ21 NABZ 0000 0000 1370 1000 1944")
    assert iban.value == "AZ21NABZ00000000137010001944" and len(iban.value) == 28
    assert iban.country == "AZ" and iban.bank_code == "NABZ"
    assert iban.formatted.startswith("AZ21 NABZ 0000")
    assert iban.indicator().to_dict() == {
        "kind": "iban",
        "value": iban.value,
        "country": "AZ",
        "bank": "NABZ",
    }


@settings(deadline=None)
@given(az_ibans)
def test_az_ibans_roundtrip_and_length(text: str) -> None:
    iban = parse_iban(text)
    assert len(iban.value) == 28
    assert parse_iban(iban.formatted) == iban
    assert parse_iban(text.lower()) == iban


@settings(deadline=None)
@given(az_ibans, st.integers(0, 1000))
def test_changed_character_fails_mod97(text: str, k: int) -> None:
    # mod-97 catches every single digit substitution; pick a digit position (the two check
    # digits are always digits) instead of filtering inputs.
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    pos = digits[k % len(digits)]
    ch = text[pos]
    other = "1" if ch != "1" else "2"
    with pytest.raises(IdentifierError):
        parse_iban(text[:pos] + other + text[pos + 1 :])


def test_short_az_iban_is_refused() -> None:
    with pytest.raises(IdentifierError, match="IBAN"):
        parse_iban("AZ21NABZ0000000013701000194")


# --- VÖEN ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1405631661", "1404574551", "9900001881", "1401555071"])
def test_real_voens_pass(value: str) -> None:
    assert parse_voen(value).value == value
    assert parse_voen(value).taxpayer == "legal"


def test_voen_check_digit_and_padding() -> None:
    with pytest.raises(IdentifierError, match="VÖEN"):
        parse_voen("1405631671")


@settings(deadline=None)
@given(st.text("0123456789", min_size=8, max_size=8), st.sampled_from("12"))
def test_voen_checksum_property(first8: str, kind: str) -> None:
    check = sum(w * int(d) for w, d in zip([4, 1, 8, 6, 2, 7, 5, 3], first8, strict=True)) % 11
    if check == 10:
        with pytest.raises(IdentifierError):
            parse_voen(first8 + "0" + kind)
        return
    voen = parse_voen(first8 + str(check) + kind)
    if first8[0] == "0":  # nine-digit input is left-padded with 0
        assert parse_voen(voen.value[1:]) == voen
    assert voen.taxpayer == ("legal" if kind == "1" else "natural")
    wrong = (check + 1) % 10
    with pytest.raises(IdentifierError):
        parse_voen(first8 + str(wrong) + kind)


# --- FİN -------------------------------------------------------------------------------------

fins = st.text("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=7, max_size=7)


@settings(deadline=None)
@given(fins)
def test_fin_needs_context(value: str) -> None:
    with pytest.raises(IdentifierError, match="context"):
        parse_fin(value)
    fin = parse_fin(value.lower(), context=True)
    assert fin.value == value
    assert value not in repr(fin) and value not in str(fin)
    assert fin.indicator().value == value[:2] + "*****"


@pytest.mark.parametrize("value", ["94FMDDI", "94FMDDO", "94FMDD", "94FMDDD1", "94-MDDD"])
def test_fin_shape(value: str) -> None:
    with pytest.raises(IdentifierError, match="without I and O"):
        parse_fin(value, context=True)


# --- SMS sender ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [("KapitalBank", "alphanumeric"), ("Azercell", "alphanumeric"), ("8111", "short_code")],
)
def test_sender_ids(text: str, kind: str) -> None:
    sender = parse_sender_id(f"  {text} ")
    assert sender.value == text and sender.kind == kind
    assert sender.key == text.casefold()


@pytest.mark.parametrize("text", ["KapitalBankAZ1", "+994501234567", "12", "Kapitаl", "a/b", "-x"])
def test_bad_sender_ids(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_sender_id(text)


@settings(deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True))
def test_alphanumeric_senders_roundtrip(text: str) -> None:
    assert parse_sender_id(text).value == text


# --- messenger handles -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "platform", "value"),
    [
        ("t.me/KapitalSupport", "telegram", "kapitalsupport"),
        ("https://t.me/KapitalSupport/", "telegram", "kapitalsupport"),
        ("hxxps://telegram[.]me/azerpost_help", "telegram", "azerpost_help"),
        ("@Azerpost_Help", "telegram", "azerpost_help"),
        ("https://t.me/+AbCdEf123456", "telegram_invite", "AbCdEf123456"),
        ("t.me/joinchat/AbCdEf123456", "telegram_invite", "AbCdEf123456"),
        ("wa.me/994501234567", "whatsapp", "+994501234567"),
        ("https://api.whatsapp.com/send?phone=994501234567", "whatsapp", "+994501234567"),
        ("https://chat.whatsapp.com/AbCdEf123456", "whatsapp_group", "AbCdEf123456"),
    ],
)
def test_handles(text: str, platform: str, value: str) -> None:
    handle = parse_handle(text)
    assert (handle.platform, handle.value) == (platform, value)
    assert parse_handle(handle.url) == handle


@pytest.mark.parametrize(
    "text", ["@ab", "t.me/", "example.com/x", "wa.me/abc", "wa.me/1", "@_name", "plain"]
)
def test_bad_handles(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_handle(text)


@settings(deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]", fullmatch=True))
def test_telegram_forms_agree(name: str) -> None:
    forms = [f"@{name}", f"t.me/{name}", f"https://telegram.me/{name}", f"hxxps://t[.]me/{name}"]
    assert {parse_handle(f) for f in forms} == {parse_handle(f"@{name}")}


# --- e-mail ----------------------------------------------------------------------------------


def test_emails() -> None:
    email = parse_email("Info@Kapitalbank.AZ")
    assert email.value == "Info@kapitalbank.az" and email.domain.registered == "kapitalbank.az"
    assert parse_email("info[@]kapitalbank[.]az") == email.__class__("info", email.domain)
    assert parse_email("mailto:a.b@xn--pot-3la.az?subject=x").domain.unicode == "poçt.az"
    assert parse_email("a@poçt.az").value == "a@xn--pot-3la.az"
    assert parse_email("a@b.az").indicator().to_dict()["domain"] == "b.az"


@pytest.mark.parametrize("text", ["a", "@b.az", "a@", "a..b@c.az", "a@1.2.3.4", "a@localhost"])
def test_bad_emails(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_email(text)


email_parts = st.tuples(
    st.from_regex(r"[a-z0-9_+-]{1,10}(\.[a-z0-9]{1,5}){0,2}", fullmatch=True),
    st.lists(
        st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3
    ),
    st.sampled_from(["az", "com", "com.az", "ru"]),
)


@settings(deadline=None)
@given(email_parts)
def test_email_forms_agree(parts: tuple[str, list[str], str]) -> None:
    local, labels, tld = parts
    host = ".".join([*labels, tld])
    email = parse_email(f"{local}@{host}")
    assert email.value == f"{local}@{host}"
    assert parse_email(f"{local}[@]{host.replace('.', '[.]')}") == email
    assert parse_email(f"mailto:{local}@{host.upper()}") == email
