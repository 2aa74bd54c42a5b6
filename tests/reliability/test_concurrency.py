"""One writer at a time; readers are never disturbed."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.reliability.procs import copy_warehouse, newsflow, run_args, start, wait_for
from tests.reliability.scenario import Scenario

pytestmark = pytest.mark.slow


def test_second_run_is_turned_away_while_one_is_writing(scenario: Scenario) -> None:
    assert scenario.intruder_while_running, "the reference run ended before the second started"
    assert scenario.intruder.returncode == 3, scenario.intruder.stderr[-2000:]
    assert "another newsflow run is writing" in scenario.intruder.stderr
    assert "Traceback" not in scenario.intruder.stderr


def test_reader_keeps_working_and_sees_new_data_after_commit(scenario: Scenario) -> None:
    r = scenario.reader
    assert r.errors == []
    assert len(r.counts) > 10, r.counts
    before, after = r.counts[0], r.counts[-1]
    assert before != after  # the commit changed what a reconnecting reader sees...
    assert r.counts == sorted(r.counts, reverse=before > after)  # ...once, never flapping
    assert len(set(r.counts)) == 2
    assert set(r.held_counts) == {r.held_counts[0]}  # an open connection keeps its snapshot


@pytest.fixture()
def busy(scenario: Scenario, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A copy of the finished reference warehouse whose lock this test holds."""
    wh = tmp_path / "wh"
    copy_warehouse(scenario.wh_ref, wh)
    fd = os.open(wh / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield wh, fd
    finally:
        os.close(fd)
        shutil.rmtree(wh, ignore_errors=True)


def test_locked_warehouse_exits_3_with_message(scenario: Scenario, busy, shared_env) -> None:  # type: ignore[no-untyped-def]
    wh, _ = busy
    done = newsflow(run_args(scenario.seeds_v2, wh), shared_env)
    assert done.returncode == 3
    assert f"another newsflow run is writing {wh}" in done.stderr
    assert "--wait" in done.stderr


def test_wait_blocks_until_the_lock_is_free(scenario: Scenario, busy, shared_env) -> None:  # type: ignore[no-untyped-def]
    wh, fd = busy
    proc = start(run_args(scenario.seeds_v2, wh, "--wait"), shared_env)
    try:
        time.sleep(8)  # long enough to have imported and reached the lock
        assert proc.poll() is None, proc.communicate()
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
    assert wait_for(lambda: proc.poll() is not None, 240)
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert "unchanged" in out
