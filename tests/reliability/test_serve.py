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
        # it suggests what works beside it, not `prefect deployment run` ("database is locked")
        assert "newsflow run --seeds" in lines[-1], lines[-1]
        assert not any("prefect deployment run" in line for line in lines), "".join(lines)
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


def server_pid(serve_pid: int) -> int:
    """The local Prefect server that serve started (a child in its own session)."""
    import psutil

    children = [p for p in psutil.Process(serve_pid).children()
                if "uvicorn" in " ".join(p.cmdline())]
    assert len(children) == 1, children
    return children[0].pid


def server_port(pid: int) -> int:
    import psutil

    ports = [c.laddr.port for c in psutil.Process(pid).net_connections("tcp")
             if c.status == psutil.CONN_LISTEN]
    assert ports, "the server listens on no port"
    return ports[0]


def serving(proc: subprocess.Popen[str], lines: list[str]) -> bool:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    lines.append(line)
    return "being served" in line or proc.poll() is not None


def test_serve_restarts_its_server_when_it_dies(tmp_path: Path) -> None:
    """SIGKILL the local server under a running serve: serve says so in one line, starts it
    again on the same port, and the schedule goes on (a scheduled run succeeds after it).
    Ctrl-C then exits 130, as the exit-code table says."""
    env = base_env(PREFECT_HOME=str(tmp_path / "prefect_home"))
    args = serve_args(tmp_path)
    shutil.copy(SEEDS / "000_8aaec8a11970715b.txt", tmp_path / "seeds")
    proc = start(args, env)
    lines: list[str] = []
    try:
        assert wait_for(lambda: serving(proc, lines), 240, 0), "".join(lines)
        assert proc.poll() is None, "".join(lines)
        old = server_pid(proc.pid)
        port = server_port(old)
        os.kill(old, signal.SIGKILL)
        assert wait_for(lambda: serving(proc, lines) or "started it again" in lines[-1],
                        240, 0), "".join(lines)
        [said] = [line for line in lines if "Prefect server stopped" in line]
        assert f"started it again on 127.0.0.1:{port}" in said and "exit code -9" in said
        assert server_port(server_pid(proc.pid)) == port
        runs = tmp_path / "wh" / "runs"
        assert wait_for(lambda: finished_run(runs) or proc.poll() is not None, 240, 1), \
            "no scheduled run finished after the restart"
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, (proc.returncode, err[-3000:])
    assert "Traceback" not in err + out, err[-3000:]
    assert err.strip().splitlines()[-1] == "newsflow: interrupted", err[-3000:]


def test_serve_stops_in_one_line_when_its_server_cannot_restart(tmp_path: Path) -> None:
    """The port is taken the moment the server dies, so it cannot start again: serve stops
    with one line and its own exit code, without Prefect's tracebacks."""
    import socket

    from flows.app import cli

    env = base_env(PREFECT_HOME=str(tmp_path / "prefect_home"))
    proc = start(serve_args(tmp_path), env)
    lines: list[str] = []
    try:
        assert wait_for(lambda: serving(proc, lines), 240, 0), "".join(lines)
        old = server_pid(proc.pid)
        port = server_port(old)
        squatter = socket.socket()
        os.kill(old, signal.SIGKILL)
        assert wait_for(lambda: bind(squatter, port), 5, 0.01), "the port stayed taken"
        squatter.listen()
        try:
            out, err = proc.communicate(timeout=240)
        finally:
            squatter.close()
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == cli.SERVER_LOST, (proc.returncode, err[-3000:])
    assert "Traceback" not in err + out, err[-3000:]
    [line] = err.strip().splitlines()
    assert line.startswith("newsflow serve: the local Prefect server stopped (exit code -9, "
                           "and starting it again failed"), line


def bind(sock: object, port: int) -> bool:
    import socket

    assert isinstance(sock, socket.socket)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True
