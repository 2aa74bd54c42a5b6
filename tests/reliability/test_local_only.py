"""Local by default: `run`, `serve`, `dashboard` and a Dask run listen on loopback only (every
listening socket of the command's process tree, sampled while it works), and SIGTERM or SIGINT
to `dashboard` or `serve` stops their children and frees their ports. Along the way: a run's
summary names its rejects, and `serve` says when a scheduled run starts and how it ended."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.flows import warehouse_fixture
from tests.reliability.procs import SEED_ARTICLE, base_env, finish, free_port, start, wait_for
from tests.reliability.sockets import descendants, is_loopback, port_free, sampled

pytestmark = pytest.mark.slow

NOT_TEXT = {  # name: (bytes, the reject detail the summary must show)
    "report.txt": (b"%PDF-1.4\n\xc7\xec\x8f\xa2\n1 0 obj <<>> endobj\n" * 20,
                   "the file is a PDF document, not text"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
                  "the file is a PNG image, not text"),
    "draft.txt": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00word/document.xml" + bytes(64),
                  "the file is a Word document (.docx), not text"),
}


def only_loopback(seen: set[tuple[str, int]]) -> None:
    assert seen, "no listening socket was seen at all: the sampler is not working"
    assert {s for s in seen if not is_loopback(s[0])} == set(), seen


class Lines:
    """A process's stdout, collected line by line in a thread (so that it never blocks)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stdout is not None
        self.thread = threading.Thread(target=lambda: self.lines.extend(iter(
            proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
        self.thread.start()

    def has(self, words: str) -> bool:
        return any(words in line for line in list(self.lines))

    @property
    def text(self) -> str:
        return "".join(self.lines)


def stop_and_check(proc: subprocess.Popen[str], sig: int, seen: set[tuple[str, int]]) -> str:
    """Send sig to the command (not its group, as `kill` would); it must exit within 30 s
    leaving no child and no port taken. Its stderr."""
    children = descendants(proc.pid)
    assert children, "the command started no child process"
    os.kill(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode in (0, 130, -sig), proc.returncode
    assert wait_for(lambda: not any(psutil_alive(c) for c in children), 20, 0.3), \
        [c for c in children if psutil_alive(c)]
    assert [s for s in seen if not port_free(*s)] == []
    return proc.stderr.read() if proc.stderr else ""


def psutil_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_run_listens_on_loopback_and_names_its_rejects(tmp_path: Path) -> None:
    """No PREFECT_API_URL: the run starts its own local Prefect server, as a user's does."""
    seeds, wh = tmp_path / "seeds", tmp_path / "wh"
    seeds.mkdir()
    (seeds / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    for name, (data, _) in NOT_TEXT.items():
        (seeds / name).write_bytes(data)
    env = base_env(PREFECT_HOME=str(tmp_path / "prefect_home"))
    t0 = time.monotonic()
    proc = start(["run", "--seeds", str(seeds), "--warehouse", str(wh)], env)
    with sampled(proc.pid) as seen:
        done = finish(proc, [], t0)
    assert done.returncode == 0, done.stderr[-3000:]
    only_loopback(seen)
    for name, (_, detail) in NOT_TEXT.items():
        assert f"    rejected {name}: binary: {detail}\n" in done.stdout, done.stdout
    [query_line] = [line for line in done.stdout.splitlines() if "all 3: newsflow sql" in line]
    query = query_line.split('"', 1)[1].rsplit('"', 1)[0]
    listed = start(["sql", query, "--warehouse", str(wh), "--format", "csv"], env)
    rows = list(csv.reader(io.StringIO(finish(listed, [], t0).stdout)))
    assert [r[:2] for r in rows[1:]] == [[n, "binary"] for n in sorted(NOT_TEXT)]


def test_dask_run_listens_on_loopback(tmp_path: Path, shared_env: dict[str, str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    t0 = time.monotonic()
    proc = start(["run", "--seeds", str(seeds), "--warehouse", str(tmp_path / "wh"),
                  "--runner", "dask", "--workers", "1"], shared_env)
    with sampled(proc.pid) as seen:
        done = finish(proc, [], t0)
    assert done.returncode == 0, done.stderr[-3000:]
    only_loopback(seen)  # the shared Prefect server is not ours: these are Dask's sockets
    assert len(seen) >= 2, seen  # the scheduler and the worker (and its nanny)


@pytest.mark.parametrize(("sig", "host"), [(signal.SIGTERM, None), (signal.SIGINT, "127.0.0.2")],
                         ids=["SIGTERM", "SIGINT-host"])
def test_dashboard_listens_on_loopback_and_stops(tmp_path: Path, sig: int,
                                                 host: str | None) -> None:
    warehouse_fixture.build(tmp_path / "wh")
    port = free_port()
    args = ["dashboard", "--warehouse", str(tmp_path / "wh"), "--port", str(port)]
    proc = start([*args, "--host", host] if host else args, base_env())
    address = host or "127.0.0.1"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://{address}:{port}/_stcore/health",
                                        timeout=2) as r:
                return r.read() == b"ok"
        except OSError:
            return proc.poll() is not None

    with sampled(proc.pid) as seen:
        assert wait_for(healthy, 120, 0.5) and proc.poll() is None, proc.communicate()[1]
        time.sleep(1)
    assert seen == {(address, port)}
    err = stop_and_check(proc, sig, seen)
    assert "Traceback" not in err
    assert ("warning: the dashboard listens on 127.0.0.2" in err) == (host is not None), err


def serve_log_lines(wh: Path) -> str:
    log = wh / "logs" / "serve.log"
    return log.read_text() if log.exists() else ""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_listens_on_loopback_reports_runs_and_stops(tmp_path: Path, sig: int) -> None:
    """Its own local Prefect server (no PREFECT_API_URL), a cron tick every minute. With
    SIGTERM the test waits for a scheduled run and its lines; with SIGINT only until serving."""
    seeds, wh = tmp_path / "seeds", tmp_path / "wh"
    seeds.mkdir()
    (seeds / SEED_ARTICLE.name).write_bytes((SEEDS / SEED_ARTICLE.name).read_bytes())
    env = base_env(PREFECT_HOME=str(tmp_path / "prefect_home"))
    proc = start(["serve", "--cron", "* * * * *", "--seeds", str(seeds), "--warehouse", str(wh)],
                 env)
    out = Lines(proc)
    try:
        with sampled(proc.pid) as seen:
            if sig == signal.SIGTERM:
                assert wait_for(lambda: "  warehouse: " in serve_log_lines(wh)
                                or proc.poll() is not None, 300, 1), out.text
            else:
                assert wait_for(lambda: out.has("being served") or proc.poll() is not None,
                                240, 0.5), out.text
            assert proc.poll() is None, out.text
        only_loopback(seen)
        err = stop_and_check(proc, sig, seen)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Traceback" not in err, err[-3000:]
    if sig == signal.SIGTERM:
        logged = serve_log_lines(wh).splitlines()
        # the log says when serving began, then each scheduled run
        assert "newsflow is being served: a run on cron '* * * * *'" in logged[0]
        assert "scheduled run starting: " in logged[1]
        assert logged[2].split(" ", 1)[1].startswith("run ") and ": succeeded in " in logged[2]
        out.thread.join(timeout=10)
        for line in logged:  # the same lines on stdout
            assert line in out.text, (line, out.text)
