"""The Prefect flow: discover -> shard -> extract -> validate -> publish.

Tasks work on shards of documents (a Prefect task run costs ~10 ms, one per document would
dominate small articles) and write their rows straight to staging Parquet, so the flow itself
never holds the corpus in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows import nlp as nlp_loader
from flows import sources, storage
from flows.run import (
    FileResult,
    Plan,
    ProgressFn,
    RunSummary,
    Settings,
    ShardResult,
    current_row_counts,
    plan_work,
    run,
    run_record,
    shards_of,
)
from flows.sources import RawDocument, Reject, SourceFile
from transforms import schemas
from transforms.documents import ParsedDocument, detect_language, parse_plain_text, word_count
from transforms.duplicates import DuplicateIndex
from transforms.extract import article_id_for, article_rows, section_texts
from transforms.sections import Section


class Stopwatch:
    """Seconds per stage, accumulated into the run summary (where does the time go?)."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.into[stage] = self.into.get(stage, 0.0) + time.monotonic() - t0


def fault_point(stage: str) -> None:
    """Test hook: NEWSFLOW_KILL_AT=<stage> makes the process SIGKILL itself here, so the
    reliability tests can prove that a run killed at any stage leaves no trace."""
    if os.environ.get("NEWSFLOW_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
ACCEPTED_LANGUAGES = ("en", "und")  # "und": too little text to tell, which is not a reason to drop


# -- extraction ------------------------------------------------------------------------------

def parsed_document(raw: RawDocument) -> ParsedDocument:
    if raw.html is not None:
        from transforms.html import parse_html  # optional reader, only for web pages

        return parse_html(raw.html, raw.metadata)
    parsed = parse_plain_text(raw.text or "")
    if raw.metadata:  # what a JSON line or crawl record says beats what the text suggests
        from transforms.html import with_metadata

        parsed = with_metadata(parsed, raw.metadata)
    return parsed


def document_problem(raw: RawDocument, parsed: ParsedDocument,
                     language: str | None = None) -> tuple[str, str] | None:
    """Why a parsed document cannot become an article, or None."""
    if len(parsed.body_text) > sources.MAX_TEXT_CHARS:
        return "too_long", f"{len(parsed.body_text):,} characters of body text is over the limit"
    if not parsed.body_text.strip():
        return "no_text", "no article body found after removing captions and boilerplate"
    if word_count(parsed.body_text) == 0:  # e.g. only punctuation: articles need words
        return "no_text", "the article body has no words (only punctuation or symbols)"
    lang = language or detect_language(parsed.body_text)
    if lang not in ACCEPTED_LANGUAGES:
        return "language", f"the text looks like '{lang}', and the language model is English"
    return None


def reject_row(rej: Reject, run_id: str, now: dt.datetime) -> dict[str, Any]:
    return {"source_uri": rej.source_uri, "content_sha256": rej.content_sha256,
            "reason": rej.reason, "detail": rej.detail, "seen_at": now, "run_id": run_id}


def spacy_docs(nlp: Any, texts: list[str]) -> list[Any]:
    """Docs for texts; when a batch crashes the model, fall back to one text at a time so that
    only the culprit is lost (it comes back as None)."""
    try:
        return list(nlp.pipe(texts))
    except Exception:  # noqa: BLE001
        out = []
        for t in texts:
            try:
                out.append(next(iter(nlp.pipe([t]))))
            except Exception:  # noqa: BLE001
                out.append(None)
        return out


@dataclass
class Readable:
    """A document that parsed and passed the checks, waiting for the language model."""

    file_uri: str
    raw: RawDocument
    parsed: ParsedDocument
    language: str

    @property
    def article_id(self) -> str:
        return article_id_for(self.raw.source_uri)


@dataclass
class Shard:
    """The rows and bookkeeping of one shard while it is extracted."""

    run_id: str
    ingested_at: dt.datetime
    result: ShardResult = field(default_factory=lambda: ShardResult(files={}))
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in schemas.TABLES})

    def reject(self, file_uri: str, rej: Reject) -> None:
        self.rows["rejects"].append(reject_row(rej, self.run_id, self.ingested_at))
        self.result.files[file_uri].reject_uris.append(rej.source_uri)
        self.result.rejected += 1

    def add(self, doc: Readable, article: dict[str, list[dict[str, Any]]]) -> None:
        for name, table_rows in article.items():
            self.rows[name].extend(table_rows)
        self.result.files[doc.file_uri].article_ids.append(doc.article_id)
        self.result.words += article["articles"][0]["word_count"]


