"""Wiring: builds detectors from settings and loaded reference data.

``DETECTOR_BUILDERS`` is the explicit ``kind -> builder`` table (no discovery). A builder is
``build(engine) -> Detector``; it loads what its detector needs (lexicons, models) through
:mod:`qalxan.data` and may ask the engine for other detectors (the message detector uses the
URL detector).
"""

from __future__ import annotations

import importlib
from typing import Any

from qalxan.data import load_brands, load_reasons
from qalxan.domain.brands import BrandRegistry
from qalxan.domain.errors import ConfigError
from qalxan.domain.reasons import ReasonCatalog
from qalxan.settings import Settings

__all__ = ["DETECTOR_BUILDERS", "Engine"]

DETECTOR_BUILDERS: dict[str, str] = {
    "url": "qalxan.service.url:build",
    "message": "qalxan.service.message:build",
    "page": "qalxan.service.page:build",
}


class Engine:
    """Holds the settings, the brand registry and the detectors built so far (lazily)."""

    def __init__(self, settings: Settings, brands: BrandRegistry | None = None) -> None:
        self.settings = settings
        self.brands = brands if brands is not None else load_brands()
        self.reasons: ReasonCatalog = load_reasons()
        self._detectors: dict[str, Any] = {}

    def detector(self, kind: str) -> Any:
        """The detector for ``kind``, built on first use."""
        if kind not in self._detectors:
            try:
                target = DETECTOR_BUILDERS[kind]
            except KeyError:
                raise ConfigError(f"no detector registered for {kind!r}") from None
            module_name, _, attr = target.partition(":")
            build = getattr(importlib.import_module(module_name), attr)
            self._detectors[kind] = build(self)
        return self._detectors[kind]

    def register(self, kind: str, detector: Any) -> None:
        """Use ``detector`` for ``kind`` (tests and plugins: replaces any built one)."""
        self._detectors[kind] = detector

    def with_brands(self, brands: BrandRegistry) -> Engine:
        """A fresh engine over an edited brand registry (detectors are rebuilt lazily)."""
        return Engine(self.settings, brands)
