"""Detection content shipped with the package, and the loaders that read it.

Loaders read package files once (callers cache them) and return domain objects; detectors
receive those objects and never read files themselves.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from qalxan.domain.brands import Brand, BrandRegistry
from qalxan.domain.errors import ConfigError
from qalxan.domain.reasons import ReasonCatalog

__all__ = ["load_brands", "load_reasons", "read_text", "read_yaml"]

# Reason catalogues, one file per area; listed here explicitly (no discovery by scanning).
REASON_FILES: tuple[str, ...] = (
    "reasons/core.yaml",
    "reasons/url.yaml",
    "reasons/ddos.yaml",
    "reasons/message.yaml",
    "reasons/page.yaml",
)


def read_text(name: str) -> str:
    """Text of a file under ``qalxan/data``."""
    try:
        return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"data file {name!r} is missing from the package") from None


def read_yaml(name: str) -> Any:
    """Parsed YAML of a file under ``qalxan/data``."""
    try:
        return yaml.safe_load(read_text(name))
    except yaml.YAMLError as exc:
        raise ConfigError(f"data file {name!r} is not valid YAML: {exc}") from None


@lru_cache(maxsize=1)
def load_brands() -> BrandRegistry:
    """The seeded protected-brand registry (``brands.yaml``)."""
    doc = read_yaml("brands.yaml")
    return BrandRegistry(Brand.from_dict(entry) for entry in doc["brands"])


@lru_cache(maxsize=1)
def load_reasons() -> ReasonCatalog:
    """All reason messages (az/ru/en) of all areas, merged; duplicate codes are an error."""
    catalog = ReasonCatalog()
    for name in REASON_FILES:
        catalog = catalog.merged(ReasonCatalog.from_mapping(read_yaml(name) or {}))
    return catalog
