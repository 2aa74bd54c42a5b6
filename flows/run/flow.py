"""The Prefect flow: discover -> shard -> extract -> resolve -> load -> validate -> publish.

Tasks work on shards of documents (a Prefect task run costs ~10 ms, one per document would
dominate small articles) and write their rows straight to staging Parquet, so the flow itself
never holds the corpus in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import time
from collections.abc import Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows.adapters import faults, sources
from flows.adapters import nlp as nlp_loader
from flows.adapters.environment import Environment, variable
from flows.adapters.release import (
    FILES,
    FILES_SCHEMA,
    SKETCHES,
    STATE,
    Release,
    Warehouse,
    file_records,
    known_files,
    open_warehouse,
    read_runs,
    row_counts,
    write_shard,
)
from flows.adapters.resources import credit_table
from flows.adapters.sources import RawDocument, Reject, SourceFile
from flows.run.entities import (
    NAMES,
    NAMES_SCHEMA,
    map_table,
    next_corpus,
    resolved_identity,
    state_table,
)
from flows.run.records import (
    FileResult,
    Plan,
    ProgressFn,
    RunSummary,
    Settings,
    ShardResult,
    extraction_processes,
    guided_shards,
    plan_work,
    run_record,
)
from transforms import schemas
from transforms.documents import ParsedDocument, detect_language, parse_plain_text
from transforms.duplicates import (
    SKETCH_SCHEMA,
    candidate_ids,
    next_copies,
    relinked,
    sketch_table,
    touched_groups,
)
from transforms.extract import (
    article_id_for,
    article_rows,
    published_month,
    section_texts,
)
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


ENGLISH_LIKE = ("en", "und")  # "und": too little text to tell; read with the English model


# -- extraction ------------------------------------------------------------------------------

def parsed_document(raw: RawDocument) -> ParsedDocument:
    if raw.html is not None:
        from transforms.html import parse_html  # optional reader, only for web pages

        return parse_html(raw.html, raw.metadata, credits=credit_table())
    parsed = parse_plain_text(raw.text or "", credits=credit_table())
    if raw.metadata:  # what a JSON line or crawl record says beats what the text suggests
        from transforms.html import with_metadata

        parsed = with_metadata(parsed, raw.metadata)
    return parsed


def document_problem(parsed: ParsedDocument, limit: int) -> tuple[str, str] | None:
    """Why a parsed document cannot become an article, or None (``limit``: of body-text
    characters). Its language never is."""
    from transforms.documents import document_problem as unreadable

    problem = unreadable(parsed, limit)
    if problem and problem[0] == "too_long":  # the limit, and how to change it
        return problem[0], (f"{len(parsed.body_text):,} characters of body text is over the "
                            f"limit of {limit:,} (set {variable('max_text_chars')} to change it)")
    return problem


def reject_row(rej: Reject, run_id: str, now: dt.datetime) -> dict[str, Any]:
    return {"source_uri": rej.source_uri, "content_sha256": rej.content_sha256,
            "reason": rej.reason, "detail": rej.detail, "seen_at": now, "run_id": run_id}


def spacy_docs(nlp: Any, texts: Iterable[str]) -> Iterator[Any]:
    """Docs for texts, in order; when a batch crashes the model, its texts are redone one at a
    time so that only the culprit is lost (it comes back as None), then batching resumes."""
    source = iter(texts)
    while True:
        taken: list[str] = []

        def feed(taken: list[str] = taken) -> Iterator[str]:
            for text in source:
                taken.append(text)
                yield text

        done = 0
        try:
            for doc in nlp.pipe(feed()):
                done += 1
                yield doc
            return
        except Exception:  # noqa: BLE001
            for text in taken[done:]:
                try:
                    yield next(iter(nlp.pipe([text])))
                except Exception:  # noqa: BLE001
                    yield None


def in_background(items: Iterator[Any], depth: int = 16) -> Generator[Any, None, None]:
    """items, produced by a helper thread up to depth ahead of the consumer. The model's
    parser and NER loops run without the GIL, so the tables of finished documents are built
    beside them. A producer error is raised in the consumer; a consumer that stops early stops
    the producer."""
    import queue
    import threading

    buffer: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                buffer.put((kind, value), timeout=0.1)
                return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("end", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put("error", exc)

    worker = threading.Thread(target=produce, name="newsflow-model", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = buffer.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


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


def readable_documents(shard: Shard, items: list[tuple[SourceFile, str]],
                       environment: Environment) -> list[Readable]:
    """Every document of the shard's files, parsed and checked; the rest become rejects."""
    field_map = sources.jsonl_field_map(environment.jsonl_fields)
    out = []
    for src, sha in items:
        shard.result.files[src.source_uri] = FileResult(sha, size=src.size,
                                                        mtime_ns=src.mtime_ns)
        for item in sources.read_source(src, field_map):
            shard.result.documents += 1
            if isinstance(item, Reject):
                shard.reject(src.source_uri, item)
                continue
            try:
                parsed = parsed_document(item)
                language = detect_language(parsed.body_text)
                problem = document_problem(parsed, environment.max_text_chars)
            except Exception as exc:  # noqa: BLE001 - a parser bug costs one document
                problem = ("parser_error", f"{type(exc).__name__}: {exc}")
            if problem:
                shard.reject(src.source_uri, Reject(item.source_uri, *problem,
                                                    item.content_sha256))
            else:
                out.append(Readable(src.source_uri, item, parsed, language))
    return out


