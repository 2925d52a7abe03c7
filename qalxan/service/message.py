"""Builds the message detector with its reference data, model and the URL detector."""

from __future__ import annotations

import io
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from qalxan.data import read_yaml
from qalxan.detect.message import MessageDetector, Normalizer, RuleSet, TextModel
from qalxan.domain.errors import ConfigError

__all__ = [
    "RULE_FILES",
    "build",
    "load_lexicon",
    "load_model",
    "load_normalizer",
    "load_rules",
    "save_model",
]

# Rule files per language, listed explicitly (no discovery by scanning).
RULE_FILES: dict[str, str] = {
    "az": "message/rules_az.yaml",
    "ru": "message/rules_ru.yaml",
    "en": "message/rules_en.yaml",
}
MODEL_PACKAGE_DIR = "models/message"


@lru_cache(maxsize=1)
def load_normalizer() -> Normalizer:
    """The normaliser with the folding tables of ``data/message/normalize.yaml``."""
    return Normalizer(read_yaml("message/normalize.yaml"))


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """All message rules of all languages, compiled."""
    docs = {lang: read_yaml(name) for lang, name in RULE_FILES.items()}
    return RuleSet.from_documents(docs, load_normalizer())


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, Any]:
    doc: dict[str, Any] = read_yaml("message/lexicon.yaml")
    return doc


def load_model(folder: Path | None = None) -> TextModel | None:
    """The model in ``folder`` or the one shipped in the package; None when there is none."""
    if folder is None:
        base = resources.files("qalxan.data").joinpath(MODEL_PACKAGE_DIR)
        npz, cfg = base.joinpath("model.npz"), base.joinpath("model.json")
        if not npz.is_file():
            return None
        blob, config = npz.read_bytes(), json.loads(cfg.read_text(encoding="utf-8"))
    else:
        try:
            blob = (folder / "model.npz").read_bytes()
            config = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"no message model in {folder}: {exc.filename}") from None
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        return TextModel.from_arrays(config, {k: arrays[k] for k in arrays.files})


def save_model(model: TextModel, folder: Path, meta: dict[str, Any]) -> None:
    """Write ``model.npz`` and ``model.json`` (config plus training metadata) to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = model.arrays()
    np.savez_compressed(
        folder / "model.npz",
        features=arrays["features"],
        coef=arrays["coef"],
        intercept=arrays["intercept"],
    )
    doc = {**model.config(), **meta}
    (folder / "model.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def _url_detector(engine: Any) -> Any:
    try:
        return engine.detector("url")
    except ConfigError as exc:
        # The URL detector is built by another area; until it exists links are judged by the
        # message detector's own link checks only.
        if "not built yet" in str(exc):
            return None
        raise


def build(engine: Any, *, model_dir: Path | None = None, compiled: bool = True) -> MessageDetector:
    """Build the message detector from the engine's settings, brands and reasons
    (``compiled=False``: without the compiled batch kernel, for comparisons)."""
    settings = engine.settings
    folder = model_dir if model_dir is not None else settings.message_model_dir
    return MessageDetector(
        normalizer=load_normalizer(),
        rules=load_rules(),
        brands=engine.brands,
        reasons=engine.reasons,
        lexicon=load_lexicon(),
        model=load_model(folder),
        url_detector=_url_detector(engine),
        card_key=settings.secret_key.get_secret_value().encode("utf-8"),
        cache_size=settings.message_cache_size,
        cache_ttl=settings.message_cache_ttl_s,
        compiled=compiled,
    )
