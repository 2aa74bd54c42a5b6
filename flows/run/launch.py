"""A run's entry point and bookkeeping, kept free of heavy imports: a run that finds nothing
new is recorded without importing Prefect, spaCy or Great Expectations (seconds of start-up
that a scheduled run over an unchanged folder should not pay)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows import sources, storage
from flows.nlp import DEFAULT_MODEL
from flows.sources import SourceFile

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


@dataclass
class FileResult:
    """What one input file turned into; kept in the release manifest."""

    sha256: str
    article_ids: list[str] = field(default_factory=list)
    reject_uris: list[str] = field(default_factory=list)


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


def plan_work(seeds: Path, manifest: dict[str, Any]) -> Plan:
    """Which input files need processing: new ones and those whose bytes changed."""
    known = manifest.get("files", {})
    todo, new, changed, unchanged, seen = [], 0, 0, 0, 0
    for src in sources.discover(seeds):
        seen += 1
        try:
            sha = file_sha256(src.path) if src.size >= 0 else "unreadable"
        except OSError:
            sha = "unreadable"
        previous = known.get(src.source_uri)
        if previous and previous["sha256"] == sha:
            unchanged += 1
            continue
        new += previous is None
        changed += previous is not None
        todo.append((src, sha))
    return Plan(todo, new, changed, unchanged, seen)


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



def current_row_counts(wh: storage.Warehouse) -> dict[str, int]:
    return storage.row_counts(wh.current)


def unchanged_summary(wh: storage.Warehouse, settings: Settings, plan: Plan) -> RunSummary:
    """Record a run that found nothing new, without starting the orchestrator: booting a
    Prefect server costs seconds and a scheduled run over an unchanged folder should not."""
    started = dt.datetime.now(dt.UTC)
    summary = RunSummary(run_id=new_run_id(), status="unchanged", warehouse=str(wh.root),
                         docs_read=plan.files_seen, docs_unchanged=plan.unchanged,
                         rows=current_row_counts(wh))
    storage.write_run(wh, run_record(summary, started, settings.model, "-"))
    return summary


def warm_up(settings: Settings) -> threading.Thread:
    """Import Great Expectations and load the model while the Prefect server boots in its own
    process: seconds of start-up that would otherwise come one after the other."""

    def work() -> None:
        import tempfile

        import flows.pipeline  # noqa: F401
        from flows.validate import validate_tables
        from transforms import schemas

        # A first validation pays GX's one-off costs (imports, expectation registry, renderers);
        # on empty tables it takes no time otherwise.
        with tempfile.TemporaryDirectory(prefix="newsflow-warm-") as tmp:
            validate_tables({n: s.empty_table() for n, s in schemas.TABLES.items()}, Path(tmp))

        if settings.workers == 1 and settings.runner == "local":
            from flows.nlp import annotator

            annotator(settings.model)

    thread = threading.Thread(target=work, name="newsflow-warm-up", daemon=True)
    thread.start()
    return thread


def run(settings: Settings, progress: ProgressFn | None = None) -> RunSummary:
    """One run under the warehouse lock: nothing to do -> a quick 'unchanged' record;
    otherwise the Prefect flow."""
    if not settings.seeds.is_dir():
        raise FileNotFoundError(f"input folder {settings.seeds} does not exist")
    wh = storage.open_warehouse(settings.warehouse)
    with storage.run_lock(wh, wait=settings.wait_for_lock):
        storage.sweep_staging(wh)
        plan = plan_work(settings.seeds, storage.read_manifest(wh))
        if not plan.todo and wh.current is not None:
            return unchanged_summary(wh, settings, plan)
        from flows.orchestrator import prefect_api

        warming = warm_up(settings)
        with prefect_api():
            warming.join()
            from flows.pipeline import newsflow_flow

            summary: RunSummary = newsflow_flow(settings, new_run_id(), progress)
        return summary