def model_language(language: str) -> str:
    return nlp_loader.ENGLISH if language in ENGLISH_LIKE else language


def extract_articles(shard: Shard, models: dict[str, str], docs: list[Readable]) -> None:
    """Each language's documents through its spaCy pipeline, then the tables. A language
    without a pipeline gives article and caption rows only; quotes and claims come from
    English text only (the cue model is English)."""
    for language in sorted({model_language(d.language) for d in docs}):
        group = [d for d in docs if model_language(d.language) == language]
        model = models.get(language)
        extract_language(shard, nlp_loader.annotator(model) if model else None, group,
                         english=language == nlp_loader.ENGLISH)


def extract_language(shard: Shard, nlp: Any, docs: list[Readable], english: bool) -> None:
    """All sections of the documents through the model in one stream (in a helper thread),
    and the tables of each document as soon as its sections are annotated."""
    if nlp is None:
        for doc in docs:
            article_into(shard, doc, [], english)
        return
    texts = [section_texts(d.article_id, d.parsed) for d in docs]
    flat = [text for secs in texts for _, _, text in secs]
    with contextlib.closing(in_background(spacy_docs(nlp, flat))) as annotated:
        for doc, secs in zip(docs, texts, strict=True):
            sections = [Section(name, next(annotated), cid) for name, cid, _ in secs]
            article_into(shard, doc, sections, english)


def article_into(shard: Shard, doc: Readable, sections: list[Section],
                 english: bool = True) -> None:
    """The document's rows into the shard, or a reject when the model or an extractor
    failed on it."""
    raw = doc.raw
    try:
        if any(s.doc is None for s in sections):
            raise RuntimeError("the language model crashed on this document")
        provenance = {"article_id": doc.article_id, "source_uri": raw.source_uri,
                      "content_sha256": raw.content_sha256,
                      "source_format": raw.source_format, "encoding": raw.encoding,
                      "metadata": raw.metadata}
        article = article_rows(doc.parsed, sections, provenance, doc.language,
                               shard.ingested_at, nlp_loader.attribution_model(),
                               credit_table(), nlp_loader.coref_model())
    except Exception as exc:  # noqa: BLE001 - an extractor bug costs one document, not the run
        shard.reject(doc.file_uri, Reject(raw.source_uri, "extractor_error",
                                          f"{type(exc).__name__}: {exc}",
                                          raw.content_sha256))
        return
    if not english:
        article.update({name: [] for name in nlp_loader.ENGLISH_ONLY_TABLES})
    shard.add(doc, article)


TRANSIENT_ERRNOS = {errno.EIO, errno.EAGAIN, errno.EINTR, errno.EBUSY, errno.ESTALE,
                    errno.ETIMEDOUT, errno.ECONNRESET, errno.ECONNREFUSED, errno.ENETDOWN}


def transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what may pass by itself: a network filesystem hiccup, a lost worker, a
    timeout. A bug or a machine fault (a full disk, a folder we may not write) fails the same
    way on every try, so retrying only repeats its traceback."""
    from concurrent.futures.process import BrokenProcessPool

    exc = getattr(state, "data", None)
    if isinstance(exc, (TimeoutError, ConnectionError, BrokenProcessPool)):
        return True
    return isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS


@task(name="extract-shard", retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=transient)
def extract_shard(shard_no: int, items: list[tuple[SourceFile, str]], run_id: str,
                  warehouse_root: str, model: str, ingested_at: dt.datetime,
                  environment: Environment) -> ShardResult | faults.Cause:
    """The shard's rows, written to staging. A machine fault comes back as a value, not an
    exception: Prefect would log it with a traceback, and the user gets one line for it."""
    shard = Shard(run_id, ingested_at)
    models = nlp_loader.language_models(model, environment.language_models)
    extract_articles(shard, models, readable_documents(shard, items, environment))
    faults.fault_point("extract")
    try:
        write_shard(Warehouse(Path(warehouse_root)), run_id, shard_no,
                    {name: schemas.to_table(name, r) for name, r in shard.rows.items()})
    except Exception as exc:
        cause = faults.cause_of(exc)
        if cause is None:
            raise
        return cause
    return shard.result


# -- the flow --------------------------------------------------------------------------------

def task_runner(settings: Settings, processes: int) -> Any:
    """Runs the shards on `processes` workers (see records.extraction_processes): one runs them
    on this process's thread, with the model this process has loaded already."""
    if settings.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        # A local cluster listens on loopback only: its scheduler, workers and dashboard.
        return DaskTaskRunner(cluster_kwargs={"n_workers": processes,
                                              "threads_per_worker": 1, "processes": True,
                                              "host": "127.0.0.1",
                                              "dashboard_address": "127.0.0.1:8787"})
    if processes > 1:  # each worker loads the model once, as it starts
        return ProcessPoolTaskRunner(max_workers=processes,
                                     initializer=nlp_loader.load_in_worker,
                                     initargs=(settings.model,))
    return ThreadPoolTaskRunner(max_workers=1)


def replaced_and_resolved(release: Release, plan: Plan, results: list[ShardResult],
                          ) -> tuple[set[str], set[str], set[str]]:
    """Article ids this run replaces (stored ones only: what the current release holds for the
    input files it processed again, and any id it extracted that is stored already), the
    reject uris it settles, and the input files it processed that the release had recorded.
    A run of new articles replaces nothing, so it rewrites nothing."""
    old = file_records([src.source_uri for src, _ in plan.todo], release.wh)
    replaced = {a for r in old.values() for a in r["article_ids"] or []}
    extracted = {a for r in results for f in r.files.values() for a in f.article_ids}
    replaced |= stored_ids(release, extracted - replaced)
    resolved = {src.source_uri for src, _ in plan.todo}
    resolved.update(u for r in old.values() for u in r["reject_uris"] or [])
    for r in results:
        resolved.update(u for f in r.files.values() for u in f.reject_uris)
    return replaced, resolved, set(old)


def stored_sketches(release: Release, ids: set[str],
                    columns: list[str] | None = None) -> pa.Table:
    """Sketch rows of the current release for the given article ids (every article has one)."""
    if not ids:
        return SKETCH_SCHEMA.empty_table().select(columns or SKETCH_SCHEMA.names)
    expr = pc.field("article_id").isin(pa.array(sorted(ids), pa.string()))
    return release.previous_rows(SKETCHES, SKETCH_SCHEMA, STATE, expr, columns)


def stored_ids(release: Release, ids: set[str]) -> set[str]:
    return set(stored_sketches(release, ids, ["article_id"]).column("article_id").to_pylist())


def replaced_months(release: Release, replaced: set[str]) -> set[str]:
    """The month partitions that hold the replaced articles' rows: only their files are read."""
    dates = stored_sketches(release, replaced, ["published_date"]).column("published_date")
    return {published_month(d) for d in dates.to_pylist()}


def file_rows(plan: Plan, results: list[ShardResult]) -> pa.Table:
    """The state rows of the input files this run processed (discovery's record of them)."""
    stat = {src.source_uri: src for src, _ in plan.todo}
    rows = []
    for r in results:
        for uri, fr in sorted(r.files.items()):
            src = stat.get(uri)
            rows.append({**asdict(fr), "source_uri": uri,
                         "size": src.size if src else fr.size,
                         "mtime_ns": src.mtime_ns if src else fr.mtime_ns})
    return pa.Table.from_pylist(rows, schema=FILES_SCHEMA)


def new_sketches(release: Release) -> pa.Table:
    """MinHash sketches of this run's articles, computed once, when they arrive."""
    parts = [sketch_table(b.column("article_id").to_pylist(), b.column("body_text").to_pylist(),
                          b.column("published_date").to_pylist(),
                          b.column("fetched_at").to_pylist())
             for b in release.shard_batches("articles")]
    return pa.concat_tables(parts) if parts else SKETCH_SCHEMA.empty_table()


def next_links(release: Release, replaced: set[str], new: pa.Table) -> None:
    """The next duplicate_links: only the groups this run's articles reach (or its replaced
    articles leave) are recomputed (transforms/duplicates.py says why that is exact)."""
    copies = release.previous("duplicate_links", schemas.DUPLICATE_LINKS)
    bands = release.previous_rows(SKETCHES, SKETCH_SCHEMA, STATE, None, ["article_id", "bands"])
    links = touched_groups(copies, candidate_ids(bands, new) | replaced)
    stored = stored_sketches(release, set(links.column("article_id").to_pylist()))
    release.write("duplicate_links",
                  next_copies(copies, relinked(new, stored, links, replaced), replaced))


