"""Faults of the machine, said in one line: a full disk (a small tmpfs), a read-only warehouse,
a folder this user may not write, a model that is not installed. Each exits with its own code
from EXIT_CODES, prints no traceback (neither newsflow's nor Prefect's logging), is not
retried, and leaves the previous release current with staging cleaned up.

Mounting a tmpfs needs root (as in CI, which sets NEWSFLOW_REQUIRE_ROOT=1 so that these
tests cannot be skipped there); another user's clone skips them with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.adapters.faults import tree_bytes
from flows.app import cli
from tests.conftest import SEEDS
from tests.reliability.procs import ROOT, Done, base_env, fingerprint, newsflow, run_args

pytestmark = pytest.mark.slow
ROOT_ONLY = pytest.mark.skipif(
    os.geteuid() != 0 and not os.environ.get("NEWSFLOW_REQUIRE_ROOT"),
    reason="mounting a small tmpfs (a full disk) or dropping to another user needs root")


@pytest.fixture
def disk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A small tmpfs (16 MB, or the test's `size` mark): a disk that fills."""
    mark = request.node.get_closest_marker("size")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    size = mark.args[0] if mark else "16m"
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)],
                   check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def seeds(root: Path, *variants: str) -> Path:
    """The seed article, plus one changed copy per variant (new work for a second run)."""
    folder = root / "seeds"
    folder.mkdir(exist_ok=True)
    article = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    (folder / "seed.txt").write_text(article, encoding="utf-8")
    for i, name in enumerate(variants):
        (folder / f"copy{i}.txt").write_text(article.replace("Rodger Baker", name),
                                             encoding="utf-8")
    return folder


def fill(disk: Path, leave: int) -> None:
    """Take the disk's free space down to `leave` bytes."""
    free = shutil.disk_usage(disk).free
    subprocess.run(["fallocate", "-l", str(free - leave), str(disk / "filler")], check=True)


def one_line(done: Done, code: int, *words: str) -> str:
    assert done.returncode == code, done.stderr[-3000:]
    text = done.stdout + done.stderr
    for noise in ("Traceback", "ERROR", "Retrying", "please report"):
        assert noise not in text, text[-3000:]
    lines = [line for line in done.stderr.splitlines() if not line.startswith("progress:")]
    assert len(lines) == 1 and lines[0].startswith("newsflow run: "), done.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


@ROOT_ONLY
@pytest.mark.size("4m")  # less than the first release of the seed with its Data Docs
def test_disk_full_during_the_first_run(disk: Path, tmp_path: Path,
                                        shared_env: dict[str, str]) -> None:
    wh = disk / "wh"
    done = newsflow(run_args(seeds(tmp_path), wh), shared_env)
    one_line(done, cli.DISK_FULL, f"no space left on the disk of {wh}", "free some space",
             "no release was published")
    assert list((wh / "staging").iterdir()) == []
    assert not (wh / "current").exists()


@ROOT_ONLY
def test_disk_full_keeps_the_previous_release(disk: Path, tmp_path: Path,
                                              shared_env: dict[str, str]) -> None:
    wh = disk / "wh"
    first = newsflow(run_args(seeds(tmp_path), wh), shared_env)
    assert first.returncode == 0, first.stderr[-3000:]
    before = fingerprint(wh)
    # enough for the pre-check (the current release's size), not for the whole next release
    fill(disk, tree_bytes(wh / "current") + 20_000)
    done = newsflow(run_args(seeds(tmp_path, "Rodger Becker"), wh), shared_env)
    one_line(done, cli.DISK_FULL, "no space left", "the previous release is still current")
    assert fingerprint(wh) == before
    assert list((wh / "staging").iterdir()) == []


@ROOT_ONLY
def test_too_little_space_is_said_before_the_work(disk: Path, tmp_path: Path,
                                                  shared_env: dict[str, str]) -> None:
    wh = disk / "wh"
    first = newsflow(run_args(seeds(tmp_path), wh), shared_env)
    assert first.returncode == 0, first.stderr[-3000:]
    runs = sorted(p.name for p in (wh / "runs").iterdir())
    fill(disk, tree_bytes(wh / "current") // 2)
    done = newsflow(run_args(seeds(tmp_path, "Rodger Becker"), wh), shared_env)
    one_line(done, cli.DISK_FULL, "not enough space", "the size of the current release",
             "nothing was changed")
    assert sorted(p.name for p in (wh / "runs").iterdir()) == runs  # no run was started


@ROOT_ONLY
def test_a_read_only_warehouse(disk: Path, tmp_path: Path, shared_env: dict[str, str]) -> None:
    wh = disk / "wh"
    first = newsflow(run_args(seeds(tmp_path), wh), shared_env)
    assert first.returncode == 0, first.stderr[-3000:]
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    done = newsflow(run_args(seeds(tmp_path, "Rodger Becker"), wh), shared_env)
    one_line(done, cli.NOT_WRITABLE, "read-only file system", f"make {wh} writable")


@ROOT_ONLY
def test_a_folder_this_user_may_not_write_is_not_retried(tmp_path: Path,
                                                         shared_env: dict[str, str]) -> None:
    """The warehouse's staging folder is read-only for its owner, so the extract task is the
    first to fail (where retries once repeated the traceback three times). Root ignores file
    modes, so the run drops the capabilities that let it (setpriv), as any other user is."""
    wh = tmp_path / "wh"
    (wh / "staging").mkdir(parents=True)
    (wh / "staging").chmod(0o555)
    done = newsflow_without_override(run_args(seeds(tmp_path), wh), shared_env)
    line = one_line(done, cli.NOT_WRITABLE, "permission denied", f"make {wh} writable")
    assert str(wh / "staging") in line
    assert list((wh / "staging").iterdir()) == []
    assert done.seconds < 120  # no retries with back-off


def newsflow_without_override(args: list[str], env: dict[str, str]) -> Done:
    """newsflow as root without CAP_DAC_OVERRIDE: file modes apply to it."""
    t0 = time.monotonic()
    proc = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--",
                           sys.executable, "-m", "flows.app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    return Done(args, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0, [])


def test_a_model_that_is_not_installed(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    done = newsflow([*run_args(seeds(tmp_path), wh), "--model", "xx_no_such_model"],
                    base_env())
    one_line(done, cli.NO_MODEL, "'xx_no_such_model'", "is not installed", "uv sync")
    assert done.seconds < 60  # said before the work: no Prefect server was started
    language = newsflow(run_args(seeds(tmp_path), wh),
                        base_env(NEWSFLOW_LANGUAGE_MODELS="fr=fr_no_such_model"))
    one_line(language, cli.NO_MODEL, "'fr_no_such_model'", "NEWSFLOW_LANGUAGE_MODELS fr=")
