"""`newsflow serve`: schedules real runs with nothing to set up, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.reliability.procs import base_env, group_pids, start, wait_for

pytestmark = pytest.mark.slow


def serve_args(tmp_path: Path) -> list[str]:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    return ["serve", "--cron", "* * * * *", "--seeds", str(seeds),
            "--warehouse", str(tmp_path / "wh")]


def test_serve_without_a_server_schedules_runs(tmp_path: Path) -> None:
    """No PREFECT_API_URL: serve starts its own local server (scheduler on), a cron tick runs
    the flow, and SIGTERM stops serve and its server with no process left behind."""
    env = base_env(PREFECT_HOME=str(tmp_path / "prefect_home"))
    args = serve_args(tmp_path)
    shutil.copy(SEEDS / "000_8aaec8a11970715b.txt", tmp_path / "seeds")
    proc = start(args, env)
    runs = tmp_path / "wh" / "runs"
    try:
        assert wait_for(lambda: finished_run(runs) or proc.poll() is not None, 240, 1), \
            "no scheduled run finished within 240 s"
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode in (0, -signal.SIGTERM, 143), (proc.returncode, err[-2000:])
    # its local Prefect server stops with it (given a moment to exit)
    assert wait_for(lambda: group_pids(proc.pid) == [], 20, 0.5), group_pids(proc.pid)


def finished_run(runs: Path) -> bool:
    import json

    return any(json.loads(p.read_text()).get("status") == "succeeded"
               for p in runs.glob("*.json"))


def test_sigterm_stops_serve_cleanly(tmp_path: Path, shared_env: dict[str, str]) -> None:
    proc = start(serve_args(tmp_path), shared_env)
    out_path = tmp_path / "serve.out"
    try:
        # wait until it is serving: Prefect prints how to trigger the deployment
        lines: list[str] = []

        def serving() -> bool:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            lines.append(line)
            return "being served" in line or proc.poll() is not None

        assert wait_for(serving, 240, 0), "".join(lines)
        assert proc.poll() is None, "".join(lines)
        time.sleep(2)
        t0 = time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        out_path.write_text("".join(lines))
    assert took < 10, took
    assert proc.returncode in (0, -signal.SIGTERM, 143), (proc.returncode, err[-2000:])
    assert "Traceback" not in err, err[-3000:]
    assert group_pids(proc.pid) == []
