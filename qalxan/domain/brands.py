"""The protected-brand registry: what scammers imitate, and what each brand really owns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from qalxan.domain.errors import ConfigError
from qalxan.domain.url import parent_domains

__all__ = ["CATEGORIES", "Brand", "BrandRegistry"]

CATEGORIES: tuple[str, ...] = (
    "bank",
    "payment",
    "marketplace",
    "post",
    "government",
    "operator",
    "utility",
    "transport",
    "delivery",
    "other",
)


@dataclass(frozen=True, slots=True)
class Brand:
    """One protected brand.

    ``names`` maps a language (az, ru, en) to the spellings people write; ``keywords`` are the
    tokens that name the brand inside domains and texts (``kapitalbank``, ``birbank``).
    """

    id: str
    name: str
    category: str
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    sender_ids: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    short_codes: tuple[str, ...] = ()
    unverified: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.id or not self.id.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"brand id {self.id!r} must be alphanumeric (with - or _)")
        if self.category not in CATEGORIES:
            raise ConfigError(f"brand {self.id}: unknown category {self.category!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Brand:
        """Build a brand from a registry document (YAML entry or API body)."""
        try:
            return cls(
                id=str(data["id"]),
                name=str(data["name"]),
                category=str(data.get("category", "other")),
                names={k: tuple(map(str, v)) for k, v in (data.get("names") or {}).items()},
                keywords=tuple(str(k).lower() for k in data.get("keywords") or ()),
                domains=tuple(str(d).lower().strip(".") for d in data.get("domains") or ()),
                sender_ids=tuple(str(s) for s in data.get("sender_ids") or ()),
                phones=tuple(str(p) for p in data.get("phones") or ()),
                short_codes=tuple(str(s) for s in data.get("short_codes") or ()),
                unverified=bool(data.get("unverified", False)),
                notes=str(data.get("notes") or ""),
            )
        except KeyError as exc:
            raise ConfigError(f"brand entry lacks {exc.args[0]!r}: {dict(data)!r:.120}") from None

    def to_dict(self) -> dict[str, Any]:
        """The registry document of this brand."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "names": {k: list(v) for k, v in self.names.items()},
            "keywords": list(self.keywords),
            "domains": list(self.domains),
            "sender_ids": list(self.sender_ids),
            "phones": list(self.phones),
            "short_codes": list(self.short_codes),
            "unverified": self.unverified,
            "notes": self.notes,
        }

    def owns_host(self, host: str) -> bool:
        """True when ``host`` is one of the brand's domains or a subdomain of one."""
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)


class BrandRegistry:
    """An immutable set of brands with look-ups by id, owned domain and sender ID."""

    def __init__(self, brands: Iterable[Brand]) -> None:
        self._brands: dict[str, Brand] = {}
        for brand in brands:
            if brand.id in self._brands:
                raise ConfigError(f"brand id {brand.id!r} appears twice")
            self._brands[brand.id] = brand
        self._senders = {s.lower(): b for b in self._brands.values() for s in b.sender_ids}
        # Owned domain -> brand (the first brand listing it): ``owner_of_host`` walks the
        # host's parent domains through this dict instead of asking every brand.
        self._owned: dict[str, Brand] = {}
        for brand in self._brands.values():
            for d in brand.domains:
                self._owned.setdefault(d, brand)

    def __iter__(self) -> Iterator[Brand]:
        return iter(self._brands.values())

    def __len__(self) -> int:
        return len(self._brands)

    def __contains__(self, brand_id: object) -> bool:
        return brand_id in self._brands

    def get(self, brand_id: str) -> Brand | None:
        return self._brands.get(brand_id)

    def owner_of_host(self, host: str) -> Brand | None:
        """The brand that owns ``host`` (or a parent domain of it), if any; the most
        specific owned domain wins."""
        owned = self._owned
        for name in parent_domains(host.lower().rstrip(".")):
            brand = owned.get(name)
            if brand is not None:
                return brand
        return None

    def by_sender(self, sender_id: str) -> Brand | None:
        """The brand whose official SMS sender ID this is (case-insensitive)."""
        return self._senders.get(sender_id.lower())

    def replaced(self, brand: Brand) -> BrandRegistry:
        """A new registry with ``brand`` added or replacing the entry of the same id."""
        others = [b for b in self._brands.values() if b.id != brand.id]
        return BrandRegistry([*others, brand])
