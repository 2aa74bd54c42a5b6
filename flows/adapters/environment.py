"""Every NEWSFLOW_* environment variable, read in this one place, typed and checked once.

A run reads them when it starts (``Environment.read``, through the command line's settings) and
hands them to its workers with the rest of its settings (``flows.run.records.Settings``), so an
extraction worker never reads the environment for them. A bad value is a user's mistake: one
line that names the variable, its value and what it should be (``BadEnvironment``), never a
traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

PREFIX = "NEWSFLOW_"
MAX_TEXT_CHARS = 1_000_000  # body text over this is rejected, not truncated
OWNER_ONLY = 0o077  # news corpora can be licensed material


class BadEnvironment(ValueError):
    """An environment variable whose value newsflow cannot use (the message is one line)."""


class Environment(BaseModel):
    """What the NEWSFLOW_* variables say (the field's name in capitals, after the prefix)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str | None = None  # the spaCy pipeline for English (default: flows.adapters.nlp)
    language_models: str = ""  # other languages' pipelines: "fr=fr_core_news_sm,de=..."
    max_text_chars: int = MAX_TEXT_CHARS  # the body-text limit, for longer documents
    jsonl_fields: str = ""  # JSON lines field names: "text=body,title=headline"
    umask: int = OWNER_ONLY  # octal: the files a run creates ("027" lets the group read them)
    expectations: Path | None = None  # a folder of GX suites to use instead of the shipped ones
    kill_at: str | None = None  # the reliability tests' hook (flows.adapters.faults)

    @field_validator("max_text_chars", mode="before")
    @classmethod
    def _characters(cls, value: Any) -> Any:
        text = str(value).replace("_", "").replace(",", "")
        if not text.isdigit() or int(text) < 1:
            raise ValueError("is not a number of characters above 0")
        return int(text)

    @field_validator("umask", mode="before")
    @classmethod
    def _octal(cls, value: Any) -> Any:
        if isinstance(value, int):
            return value
        try:
            mask = int(str(value), 8)
        except ValueError:
            mask = -1
        if not 0 <= mask <= 0o777:
            raise ValueError("is not an octal file mode mask such as 077 or 027")
        return mask

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """The settings the environment gives (default: this process's); BadEnvironment, with
        the variable, its value and the reason, when one is unusable."""
        environ = os.environ if environ is None else environ
        given = {name: environ[variable(name)] for name in cls.model_fields
                 if environ.get(variable(name), "") != ""}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = str(error["loc"][0])
            reason = error["msg"].removeprefix("Value error, ")
            raise BadEnvironment(f"{variable(name)}={given[name]!r} {reason}") from None


def variable(name: str) -> str:
    """The environment variable of a setting: NEWSFLOW_ and its name in capitals."""
    return PREFIX + name.upper()
