"""The package's data files: GX suites (expectations/), view SQL (warehouse/*.sql) and learned
models (models/). They live at the project's top level and are reached through ``flows/_data``
(symlinks in a checkout, real folders inside the wheel), always through importlib.resources, so
neither a module's place in the tree nor the install kind (checkout, editable, wheel) moves them.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from pathlib import Path

from transforms.captions import CreditTable


def data_dir(name: str) -> Path:
    """expectations, warehouse or models, as a folder on disk."""
    path = Path(str(files("flows").joinpath("_data", name)))
    if not path.is_dir():
        raise FileNotFoundError(f"newsflow's data folder {name!r} is missing from the install "
                                f"(looked in {path}); reinstall newsflow")
    return path


def suites_dir() -> Path:
    return data_dir("expectations")


def sql_files() -> list[Path]:
    """The marts, in the order their file names give (they read the tables)."""
    return sorted(data_dir("warehouse").glob("[0-9]*.sql"))


def tables_sql() -> Path:
    """The tables as readers query them, over a release's Parquet (read before the marts)."""
    return data_dir("warehouse") / "tables.sql"


def model_file(name: str) -> Path:
    return data_dir("models") / name


CREDITS_FILE = "lexicons/photo_credits.json"


@functools.cache
def credit_table() -> CreditTable:
    """The photo credit vocabulary (agencies, distributors, words that name no one), read once
    per process and handed to the transforms as a value."""
    data = json.loads(model_file(CREDITS_FILE).read_text(encoding="utf-8"))
    return CreditTable.from_mapping(data)
