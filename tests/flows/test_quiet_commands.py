"""No documented command prints a warning, a traceback or Prefect's plugin error.

`newsflow run` once imported Prefect on two threads at once, which printed "Failed to
initialize plugins: cannot import name 'SettingsContext' from partially initialized module
'prefect.context'" in most runs. These runs use the default local server (no PREFECT_API_URL),
the start-up path where that overlap happened, and each starts from an empty warehouse so each
has work (an unchanged run never imports Prefect)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

RUNS = 3
# What a run may print on stderr: its progress lines, and nothing else.
PROGRESS = re.compile(r"^progress: \d+/\d+ documents, [\d,]+ words/s, about [\d,]+s left$")
NOISE = re.compile(r"\b(warning|deprecat\w*|traceback|error|failed|plugins?)\b", re.IGNORECASE)


def newsflow(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect_home")
    return subprocess.run([sys.executable, "-m", "flows.app.cli", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)


def noise(done: subprocess.CompletedProcess[str]) -> list[str]:
    """Lines a user would read as something gone wrong."""
    err = [line for line in done.stderr.splitlines() if line and not PROGRESS.match(line)]
    out = [line for line in done.stdout.splitlines() if NOISE.search(line)
           and not line.lstrip().startswith(("validation:", "this run:"))]
    return err + out


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seed articles: enough for every stage of a run, quick on a busy machine."""
    folder = tmp_path_factory.mktemp("quiet") / "seeds"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


# The first attempt in the fast suite (`make test`), all of them in the full one.
@pytest.mark.parametrize("attempt", [pytest.param(i, marks=[pytest.mark.slow] if i else [])
                                     for i in range(RUNS)])
def test_run_prints_no_warning(tmp_path: Path, seed: Path, attempt: int) -> None:
    done = newsflow(tmp_path, "run", "--seeds", str(seed), "--warehouse", str(tmp_path / "wh"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "succeeded" in done.stdout
    assert noise(done) == [], done.stderr[-3000:]


def test_reading_commands_print_no_warning(  # type: ignore[no-untyped-def]
        tmp_path: Path, seed_run) -> None:
    settings, _ = seed_run
    wh = str(tmp_path / "wh")
    shutil.copytree(settings.warehouse, wh, symlinks=True)  # the unchanged run records itself
    for args in (["run", "--seeds", str(settings.seeds), "--warehouse", wh],  # unchanged
                 ["sql", "SELECT count(*) AS n FROM articles", "--warehouse", wh],
                 ["runs", "--warehouse", wh], ["describe", "quotes"], ["--version"]):
        done = newsflow(tmp_path, *args)
        assert done.returncode == 0, (args, done.stderr[-3000:])
        assert noise(done) == [], (args, done.stderr[-3000:])


def test_noise_is_seen() -> None:
    """The filter above would catch the line this file is about."""
    line = ("Failed to initialize plugins: cannot import name 'SettingsContext' from partially "
            "initialized module 'prefect.context'")
    done = subprocess.CompletedProcess([], 0, "run x: succeeded\n", f"{line}\n")
    assert noise(done) == [line]
    ok = subprocess.CompletedProcess([], 0, "  this run: 1 documents read, 0 rejected\n",
                                     "progress: 1/1 documents, 60 words/s, about 0s left\n")
    assert noise(ok) == []