def readable_documents(shard: Shard, items: list[tuple[SourceFile, str]]) -> list[Readable]:
    """Every document of the shard's files, parsed and checked; the rest become rejects."""
    out = []
    for src, sha in items:
        shard.result.files[src.source_uri] = FileResult(sha)
        for item in sources.read_source(src):
            shard.result.documents += 1
            if isinstance(item, Reject):
                shard.reject(src.source_uri, item)
                continue
            try:
                parsed = parsed_document(item)
                language = detect_language(parsed.body_text)
                problem = document_problem(item, parsed, language)
            except Exception as exc:  # noqa: BLE001 - a parser bug costs one document
                problem = ("parser_error", f"{type(exc).__name__}: {exc}")
            if problem:
                shard.reject(src.source_uri, Reject(item.source_uri, *problem,
                                                    item.content_sha256))
            else:
                out.append(Readable(src.source_uri, item, parsed, language))
    return out


def extract_articles(shard: Shard, nlp: Any, docs: list[Readable]) -> None:
    """All sections of all documents through the model in one nlp.pipe, then the tables."""
    texts = [section_texts(d.article_id, d.parsed) for d in docs]
    annotated = iter(spacy_docs(nlp, [text for secs in texts for _, _, text in secs]))
    for doc, secs in zip(docs, texts, strict=True):
        sections = [Section(name, next(annotated), cid) for name, cid, _ in secs]
        raw = doc.raw
        try:
            if any(s.doc is None for s in sections):
                raise RuntimeError("the language model crashed on this document")
            provenance = {"article_id": doc.article_id, "source_uri": raw.source_uri,
                          "content_sha256": raw.content_sha256,
                          "source_format": raw.source_format, "metadata": raw.metadata}
            article = article_rows(doc.parsed, sections, provenance, doc.language,
                                   shard.ingested_at)
        except Exception as exc:  # noqa: BLE001 - an extractor bug costs one document, not the run
            shard.reject(doc.file_uri, Reject(raw.source_uri, "extractor_error",
                                              f"{type(exc).__name__}: {exc}",
                                              raw.content_sha256))
            continue
        shard.add(doc, article)


# Retries cover transient I/O (a network filesystem hiccup, a worker lost); the backoff gives
# the cause time to pass. A document that fails deterministically becomes a reject instead.
@task(name="extract-shard", retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2))
def extract_shard(shard_no: int, items: list[tuple[SourceFile, str]], run_id: str,
                  warehouse_root: str, model: str, ingested_at: dt.datetime) -> ShardResult:
    shard = Shard(run_id, ingested_at)
    extract_articles(shard, nlp_loader.annotator(model), readable_documents(shard, items))
    fault_point("extract")
    storage.write_shard(storage.Warehouse(Path(warehouse_root)), run_id, shard_no,
                        {name: schemas.to_table(name, r) for name, r in shard.rows.items()})
    return shard.result


# -- the flow --------------------------------------------------------------------------------

def task_runner(settings: Settings) -> Any:
    if settings.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.workers,
                                              "threads_per_worker": 1, "processes": True})
    if settings.workers > 1:
        return ProcessPoolTaskRunner(max_workers=settings.workers)
    return ThreadPoolTaskRunner(max_workers=1)


def replaced_and_resolved(wh: storage.Warehouse, plan: Plan,
                          results: list[ShardResult]) -> tuple[set[str], set[str], dict]:
    """Article ids this run replaces, reject uris it settles, and the previous manifest."""
    old_files = storage.read_manifest(wh).get("files", {})
    replaced = {a for src, _ in plan.todo for a in old_files.get(src.source_uri, {})
                .get("article_ids", [])}
    resolved = {u for src, _ in plan.todo
                for u in [src.source_uri, *old_files.get(src.source_uri, {})
                          .get("reject_uris", [])]}
    for r in results:
        replaced.update(a for f in r.files.values() for a in f.article_ids)
        resolved.update(u for f in r.files.values() for u in f.reject_uris)
    return replaced, resolved, old_files


