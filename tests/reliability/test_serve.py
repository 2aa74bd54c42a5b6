"""`newsflow serve`: refuses to pretend to schedule without a Prefect server, and stops cleanly
on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.procs import base_env, group_pids, newsflow, start, wait_for

pytestmark = pytest.mark.slow


def serve_args(tmp_path: Path) -> list[str]:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    return ["serve", "--cron", "* * * * *", "--seeds", str(seeds),
            "--warehouse", str(tmp_path / "wh")]


def test_serve_without_a_server_says_so(tmp_path: Path) -> None:
    # Prefect's runner would log a warning and then never run anything.
    env = base_env(PREFECT_HOME=str(tmp_path / "prefect_home"))
    done = newsflow(serve_args(tmp_path), env, timeout=180)
    assert done.returncode == 2, (done.stdout, done.stderr[-2000:])
    assert "needs a Prefect server" in done.stderr and "PREFECT_API_URL" in done.stderr


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
