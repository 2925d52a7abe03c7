"""Brands, API keys and the audit log in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from qalxan.data import load_brands
from qalxan.domain import Brand
from qalxan.domain.errors import ConflictError, NotFoundError
from qalxan.service.bootstrap import prepare
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.audit import AuditLog
from qalxan.store.brands import BrandStore
from qalxan.store.keys import KeyStore, hash_token


def _edited(brand: Brand, **changes: object) -> Brand:
    return Brand.from_dict({**brand.to_dict(), **changes})


def test_seed_is_idempotent(store: Store) -> None:
    repo = BrandStore(store)
    seed = load_brands()
    first = repo.seed(seed)
    assert first.inserted == len(seed) and first.updated == 0
    second = repo.seed(seed)
    assert second.inserted == 0 and second.updated == 0 and second.unchanged == len(seed)
    assert repo.count() == len(seed)
    assert repo.registry().get("kapitalbank") == seed.get("kapitalbank")


def test_seed_refreshes_its_own_rows_but_never_an_analysts(store: Store) -> None:
    repo = BrandStore(store)
    seed = load_brands()
    repo.seed(seed)
    kapital = seed.get("kapitalbank")
    assert kapital is not None
    repo.replace(_edited(kapital, domains=["kapitalbank.az"]), actor="key:k1")
    newer = seed.replaced(_edited(seed.get("nar"), notes="newer seed"))  # type: ignore[arg-type]
    result = repo.seed(newer.replaced(_edited(kapital, notes="seed wants this")))
    assert result.kept_analyst == 1 and result.updated == 1
    stored = repo.get("kapitalbank")
    assert stored is not None and stored.source == "analyst" and stored.updated_by == "key:k1"
    assert stored.brand.domains == ("kapitalbank.az",) and stored.brand.notes == kapital.notes
    assert repo.get("nar").brand.notes == "newer seed"  # type: ignore[union-attr]


def test_create_replace_and_audit(store: Store) -> None:
    repo = BrandStore(store)
    brand = Brand.from_dict({"id": "newbank", "name": "New Bank", "category": "bank"})
    repo.create(brand, actor="key:k1")
    with pytest.raises(ConflictError):
        repo.create(brand, actor="key:k1")
    with pytest.raises(NotFoundError):
        repo.replace(Brand.from_dict({"id": "nope", "name": "x", "category": "bank"}), actor="x")
    repo.replace(_edited(brand, domains=["newbank.az"]), actor="key:k2")
    entries = AuditLog(store).entries(object_type="brand", object_id="newbank")
    assert [(e.action, e.actor) for e in entries] == [
        ("brand.update", "key:k2"),
        ("brand.create", "key:k1"),
    ]
    assert entries[0].summary == {
        "changed": ["domains"],
        "before": {"domains": []},
        "after": {"domains": ["newbank.az"]},
    }
    assert entries[0].at.tzinfo is not None


def test_keys(store: Store) -> None:
    keys = KeyStore(store)
    key, token = keys.create("azercell-smsc", ["operator", "bank", "operator"], actor="cli")
    assert key.scopes == {"operator", "bank"} and token.startswith(key.prefix)
    assert token not in str(key.to_dict())
    found = keys.lookup(token)
    assert found is not None and found.id == key.id
    assert keys.lookup(token + "x") is None and keys.lookup("nope") is None
    assert [k.id for k in keys.all()] == [key.id]
    keys.revoke(key.id, actor="cli")
    keys.revoke(key.id, actor="cli")  # idempotent
    assert keys.lookup(token) is None
    assert keys.get(key.id).revoked_at is not None  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        keys.revoke("missing", actor="cli")
    actions = [e.action for e in AuditLog(store).entries(object_type="api_key")]
    assert actions == ["key.revoke", "key.create"]
    for entry in AuditLog(store).entries():
        assert token not in str(entry.to_dict()) and hash_token(token) not in str(entry.summary)


def test_prepare_twice_changes_nothing(store: Store) -> None:
    settings = Settings(database_url=store.url)
    prepare(settings, store)
    repo = BrandStore(store)
    before = (repo.count(), len(AuditLog(store).entries()), [r.updated_at for r in repo.all()])
    summary = prepare(settings, store)
    after = (repo.count(), len(AuditLog(store).entries()), [r.updated_at for r in repo.all()])
    assert before == after and before[0] == len(load_brands())
    assert "0 inserted, 0 updated" in summary
