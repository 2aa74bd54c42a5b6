"""Process-level helpers for the reliability tests: real `python -m flows.app.cli` subprocesses,
a shared local Prefect server, warehouse fingerprints and lock probes.

Booting Prefect's temporary server costs 10-20 s of CPU per process, so most runs here talk to
one local server started for the session (127.0.0.1, its own PREFECT_HOME). The run that proves
nothing leaves the machine uses the default temporary server, as a user's `newsflow run` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from transforms import schemas

ROOT = Path(__file__).resolve().parents[2]
SEED_ARTICLE = ROOT / "seeds" / "000_8aaec8a11970715b.txt"
VOLATILE = {"ingested_at", "seen_at", "run_id", "fetched_at"}  # differ between any two runs


@dataclass
class Done:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    leftover_pids: list[int]  # processes of the run's group still alive when it ended


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSFLOW_KILL_AT", "PREFECT_API_URL", "NEWSFLOW_NET_AUDIT"))}
    env.update({"PYTHONUNBUFFERED": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    env.update(extra)
    return env


def start(args: list[str], env: Mapping[str, str], cwd: Path = ROOT) -> subprocess.Popen[str]:
    """`python -m flows.app.cli ARGS` in its own session (so the whole group can be reaped), with
    the permissive umask a user's shell usually has: the warehouse must still be owner-only."""
    return subprocess.Popen([sys.executable, "-m", "flows.app.cli", *args], cwd=cwd, env=dict(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, umask=0o022)


def group_pids(pgid: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if os.getpgid(int(d.name)) == pgid and int(d.name) != pgid:
                stat = (d / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(d.name))
    return pids


def finish(proc: subprocess.Popen[str], args: list[str], t0: float,
           timeout: float = 600) -> Done:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    leftovers = group_pids(proc.pid)
    if leftovers:  # e.g. Prefect's temporary server orphaned by a SIGKILLed run: reap it
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return Done(args, proc.returncode, out, err, time.monotonic() - t0, leftovers)


def newsflow(args: list[str], env: Mapping[str, str], timeout: float = 600) -> Done:
    t0 = time.monotonic()
    return finish(start(args, env), args, t0, timeout)


def run_args(seeds: Path, wh: Path, *more: str) -> list[str]:
    return ["run", "--seeds", str(seeds), "--warehouse", str(wh), *more]


# -- warehouse inspection --------------------------------------------------------------------

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(wh: Path, drop: set[str] = frozenset()) -> dict[str, list[str]]:  # type: ignore[assignment]
    """Every table's rows (sorted, as text), without the columns in drop: the tables readers
    query (views over the release's Parquet) and the run history."""
    con = duckdb.connect(str(wh / "news.duckdb"), read_only=True)
    try:
        names = sorted([*schemas.TABLES, *schemas.CORPUS_TABLES, "runs"])
        out = {}
        for name in names:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [name]).fetchall() if r[0] not in drop]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall()
            out[name] = sorted(repr(r) for r in rows)
        return out
    finally:
        con.close()


def fingerprint(wh: Path) -> dict[str, Any]:
    """What a reader of the warehouse can see: where `current` points, the Parquet files behind
    it (path and content hash) and every DuckDB table's rows."""
    current = wh / "current"
    pq_root = current / "parquet"
    return {
        "current": os.readlink(current),
        "parquet": sorted((p.relative_to(pq_root).as_posix(), _sha(p))
                          for p in pq_root.rglob("*.parquet")),
        "tables": {k: hashlib.sha256("\n".join(v).encode()).hexdigest()
                   for k, v in table_rows(wh).items()},
    }


def content(wh: Path) -> dict[str, Any]:
    """The warehouse's data, without what legitimately differs between two runs (timestamps,
    run ids): for comparing a recovered warehouse with an uninterrupted one."""
    pq_root = wh / "current" / "parquet"
    # file names carry the id of the run that wrote them: compare the folders that hold them
    return {"parquet": sorted(p.parent.relative_to(pq_root).as_posix()
                              for p in pq_root.rglob("*.parquet")),
            "tables": {k: v for k, v in table_rows(wh, VOLATILE).items() if k != "runs"}}


def lock_holder(wh: Path) -> int | None:
    """The pid holding the warehouse's flock, read from /proc/locks (probing with flock
    ourselves could make a starting run find the lock taken)."""
    try:
        st = (wh / ".lock").stat()
    except FileNotFoundError:
        return None
    suffix = f":{st.st_ino}"
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and len(parts) > 5 and parts[5].endswith(suffix):
            return int(parts[4])
    return None


def wait_for(predicate: Any, timeout: float, every: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False


# -- inputs ----------------------------------------------------------------------------------

def small_article(i: int) -> str:
    return (f"The city council of Riverton met on Monday to discuss plan number {i}.\n\n"
            f"\"We will open the new bridge in spring,\" the mayor said. Officials said the "
            f"project would cost about {i + 3} million dollars.\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def copy_warehouse(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True)  # relative links: the copy points into itself