def duplicate_links(batches: Iterator[pa.RecordBatch]) -> dict[str, tuple[str | None, Any]]:
    """article_id -> (duplicate_of, similarity), fed batch by batch."""
    index = DuplicateIndex()
    for b in batches:
        index.add(b.column("article_id").to_pylist(), b.column("body_text").to_pylist(),
                  b.column("published_date").to_pylist(), b.column("fetched_at").to_pylist())
    links = index.links().to_pydict()
    return {a: (d, sim) for a, d, sim in zip(links["article_id"], links["duplicate_of"],
                                             links["duplicate_similarity"], strict=True)}


def with_links(batch: pa.RecordBatch, links: dict[str, tuple[str | None, Any]]) -> pa.RecordBatch:
    ids = batch.column("article_id").to_pylist()
    found = [links.get(a, (None, None)) for a in ids]
    columns = {n: batch.column(n) for n in batch.schema.names}
    columns["duplicate_of"] = pa.array([f[0] for f in found], pa.string())
    columns["duplicate_similarity"] = pa.array([f[1] for f in found], pa.float32())
    return pa.RecordBatch.from_arrays([columns[n] for n in batch.schema.names],
                                      schema=batch.schema)


def suites_dir() -> Path:
    """expectations/ of the project, or the folder NEWSFLOW_EXPECTATIONS names (a team's own
    stricter suites)."""
    from flows.validate import SUITES_DIR

    return Path(os.environ.get("NEWSFLOW_EXPECTATIONS", SUITES_DIR))


VALIDATION_CHUNK = 5_000  # articles per GX validation: bounds memory on any corpus size


def validate_release(staged: Path, docs_dir: Path) -> Any:
    """GX over the staged release, a chunk of articles (with all their rows) at a time, so
    that memory does not grow with the corpus. Keys hash their article_id, so a duplicate
    key always falls within one chunk."""
    from flows.validate import ValidationResult, validate_tables  # GX import costs seconds

    ids = [a for b in storage.table_batches(staged, "articles")
           for a in b.column("article_id").to_pylist()]
    chunks = [ids[i:i + VALIDATION_CHUNK] for i in range(0, len(ids), VALIDATION_CHUNK)] or [[]]
    outcomes = []
    for k, chunk in enumerate(chunks):
        keep = set(chunk)
        tables = {name: pa.Table.from_batches(
            list(storage.table_batches(staged, name, "article_id", keep=keep)),
            schema=schemas.TABLES[name]) for name in schemas.ARTICLE_TABLES}
        if k == 0:
            tables["rejects"] = pa.Table.from_batches(
                list(storage.table_batches(staged, "rejects")), schema=schemas.REJECTS)
        outcomes.append(validate_tables(tables, docs_dir, suites_dir()))
    if len(outcomes) == 1:
        return outcomes[0]
    failures = tuple(f for o in outcomes for f in o.failures)
    summary = (f"{len(outcomes)} chunks of up to {VALIDATION_CHUNK} articles; "
               + ("all expectations passed" if not failures else
                  "; ".join(o.summary for o in outcomes if not o.success)))
    return ValidationResult(not failures, failures, summary, outcomes[-1].data_docs)


def build_release(wh: storage.Warehouse, run_id: str, plan: Plan, results: list[ShardResult],
                  summary: RunSummary, clock: Stopwatch) -> Path | None:
    """Merge, stage and validate the next release; None when validation rejects it.
    Every table streams from the current release and this run's shards to staging Parquet."""
    replaced, resolved, old_files = replaced_and_resolved(wh, plan, results)
    staged = wh.staging(run_id) / "release"
    with clock("duplicates"):
        links = duplicate_links(storage.merged_batches(wh, run_id, "articles", replaced,
                                                       resolved))
    with clock("parquet"):
        for name in schemas.TABLES:
            batches = storage.merged_batches(wh, run_id, name, replaced, resolved)
            if name == "articles":
                batches = (with_links(b, links) for b in batches)
            storage.write_table(staged, name, batches)
    fault_point("write_parquet")
    summary.rows = storage.row_counts(staged)
    fault_point("validate")
    with clock("validate"):
        outcome = validate_release(staged, wh.data_docs_dir)
    summary.validation = outcome.summary
    summary.failures = [str(f) for f in outcome.failures]
    if not outcome.success:
        return None
    files = {**old_files}
    for r in results:
        files.update({uri: asdict(fr) for uri, fr in r.files.items()})
    storage.write_manifest(staged, {"files": files, "run_id": run_id})
    return staged


