"""A catalogue of reason messages in az, ru and en, built from data files.

Detectors receive a :class:`ReasonCatalog` and make reasons through it, so every code a
detector can emit has a translated explanation (a test walks the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from qalxan.domain.errors import ConfigError
from qalxan.domain.verdict import LANGUAGES, Reason

__all__ = ["ReasonCatalog"]

_FILLED_MAX = 8192


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class ReasonCatalog:
    """``code -> {lang: template}``; templates use ``{evidence}`` and named parameters."""

    templates: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Filled messages by (code, evidence, parameters): a pure function of its arguments,
        # memoised because detectors repeat them (model scores, links, brands).
        object.__setattr__(self, "_filled", lru_cache(maxsize=_FILLED_MAX)(self._fill))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Mapping[str, str]]) -> ReasonCatalog:
        """Validate that every code has a text in each of :data:`LANGUAGES`."""
        for code, texts in data.items():
            missing = [lang for lang in LANGUAGES if not texts.get(lang)]
            if missing:
                raise ConfigError(f"reason {code!r} has no message in {', '.join(missing)}")
        return cls({code: dict(texts) for code, texts in data.items()})

    def merged(self, other: ReasonCatalog) -> ReasonCatalog:
        """A catalogue with the codes of both; duplicate codes are a configuration error."""
        clash = set(self.templates) & set(other.templates)
        if clash:
            raise ConfigError(f"reason codes defined twice: {sorted(clash)}")
        return ReasonCatalog({**self.templates, **other.templates})

    def __contains__(self, code: object) -> bool:
        return code in self.templates

    def reason(
        self,
        code: str,
        weight: float,
        evidence: str = "",
        *,
        where: str | None = None,
        span: tuple[int, int] | None = None,
        **params: str,
    ) -> Reason:
        """Make a reason with its messages filled in; unknown codes are a ConfigError."""
        filled = self._filled(code, evidence, tuple(params.items()))  # type: ignore[attr-defined]
        # Each reason gets its own dict (the memo keeps the filled texts, not the dict).
        return Reason(code, weight, evidence, dict(filled), where, span)

    def _fill(
        self, code: str, evidence: str, params: tuple[tuple[str, str], ...]
    ) -> tuple[tuple[str, str], ...]:
        try:
            texts = self.templates[code]
        except KeyError:
            raise ConfigError(f"reason code {code!r} is not in the catalogue") from None
        values = _Default(params, evidence=evidence)
        return tuple((lang, texts[lang].format_map(values)) for lang in LANGUAGES)