def carried_tables(release: Release, replaced: set[str], resolved: set[str],
                   recorded: set[str], files: pa.Table, sketches: pa.Table,
                   rows: dict[str, int]) -> pa.Table:
    """Every dataset of the next release: the current one's files carried over (linked, or
    rewritten without what this run replaces), then this run's rows. Returns the entity rows
    taken out (the resolver subtracts them); rows gets each table's count, from the current
    release's count, what went and what came (no footer of the warehouse read)."""
    months = replaced_months(release, replaced)
    removed = schemas.ENTITIES.empty_table()
    before = row_counts(release.wh.base)
    for name in schemas.TABLES:
        gone = release.carry(name, resolved if name == "rejects" else replaced, months=months)
        if name == "entities":
            removed = gone
        release.append(name, release.shard_batches(name))
        rows[name] = before[name] - gone.num_rows + release.shard_row_count(name)
    release.carry(FILES, recorded, STATE)
    release.append(FILES, files.to_batches(), STATE)
    release.carry(SKETCHES, replaced, STATE)
    release.append(SKETCHES, sketches.to_batches(), STATE)
    return removed


def next_identity(release: Release, removed: pa.Table) -> None:
    corpus = next_corpus(release.previous(NAMES, NAMES_SCHEMA, STATE), removed,
                         release.shard_batches("entities"))
    ids = resolved_identity(corpus, release.previous("entity_ids", schemas.ENTITY_IDS))
    release.write(NAMES, state_table(corpus), STATE)
    release.write("entity_ids", ids.table)
    release.write("entity_id_map", map_table(ids.ids))


def staged_release(release: Release, plan: Plan, results: list[ShardResult],
                   summary: RunSummary, clock: Stopwatch, history: RunHistory) -> bool:
    """Stage the next release, news.duckdb included, and validate this run's rows as its views
    give them; False when validation rejects them. The release's cost grows with what the run
    adds or replaces: unchanged files are linked, and the corpus-level steps work on small
    state tables."""
    staged_tables(release, plan, results, summary, clock)
    staged_duckdb(release, summary, clock, history)
    with clock("validate"):
        outcome = release.validate()
    summary.validation = outcome.summary
    summary.failures = [str(f) for f in outcome.failures]
    return bool(outcome.success)


def staged_tables(release: Release, plan: Plan, results: list[ShardResult],
                  summary: RunSummary, clock: Stopwatch) -> None:
    """Every dataset, corpus table and state table of the next release, staged."""
    replaced, resolved, recorded = replaced_and_resolved(release, plan, results)
    with clock("duplicates"):
        sketches = new_sketches(release)
        next_links(release, replaced, sketches)
    with clock("parquet"):
        removed = carried_tables(release, replaced, resolved, recorded, file_rows(plan, results),
                                 sketches, summary.rows)
    with clock("entities"):
        next_identity(release, removed)
    faults.fault_point("state")


@dataclass(frozen=True)
class RunHistory:
    """The run history as the release records it: the other runs, and this one as it ends."""

    started: dt.datetime
    model: str
    version: str

    def of(self, release: Release, summary: RunSummary) -> list[dict[str, Any]]:
        return [*(r for r in read_runs(release.wh) if r["run_id"] != release.run_id),
                {**run_record(summary, self.started, self.model, self.version),
                 "status": "succeeded"}]


def staged_duckdb(release: Release, summary: RunSummary, clock: Stopwatch,
                  history: RunHistory) -> None:
    with clock("duckdb"):
        release.load_duckdb(history.of(release, summary), summary.rows)
    faults.fault_point("duckdb_load")


def bulk_publish(warehouse: Path, run_id: str, results: list[ShardResult]) -> RunSummary:
    """Publish rows already in staging/<run_id>/shards (written with write_shard) through the
    same steps as a run, without validating them: for rows validated where they were made,
    such as the scale benchmark's synthetic warehouses (bench/scale_bench.py), whose millions
    of rows GX would take an hour over. Takes the warehouse lock like a run."""
    from flows.adapters.release import run_lock

    wh = open_warehouse(warehouse)
    files = {uri: fr for r in results for uri, fr in r.files.items()}
    plan = Plan([(SourceFile(Path(uri), uri, fr.size, fr.mtime_ns), fr.sha256)
                 for uri, fr in files.items()], len(files), 0, 0, len(files))
    summary = RunSummary(run_id=run_id, status="running", warehouse=str(wh.root))
    release = Release(wh, run_id)
    history = RunHistory(dt.datetime.now(dt.UTC), "-", "-")
    with run_lock(wh):
        try:
            clock = Stopwatch(summary.timings)
            staged_tables(release, plan, results, summary, clock)
            summary.validation = "not validated (bulk publish)"
            staged_duckdb(release, summary, clock, history)
            release.publish()
            summary.status = "succeeded"
            release.record(run_record(summary, history.started, "-", "-"))
        finally:
            release.discard()
    return summary


