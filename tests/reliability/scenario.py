"""One shared sequence of real runs for the crash, concurrency, history and isolation tests.

    baseline   seeds v1 -> wh (succeeds); wh is copied to wh_ref
    killed     seeds v2 -> wh, SIGKILLed at extract, state, duckdb_load, validate
               (each must leave wh exactly as the baseline left it)
    reference  seeds v2 -> wh_ref, uninterrupted, default temporary Prefect server, network
               audited; meanwhile a BI reader polls wh_ref read-only and a second
               `newsflow run` on wh_ref must be turned away; alongside it, seeds v2 -> wh
               is SIGKILLed right after publishing
    final      seeds v2 -> wh again: finds nothing new ("unchanged")

v2 changes one file, adds one and keeps the rest, so the killed runs have real work to do.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from tests.reliability.procs import (
    ROOT,
    SEED_ARTICLE,
    Done,
    base_env,
    copy_warehouse,
    fingerprint,
    finish,
    lock_holder,
    newsflow,
    run_args,
    small_article,
    start,
    wait_for,
)

KILL_STAGES = ("extract", "state", "duckdb_load", "validate")


@dataclass
class Killed:
    stage: str
    done: Done
    fingerprint: dict[str, Any]
    staging: list[str]
    runs_json: list[dict[str, Any]]


@dataclass
class Reader:
    """A BI tool: reconnects read-only every few hundred ms and counts articles; one connection
    opened before the run stays open throughout."""

    path: Path
    errors: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    held_counts: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        held = duckdb.connect(str(self.path), read_only=True)
        try:
            while not self.stop.is_set():
                try:
                    con = duckdb.connect(str(self.path), read_only=True)
                    try:
                        con.execute("SELECT a.title, count(*) FROM articles a JOIN quotes q "
                                    "USING (article_id) GROUP BY ALL").fetchall()
                        n = con.execute("SELECT count(*) FROM articles").fetchone()
                        self.counts.append(int(n[0]) if n else -1)
                    finally:
                        con.close()
                    held_n = held.execute("SELECT count(*) FROM articles").fetchone()
                    self.held_counts.append(int(held_n[0]) if held_n else -1)
                except Exception as exc:  # noqa: BLE001 - every failure is a finding
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.3)
        finally:
            held.close()


@dataclass
class Scenario:
    root: Path
    seeds_v1: Path
    seeds_v2: Path
    wh: Path
    wh_ref: Path
    baseline: Done
    baseline_fp: dict[str, Any]
    reference: Done
    reader: Reader
    intruder: Done
    intruder_while_running: bool
    net_log: Path
    killed: list[Killed]
    published: Killed
    final: Done
    runs_cli: Done
    code_changed: bool  # someone edited flows/ or transforms/ during the runs


def write_seeds(root: Path) -> tuple[Path, Path]:
    article = SEED_ARTICLE.read_text(encoding="utf-8")
    v1 = root / "seeds_v1"
    v1.mkdir()
    (v1 / "korea.txt").write_text(article, encoding="utf-8")
    (v1 / "council.txt").write_text(small_article(1), encoding="utf-8")
    (v1 / "empty.txt").write_bytes(b"")
    v2 = root / "seeds_v2"
    shutil.copytree(v1, v2)
    (v2 / "korea.txt").write_text(article.replace("Rodger Baker", "Rodger Becker"),
                                  encoding="utf-8")
    (v2 / "harbour.txt").write_text(small_article(2).replace("Riverton", "Portsmouth"),
                                    encoding="utf-8")
    return v1, v2


def code_hash() -> str:
    h = hashlib.sha256()
    for p in sorted([*ROOT.glob("flows/*.py"), *ROOT.glob("transforms/*.py")]):
        h.update(p.read_bytes())
    return h.hexdigest()


def read_runs_json(wh: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((wh / "runs").glob("*.json"))]


def build(root: Path, shared_env: dict[str, str], sitecustomize_dir: Path) -> Scenario:
    seeds_v1, seeds_v2 = write_seeds(root)
    wh, wh_ref = root / "wh", root / "wh_ref"
    baseline = newsflow(run_args(seeds_v1, wh), shared_env)
    assert baseline.returncode == 0, baseline.stderr[-3000:]
    baseline_fp = fingerprint(wh)
    copy_warehouse(wh, wh_ref)

    killed = []
    for stage in KILL_STAGES:
        done = newsflow(run_args(seeds_v2, wh), {**shared_env, "NEWSFLOW_KILL_AT": stage})
        killed.append(Killed(stage, done, fingerprint(wh),
                             sorted(p.name for p in (wh / "staging").iterdir()),
                             read_runs_json(wh)))

    # The uninterrupted reference run, on the default temporary server and audited. It runs
    # alongside the recovering run below, so both see the same code even in a checkout that
    # others are editing.
    net_log = root / "net_audit.log"
    ref_env = base_env(PYTHONPATH=f"{sitecustomize_dir}:{ROOT}", NEWSFLOW_NET_AUDIT=str(net_log))
    code_before = code_hash()
    t0 = time.monotonic()
    ref_args = run_args(seeds_v2, wh_ref)
    ref_proc = start(ref_args, ref_env)
    reader = Reader(wh_ref / "news.duckdb")
    reader_thread = threading.Thread(target=reader.loop, daemon=True)
    reader_thread.start()
    # A second writer, started once the reference run holds the lock.
    assert wait_for(lambda: lock_holder(wh_ref) == ref_proc.pid or ref_proc.poll() is not None,
                    300), "the reference run never took the warehouse lock"
    intruder = newsflow(run_args(seeds_v2, wh_ref), shared_env)
    intruder_while_running = ref_proc.poll() is None

    done = newsflow(run_args(seeds_v2, wh), {**shared_env, "NEWSFLOW_KILL_AT": "published"})
    published = Killed("published", done, fingerprint(wh),
                       sorted(p.name for p in (wh / "staging").iterdir()), read_runs_json(wh))
    final = newsflow(run_args(seeds_v2, wh), shared_env)
    runs_cli = newsflow(["runs", "--warehouse", str(wh)], shared_env)

    reference = finish(ref_proc, ref_args, t0)
    code_changed = code_hash() != code_before
    time.sleep(1.0)  # a few more reads after the commit
    reader.stop.set()
    reader_thread.join(timeout=30)
    return Scenario(root, seeds_v1, seeds_v2, wh, wh_ref, baseline, baseline_fp, reference,
                    reader, intruder, intruder_while_running, net_log, killed, published,
                    final, runs_cli, code_changed)

