"""The public names of qalxan.domain exist, and each parser's errors are ParseErrors."""

from __future__ import annotations

import importlib

import pytest

import qalxan.domain as domain
from qalxan.domain import errors as errors_module
from qalxan.domain.errors import ParseError

MODULES = [
    "brands",
    "card",
    "errors",
    "flows",
    "identifiers",
    "ip",
    "phone",
    "reasons",
    "url",
    "verdict",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_all_is_real(name: str) -> None:
    module = importlib.import_module(f"qalxan.domain.{name}")
    for public in module.__all__:
        assert hasattr(module, public), f"{name}.{public}"


def test_package_exports() -> None:
    for public in domain.__all__:
        assert hasattr(domain, public), public
    parsers = [n for n in domain.__all__ if n.startswith("parse_")]
    assert set(parsers) >= {
        "parse_url", "parse_domain", "parse_phone", "parse_card", "parse_iban", "parse_voen",
        "parse_fin", "parse_sender_id", "parse_handle", "parse_email", "parse_ip",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: domain.parse_url("javascript:x"), domain.UrlError),
        (lambda: domain.parse_domain("a b"), domain.DomainError),
        (lambda: domain.parse_phone("x"), domain.PhoneError),
        (lambda: domain.parse_card("1", b"k"), domain.CardError),
        (lambda: domain.parse_iban("x"), domain.IdentifierError),
        (lambda: domain.parse_voen("x"), domain.IdentifierError),
        (lambda: domain.parse_fin("x"), domain.IdentifierError),
        (lambda: domain.parse_sender_id(""), domain.IdentifierError),
        (lambda: domain.parse_handle("x"), domain.IdentifierError),
        (lambda: domain.parse_email("x"), domain.IdentifierError),
        (lambda: domain.parse_ip("x"), domain.IdentifierError),
    ],
)
def test_each_parser_raises_its_documented_error(call, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, ParseError) and isinstance(info.value, ValueError)
    assert info.value.field and info.value.reason
    assert error.__name__ in (errors_module.__doc__ or ""), "drawn in the errors.py tree"