def published(release: Release, summary: RunSummary, history: RunHistory) -> None:
    """Make the validated release current, its run history saying what validation said."""
    release.record_history(history.of(release, summary))
    release.publish()
    faults.fault_point("published")


@flow(name="newsflow", log_prints=False, validate_parameters=False)
def newsflow_flow(settings: Settings, run_id: str,
                  progress: ProgressFn | None = None) -> RunSummary:
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    release = Release(open_warehouse(settings.warehouse, settings.rebuild), run_id)
    summary = RunSummary(run_id=run_id, status="running", warehouse=str(release.wh.root))
    version = nlp_loader.model_version_of(settings.model)
    history = RunHistory(started, settings.model, version)
    clock = Stopwatch(summary.timings)
    try:
        # A SIGKILLed run cannot write its record at the end: this one shows it as "running"
        # until the next run (holding the lock) closes it as "interrupted" (sweep_staging).
        release.record({**run_record(summary, started, settings.model, version),
                        "finished_at": None})
        with clock("discover"):
            # planned again here, not handed in: Prefect stores a flow's parameters in its
            # API, which refuses a plan of thousands of files (HTTP 422); discovery reads only
            # what size and mtime cannot vouch for, so the second pass costs little
            plan = plan_work(settings.seeds, known_files(release.wh), settings.full_check)
        summary.docs_read, summary.docs_new = plan.files_seen, plan.new
        summary.docs_changed, summary.docs_unchanged = plan.changed, plan.unchanged
        with clock("extract"):
            results = extract_all(settings, plan, run_id, progress)
        summary.docs_rejected = sum(r.rejected for r in results)
        summary.words = sum(r.words for r in results)
        if not plan.todo:
            summary.status = "unchanged"
            summary.rows = row_counts(release.wh.current)
        elif not staged_release(release, plan, results, summary, clock, history):
            summary.status = "rejected by validation"
        else:
            published(release, summary, history)
            summary.status = "succeeded"
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        # A machine fault ends the flow normally, for the launcher to say in one line: raised,
        # Prefect would log its traceback. Anything else is a bug and keeps it.
        summary.fault = faults.cause_of(exc)
        if summary.fault is None:
            raise
        summary.error = f"{summary.fault.detail}: {summary.fault.path or release.wh.root}"
        summary.staged_bytes = faults.tree_bytes(release.wh.staging(run_id))
    finally:
        release.discard()
        summary.seconds = time.monotonic() - t0
        record_outcome(release, summary, started, settings.model, version)
    return summary


def record_outcome(release: Release, summary: RunSummary, started: dt.datetime, model: str,
                   version: str) -> None:
    """The run's record; on a full disk or a folder we may not write it can fail too, and
    then the fault it meets is the run's (unless the run already met one)."""
    try:
        release.record(run_record(summary, started, model, version))
    except Exception as exc:
        cause = faults.cause_of(exc)
        if cause is None:
            raise
        summary.fault = summary.fault or cause


def extract_all(settings: Settings, plan: Plan, run_id: str,
                progress: ProgressFn | None) -> list[ShardResult]:
    shards = guided_shards(plan.todo, settings.workers, settings.shard_docs)
    if not shards:
        return []
    ingested_at = dt.datetime.now(dt.UTC)
    total, done, words = len(plan.todo), 0, 0
    results = []
    with task_runner(settings, extraction_processes(settings, len(shards))) as runner:
        futures = [runner.submit(extract_shard, parameters={
            "shard_no": i, "items": shard, "run_id": run_id,
            "warehouse_root": str(settings.warehouse), "model": settings.model,
            "ingested_at": ingested_at, "environment": settings.environment})
            for i, shard in enumerate(shards)]
        for fut in as_completed(futures):
            res = fut.result()
            if isinstance(res, faults.Cause):
                raise faults.CauseFound(res)
            results.append(res)
            done += len(res.files)
            words += res.words
            if progress:
                progress(done, total, words)
    return results
