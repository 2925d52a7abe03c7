"""Interface texts of the portal in az (default), ru and en, read from ``data/web/*.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from qalxan.data import read_yaml
from qalxan.domain.errors import ConfigError
from qalxan.domain.verdict import LANGUAGES

__all__ = ["LANGUAGES", "Texts", "load_texts", "pick_language"]

LANG_COOKIE = "qx_lang"


class Texts:
    """The texts of one language; ``t(key, **params)`` formats one."""

    def __init__(self, lang: str, texts: Mapping[str, Any]) -> None:
        self.lang = lang
        self.texts = texts

    def __call__(self, key: str, **params: object) -> str:
        value = self.texts.get(key)
        if not isinstance(value, str):
            return key
        return value.format(**params) if params else value

    def raw(self, key: str) -> Any:
        return self.texts.get(key)


@lru_cache(maxsize=1)
def load_texts() -> dict[str, Texts]:
    """All languages; every file must have the keys of the Azerbaijani one."""
    docs = {lang: read_yaml(f"web/{lang}.yaml") or {} for lang in LANGUAGES}
    base = set(docs["az"])
    for lang, doc in docs.items():
        missing = base - set(doc)
        if missing:
            raise ConfigError(f"portal texts in {lang} lack {sorted(missing)}")
    return {lang: Texts(lang, doc) for lang, doc in docs.items()}


def pick_language(query: str | None, cookie: str | None, default: str) -> str:
    """The ``?lang=`` choice, else the remembered cookie, else the default."""
    for candidate in (query, cookie, default):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return "az"
