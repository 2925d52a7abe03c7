"""The packaged brand registry (qalxan/data/brands.yaml) is complete and well formed."""

from __future__ import annotations

from collections import Counter

import pytest

from qalxan.data import load_brands, read_yaml
from qalxan.domain import DomainError, parse_domain, parse_phone, parse_sender_id
from qalxan.domain.brands import CATEGORIES

DOC = read_yaml("brands.yaml")["brands"]
REGISTRY = load_brands()
ORIGINAL_IDS = {"kapitalbank", "abb", "pashabank", "azerpost", "tapaz", "egov", "nar"}
REQUIRED = {
    # az_facts.md section 3: banks and fintech, marketplaces, post, e-government, operators,
    # utilities and transport
    "kapitalbank", "pashabank", "abb", "bankrespublika", "xalqbank", "unibank", "accessbank",
    "rabitabank", "yelobank", "leobank", "expressbank", "bankofbaku", "azerturkbank", "cbar",
    "goldenpay", "m10", "asanpay", "epoint", "portmanat", "million", "emanat", "azericard",
    "tapaz", "turboaz", "binaaz", "umico", "lalafo", "iticket", "azerpost", "egov", "mygov",
    "asan", "sima", "taxes", "sosial", "president", "digitalgov", "certaz", "azercell",
    "bakcell", "nar", "naxtel", "azersu", "azerishiq", "azeriqaz", "azal", "ady", "bakikart",
}  # fmt: skip


def test_ids_unique_and_complete() -> None:
    ids = [entry["id"] for entry in DOC]
    assert not [i for i, n in Counter(ids).items() if n > 1]
    assert set(ids) >= ORIGINAL_IDS
    assert set(ids) >= REQUIRED, REQUIRED - set(ids)
    assert len(REGISTRY) == len(ids)


@pytest.mark.parametrize("brand", list(REGISTRY), ids=lambda b: b.id)
def test_brand_entry(brand) -> None:  # type: ignore[no-untyped-def]
    assert brand.category in CATEGORIES
    assert brand.domains or brand.unverified, "needs a domain or unverified: true"
    assert set(brand.names) <= {"az", "ru", "en"} and brand.names.get("az")
    for domain in brand.domains:
        parsed = parse_domain(domain)
        assert parsed.host == domain and not parsed.is_ip
        assert parsed.suffix, f"{domain} has no public suffix"
    for kw in brand.keywords:
        assert kw == kw.lower() and " " not in kw and len(kw) >= 3
    for sender in brand.sender_ids:
        assert parse_sender_id(sender).value == sender
    for phone in brand.phones:
        assert parse_phone(phone).e164 == phone
    for code in brand.short_codes:
        assert parse_phone(code).is_short_code


def test_no_generic_keywords() -> None:
    """Common words make lookalike detection fire on innocent domains."""
    generic = {"tap", "nar", "bank", "pay", "kapital", "pasha", "asan", "bina", "sosial", "gov"}
    for brand in REGISTRY:
        assert not generic & set(brand.keywords), brand.id


def test_owned_domains_and_senders() -> None:
    assert REGISTRY.owner_of_host("online.unibank.az").id == "unibank"  # type: ignore[union-attr]
    assert REGISTRY.owner_of_host("azercellim.com").id == "azercell"  # type: ignore[union-attr]
    assert REGISTRY.owner_of_host("kapitalbank-az.com") is None
    assert REGISTRY.by_sender("kapitalbank").id == "kapitalbank"  # type: ignore[union-attr]
    hosts = Counter(d for b in REGISTRY for d in b.domains)
    assert not [h for h, n in hosts.items() if n > 1], "a domain belongs to one brand"


def test_bad_domain_is_caught() -> None:
    with pytest.raises(DomainError):
        parse_domain("kapital bank.az")


def test_owner_of_host_agrees_with_owns_host() -> None:
    """The domain index answers what asking every brand answers, for owned hosts, their
    subdomains, lookalikes and odd spellings (case, trailing dot)."""
    hosts = [d for b in REGISTRY for d in b.domains]
    probes = [*hosts, *(f"a.b.{h}" for h in hosts), *(f"{h}.evil.com" for h in hosts)]
    probes += [f"x{h}" for h in hosts] + [h.upper() + "." for h in hosts] + ["", "az", "com"]
    for host in probes:
        owners = [b for b in REGISTRY if b.owns_host(host)]
        found = REGISTRY.owner_of_host(host)
        assert (found is None) == (not owners), host
        assert found is None or found in owners, host


def test_owner_of_host_prefers_the_most_specific_domain() -> None:
    from qalxan.domain.brands import Brand, BrandRegistry

    parent = Brand(id="gov", name="Gov", category="government", domains=("gov.az",))
    child = Brand(id="tax", name="Tax", category="government", domains=("taxes.gov.az",))
    registry = BrandRegistry([parent, child])
    assert registry.owner_of_host("e.taxes.gov.az") is child
    assert registry.owner_of_host("www.gov.az") is parent
    assert registry.owner_of_host("gov.az.evil.com") is None