@flow(name="newsflow", log_prints=False, validate_parameters=False)
def newsflow_flow(settings: Settings, run_id: str,
                  progress: ProgressFn | None = None) -> RunSummary:
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    wh = storage.open_warehouse(settings.warehouse)
    summary = RunSummary(run_id=run_id, status="running", warehouse=str(wh.root))
    version = nlp_loader.model_version_of(settings.model)
    clock = Stopwatch(summary.timings)
    # A SIGKILLed run cannot write its record at the end: this one shows it as "running" until
    # the next run (holding the lock) closes it as "interrupted" (storage.sweep_staging).
    storage.write_run(wh, {**run_record(summary, started, settings.model,
                                        version), "finished_at": None})
    try:
        with clock("discover"):
            plan = plan_work(settings.seeds, storage.read_manifest(wh))
        summary.docs_read, summary.docs_new = plan.files_seen, plan.new
        summary.docs_changed, summary.docs_unchanged = plan.changed, plan.unchanged
        with clock("extract"):
            results = extract_all(settings, plan, run_id, progress)
        summary.docs_rejected = sum(r.rejected for r in results)
        summary.words = sum(r.words for r in results)
        if not plan.todo:
            summary.status = "unchanged"
            summary.rows = current_row_counts(wh)
        else:
            staged = build_release(wh, run_id, plan, results, summary, clock)
            if staged is None:
                summary.status = "rejected by validation"
            else:
                history = [*(r for r in storage.read_runs(wh) if r["run_id"] != run_id),
                           run_record(summary, started, settings.model,
                                      version)]
                history[-1]["status"] = "succeeded"
                with clock("duckdb"):
                    storage.build_duckdb(staged, storage.runs_table(history))
                fault_point("duckdb_load")
                storage.publish(wh, run_id, staged)
                fault_point("published")
                summary.status = "succeeded"
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        shutil.rmtree(wh.staging(run_id), ignore_errors=True)
        summary.seconds = time.monotonic() - t0
        storage.write_run(wh, run_record(summary, started, settings.model,
                                         version))
    return summary


def extract_all(settings: Settings, plan: Plan, run_id: str,
                progress: ProgressFn | None) -> list[ShardResult]:
    # Enough shards to keep every worker busy to the end, never more documents per shard than
    # shard_docs (memory stays bounded by the shard, not the corpus).
    per_shard = max(4, min(settings.shard_docs, -(-len(plan.todo) // (settings.workers * 4))))
    shards = list(shards_of(plan.todo, per_shard))
    if not shards:
        return []
    ingested_at = dt.datetime.now(dt.UTC)
    total, done, words = len(plan.todo), 0, 0
    results = []
    with task_runner(settings) as runner:
        futures = [runner.submit(extract_shard, parameters={
            "shard_no": i, "items": shard, "run_id": run_id,
            "warehouse_root": str(settings.warehouse), "model": settings.model,
            "ingested_at": ingested_at}) for i, shard in enumerate(shards)]
        for fut in as_completed(futures):
            res = fut.result()
            results.append(res)
            done += len(res.files)
            words += res.words
            if progress:
                progress(done, total, words)
    return results


def serve(settings: Settings, cron: str) -> None:
    """Serve a deployment of the flow from this process on a cron schedule. A failed run is
    recorded and the schedule goes on."""

    @flow(name="newsflow-scheduled", log_prints=True)
    def scheduled() -> str:
        try:
            return run(settings).status
        except storage.WarehouseBusy as exc:
            return f"skipped: {exc}"

    from flows.orchestrator import prefect_api

    # Prefect cannot schedule on its throw-away server: serve against the user's server, or
    # a local one with its scheduler on, started and stopped with this process.
    with prefect_api(scheduler=True):
        scheduled.serve(name="newsflow", cron=cron)
