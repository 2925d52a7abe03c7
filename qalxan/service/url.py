"""Builds the url detector with its reference data (to be filled by its area)."""

from __future__ import annotations

from typing import Any

from qalxan.domain.errors import ConfigError

__all__ = ["build"]


def build(engine: Any) -> Any:
    """Build the url detector."""
    raise ConfigError("the url detector is not built yet")
