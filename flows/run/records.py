"""The records of a run and the planning helpers, below both the launcher and the Prefect flow:
settings, what a run plans to do, what each shard and file turned into, and the run's summary.
Kept free of heavy imports (no Prefect, spaCy or GX)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.adapters import sources
from flows.adapters.environment import Environment
from flows.adapters.faults import Cause
from flows.adapters.nlp import DEFAULT_MODEL
from flows.adapters.sources import SourceFile

VERSION = "0.1.0"


@dataclass(frozen=True)
class Settings:
    seeds: Path
    warehouse: Path
    model: str = DEFAULT_MODEL
    workers: int = 1
    runner: str = "local"  # local | dask
    dask_address: str | None = None
    shard_docs: int = 64
    wait_for_lock: bool = False
    full_check: bool = False  # hash every input file, even those whose size and mtime match
    rebuild: bool = False  # read every input again and carry nothing of the current release
    # the NEWSFLOW_* variables, read once where the run starts and handed to its workers
    environment: Environment = field(default_factory=Environment.read)


@dataclass
class FileResult:
    """What one input file turned into; kept in the release manifest."""

    sha256: str
    article_ids: list[str] = field(default_factory=list)
    reject_uris: list[str] = field(default_factory=list)
    size: int = -1
    mtime_ns: int = -1


@dataclass
class ShardResult:
    files: dict[str, FileResult]
    documents: int = 0
    rejected: int = 0
    words: int = 0


@dataclass
class RunSummary:
    run_id: str
    status: str
    docs_read: int = 0
    docs_new: int = 0
    docs_changed: int = 0
    docs_unchanged: int = 0
    docs_rejected: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    validation: str = ""
    failures: list[str] = field(default_factory=list)
    warehouse: str = ""
    seconds: float = 0.0
    words: int = 0
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    fault: Cause | None = None  # a machine fault that stopped the run (disk full, ...)
    staged_bytes: int = 0  # what the run had written to staging when the fault came


# -- discovery -------------------------------------------------------------------------------

def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Plan:
    todo: list[tuple[SourceFile, str]]  # (file, sha256) to process
    new: int
    changed: int
    unchanged: int
    files_seen: int
    hashed: int = 0  # files whose bytes were read to tell (the rest matched on size and mtime)


KnownFiles = Callable[[Sequence[str]], Mapping[str, Mapping[str, Any]]]


def sha_of(src: SourceFile) -> str:
    try:
        return file_sha256(src.path) if src.size >= 0 else "unreadable"
    except OSError:
        return "unreadable"


def same_stat(src: SourceFile, known: Mapping[str, Any]) -> bool:
    """Size and modification time as recorded: unchanged without reading it, as make and rsync
    judge (a tool that rewrites a file and restores its mtime needs --full-check)."""
    return src.size >= 0 and src.mtime_ns >= 0 and (known.get("size"), known.get("mtime_ns")) \
        == (src.size, src.mtime_ns)


def plan_work(seeds: Path, known_files: KnownFiles, full_check: bool = False) -> Plan:
    """Which input files need processing: new ones and those whose bytes changed. Only files
    whose size or mtime differ from the record are hashed, unless full_check."""
    found = list(sources.discover(seeds))
    known = known_files([src.source_uri for src in found])
    todo, new, changed, unchanged, hashed = [], 0, 0, 0, 0
    for src in found:
        previous = known.get(src.source_uri)
        if previous and not full_check and same_stat(src, previous):
            unchanged += 1
            continue
        sha = sha_of(src)
        hashed += 1
        if previous and previous["sha256"] == sha:
            unchanged += 1
            continue
        new += previous is None
        changed += previous is not None
        todo.append((src, sha))
    return Plan(todo, new, changed, unchanged, len(found), hashed)


def shards_of(todo: Sequence[tuple[SourceFile, str]], size: int) -> Iterator[list]:
    # Balance shards by bytes as well as count, so one big file does not stall a worker.
    shard: list = []
    budget = 0
    for item in todo:
        shard.append(item)
        budget += max(item[0].size, 0)
        if len(shard) >= size or budget > 4_000_000:
            yield shard
            shard, budget = [], 0
    if shard:
        yield shard



def guided_shards(todo: list[tuple[SourceFile, str]], workers: int,
                  cap: int) -> list[list[tuple[SourceFile, str]]]:
    """Shards for the workers. One worker: shards of `cap` documents. Several: each shard takes
    1/(2 x workers) of what is left (4 to `cap` documents), so shards shrink toward the end and
    the workers finish together instead of one waiting on another's last big shard. Never
    more than `cap` documents or ~4 MB per shard: memory stays bounded by the shard."""
    shards: list[list[tuple[SourceFile, str]]] = []
    start = 0
    while start < len(todo):
        left = len(todo) - start
        size = cap if workers == 1 else max(4, min(cap, -(-left // (workers * 2))))
        shard = next(shards_of(todo[start:start + size], size))
        shards.append(shard)
        start += len(shard)
    return shards


def extraction_processes(settings: Settings, shards: int) -> int:
    """Worker processes for the extraction: no more than there are shards, since each one
    loads the model (seconds) before its first shard; a single one is this process."""
    return max(1, min(settings.workers, shards))


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)



ProgressFn = Callable[[int, int, int], None]  # (documents done, total, words so far)


def run_record(summary: RunSummary, started: dt.datetime, model: str,
               model_version: str) -> dict[str, Any]:
    return {
        "run_id": summary.run_id, "started_at": started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(), "status": summary.status,
        "docs_read": summary.docs_read, "docs_new": summary.docs_new,
        "docs_changed": summary.docs_changed, "docs_unchanged": summary.docs_unchanged,
        "docs_rejected": summary.docs_rejected, "rows_json": _json(summary.rows),
        "validation": summary.validation, "error": summary.error,
        "code_version": VERSION, "model_name": model, "model_version": model_version,
    }


def _json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
