"""The package's data files: GX suites (expectations/), view SQL (warehouse/*.sql) and learned
models (models/). They live at the project's top level and are reached through ``flows/_data``
(symlinks in a checkout, real folders inside the wheel), always through importlib.resources, so
neither a module's place in the tree nor the install kind (checkout, editable, wheel) moves them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


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
    """The views and marts, in the order their file names give."""
    return sorted(data_dir("warehouse").glob("*.sql"))


def model_file(name: str) -> Path:
    return data_dir("models") / name
