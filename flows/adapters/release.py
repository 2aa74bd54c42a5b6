"""The release life cycle, and the only writer: open, lock, stage, validate, publish, prune and
record. A run's flow drives one ``Release`` through these steps in order.

Layout of a warehouse directory::

    current -> releases/<run_id>        the single commit point (an atomic symlink swap)
    parquet -> current/parquet          stable paths for users and BI tools
    news.duckdb -> current/news.duckdb
    releases/<run_id>/parquet/<table>/published_month=YYYY-MM/<run_id>-<n>.parquet
                                        the rows of each article as extraction gave them; files
                                        are immutable and shared (hard links) between releases
    releases/<run_id>/parquet/entity_ids, entity_id_map, duplicate_links
                                        the corpus-level decisions, small by design (they grow
                                        with distinct names and with copies), rewritten whole
    releases/<run_id>/state/            what the next run needs and readers do not: the input
                                        files seen (files), the entity resolver's counts
                                        (entity_names), each article's MinHash (sketches)
    releases/<run_id>/news.duckdb       views over that release's Parquet, plus the run history
    releases/<run_id>/release.json      row counts; written last
    staging/<run_id>/                   work in progress; never read by anyone else
    runs/<run_id>.json                  run history
    data_docs/                          Great Expectations Data Docs of the last validation

A run writes everything under staging/ (news.duckdb included), validates its rows as
news.duckdb's views give them, moves it to releases/ and only then swaps ``current``. A killed run
leaves at most an orphan staging folder, which the next run removes; readers see the old
release or the new one, never a mix. What a run costs beyond
extraction grows with what it adds or replaces, not with what the warehouse holds: unchanged
files are linked, corpus ids and duplicate links are applied where rows are read (the views
of news.duckdb), and only the run's own rows are validated, read through those views.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.adapters import catalog, datasets, faults, resources
from flows.adapters.environment import Environment
from transforms import schemas

KEEP_RELEASES = 2


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


@dataclass(frozen=True)
class Warehouse:
    root: Path
    # build the next release from the inputs alone, carrying nothing of the current one (the
    # way out of any state a bug may have left a release in)
    rebuild: bool = False

    @property
    def current(self) -> Path | None:
        link = self.root / "current"
        return link.resolve() if link.is_symlink() and link.resolve().exists() else None

    @property
    def base(self) -> Path | None:
        """The current release, when the next one can be built on it: one whose files and state
        this version wrote (release.json). A release of an earlier version is not carried
        over: the next run reads every input again and builds the warehouse anew; so is any
        release when the run rebuilds."""
        cur = self.current
        if self.rebuild or cur is None:
            return None
        return cur if (cur / "release.json").exists() else None

    @property
    def duckdb_path(self) -> Path:
        return self.root / "news.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.root / "parquet"

    @property
    def data_docs_dir(self) -> Path:
        return self.root / "data_docs"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def staging(self, run_id: str) -> Path:
        return self.root / "staging" / run_id

    def shard_dir(self, run_id: str, table: str) -> Path:
        return self.staging(run_id) / "shards" / table


def kept_release(root: Path) -> str | None:
    """The release a failed run left current (a run that fails never publishes), if any."""
    current = Warehouse(root).current
    return current.name if current else None


def owner_only_umask() -> int:
    """Files this process creates from now on are readable only by their owner (news corpora
    can be licensed material), unless NEWSFLOW_UMASK (octal, e.g. 027) says otherwise."""
    mask = Environment.read().umask
    os.umask(mask)
    return mask


def open_warehouse(root: Path, rebuild: bool = False) -> Warehouse:
    """The warehouse at root, created owner-only (news corpora can be licensed material)."""
    owner_only_umask()  # covers what GX, DuckDB and pyarrow create under root too
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for sub in ("releases", "staging", "runs"):
        (root / sub).mkdir(exist_ok=True, mode=0o700)
    return Warehouse(root, rebuild)


@contextlib.contextmanager
def run_lock(wh: Warehouse, wait: bool = False) -> Iterator[None]:
    """One writer per warehouse. The kernel drops the lock when the process dies, so a killed run
    never leaves a stale lock behind."""
    fd = os.open(wh.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise WarehouseBusy(
                f"another newsflow run is writing {wh.root}; wait for it or use --wait"
            ) from exc
        yield
    finally:
        os.close(fd)


def sweep_staging(wh: Warehouse) -> None:
    """Remove what killed runs left behind and close their "running" records; safe because we
    hold the lock, so no run recorded as running is still alive."""
    for leftover in (wh.root / "staging").iterdir():
        shutil.rmtree(leftover, ignore_errors=True)
    current = wh.current
    for stand_in in (wh.root / "releases").iterdir():  # a run killed in load_duckdb
        if stand_in.is_symlink():
            stand_in.unlink()
        elif current is None or stand_in.name > current.name:
            # moved into place by a run killed before its swap: never current, and left
            # there it would make prune_releases remove a release a reader may hold open
            shutil.rmtree(stand_in, ignore_errors=True)
    for run in read_runs(wh):
        if run.get("status") == "running":
            published = current is not None and current.name == run["run_id"]
            write_run(wh, {**run, "status": "succeeded" if published else "interrupted",
                           "error": run.get("error") or "the process stopped before it "
                           "finished (killed?)" + (", after publishing" if published else "")})


# -- datasets of a release -----------------------------------------------------------------

PUBLISHED, STATE = "parquet", "state"
FILES, SKETCHES = "files", "sketches"  # state datasets (schemas in transforms/schemas.py)
FILES_SCHEMA = schemas.FILES
STATE_SCHEMAS: dict[str, pa.Schema] = {FILES: schemas.FILES, SKETCHES: schemas.SKETCHES}


def release_table_dir(release: Path, table: str, folder: str = PUBLISHED) -> Path:
    return release / folder / table


def table_key(name: str) -> str:
    """The column whose value decides whether a row goes when the run replaces something."""
    return "source_uri" if name in ("rejects", FILES) else "article_id"


def table_partition(schema: pa.Schema) -> str | None:
    return schemas.PARTITION if schemas.PARTITION in schema.names else None


def row_counts(release: Path | None) -> dict[str, int]:
    """Rows per table: from the release's own record, else from the Parquet footers."""
    if release is None:
        return dict.fromkeys(schemas.TABLES, 0)
    record = release / "release.json"
    if record.exists():
        rows = json.loads(record.read_text(encoding="utf-8"))["rows"]
        return {name: rows.get(name, 0) for name in schemas.TABLES}
    return {name: datasets.rows_in(release_table_dir(release, name)) for name in schemas.TABLES}


def known_files(wh: Warehouse) -> Callable[[Sequence[str]], dict[str, dict[str, Any]]]:
    """A lookup of the current release's records of the given input files (a filtered scan of
    one small state table, so discovery reads what it asks about)."""
    def lookup(uris: Sequence[str]) -> dict[str, dict[str, Any]]:
        folder = release_table_dir(wh.base, FILES, STATE) if wh.base else None
        if not uris or not datasets.parquet_files(folder):
            return {}
        expr = pc.field("source_uri").isin(pa.array(sorted(set(uris)), pa.string()))
        rows = [r for b in datasets.batches_of(folder, FILES_SCHEMA, expr=expr, batch_rows=50_000)
                for r in b.to_pylist()]
        return {r["source_uri"]: r for r in rows}
    return lookup


def file_records(uris: Iterable[str], wh: Warehouse) -> dict[str, dict[str, Any]]:
    return known_files(wh)(list(uris))


def write_shard(wh: Warehouse, run_id: str, shard: int, tables: Mapping[str, pa.Table]) -> None:
    """Each extraction task writes its own files, so tasks never share memory or a writer."""
    for name, table in tables.items():
        out = wh.shard_dir(run_id, name)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".shard-{shard:05d}.parquet.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, out / f"shard-{shard:05d}.parquet")


BATCH_ROWS = 2_000


def shard_numbers(wh: Warehouse, run_id: str) -> list[int]:
    d = wh.shard_dir(run_id, "articles")
    return sorted(int(f.stem.split("-")[1]) for f in d.glob("shard-*.parquet")) \
        if d.exists() else []


def shard_table(wh: Warehouse, run_id: str, name: str, shards: Iterable[int]) -> pa.Table:
    """The rows the given shards extracted for one table, in the table's schema."""
    schema = schemas.TABLES[name]
    files = [wh.shard_dir(run_id, name) / f"shard-{n:05d}.parquet" for n in shards]
    parts = [pq.read_table(f).select(schema.names).cast(schema) for f in files if f.exists()]
    return pa.concat_tables(parts) if parts else schema.empty_table()


def shard_batches(wh: Warehouse, run_id: str, name: str) -> Iterator[pa.RecordBatch]:
    schema = schemas.TABLES[name]
    d = wh.shard_dir(run_id, name)
    for f in sorted(d.glob("*.parquet")) if d.exists() else []:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=BATCH_ROWS):
            if batch.num_rows:
                yield pa.RecordBatch.from_arrays(
                    [batch.column(n).cast(schema.field(n).type) for n in schema.names],
                    schema=schema)


def write_table(release: Path, name: str, batches: Iterator[pa.RecordBatch],
                folder: str = PUBLISHED) -> None:
    """Stream batches into a fresh dataset of the release (hive-partitioned by month)."""
    schema = schemas.TABLES[name]
    out = release_table_dir(release, name, folder)
    datasets.appended(out, batches, "part", schema, table_partition(schema))
    datasets.ensure_readable(out, schema)


def write_release_tables(release: Path, tables: Mapping[str, pa.Table]) -> None:
    for name, table in tables.items():
        write_table(release, name, iter(table.to_batches(max_chunksize=BATCH_ROWS)))


def write_single(release: Path, name: str, table: pa.Table, folder: str = PUBLISHED) -> None:
    """A corpus table or a state table: small by design, rewritten whole at every publish."""
    out = release_table_dir(release, name, folder)
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "part-0.parquet")


def read_single(release: Path | None, name: str, schema: pa.Schema,
                folder: str = PUBLISHED) -> pa.Table:
    files = datasets.parquet_files(release_table_dir(release, name, folder)) if release else []
    if not files:
        return schema.empty_table()
    return pa.concat_tables([pq.read_table(f).select(schema.names).cast(schema) for f in files])


# -- DuckDB ----------------------------------------------------------------------------------

RAW_SCHEMA = catalog.RAW


def parquet_glob(release: Path, name: str) -> str:
    return catalog.sql_literal(str(release_table_dir(release, name) / "**" / "*.parquet"))


def build_duckdb(release: Path, runs: pa.Table, at: Path | None = None) -> Path:
    """The release's DuckDB file: views over its own Parquet (nothing copied, so its cost does
    not grow with the warehouse), the run history as a table, the marts of warehouse/*.sql.
    The rows as extraction stored them are in schema ``raw``; the tables readers query apply
    the corpus-level decisions to them (warehouse/tables.sql). ``at``: where the release's
    folder will be read from, when that is not where it is being built."""
    path = release / "news.duckdb"
    tmp = release / ".news.duckdb.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"CREATE SCHEMA {RAW_SCHEMA}")
        for name, schema in {**schemas.TABLES, **schemas.CORPUS_TABLES}.items():
            datasets.ensure_readable(release_table_dir(release, name), schema)
            hive = "true" if table_partition(schema) else "false"
            con.execute(f"CREATE VIEW {RAW_SCHEMA}.{name} AS SELECT {', '.join(schema.names)} "
                        f"FROM read_parquet({parquet_glob(at or release.resolve(), name)}, "
                        f"hive_partitioning = {hive})")
        con.register("_runs", runs)
        con.execute("CREATE TABLE runs AS SELECT * FROM _runs")
        con.unregister("_runs")
        for sql_file in [resources.tables_sql(), *resources.sql_files()]:
            con.execute(sql_file.read_text(encoding="utf-8"))
        for stmt in [*catalog.comment_statements(), *catalog.view_comment_statements()]:
            con.execute(stmt)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path


# -- publish ---------------------------------------------------------------------------------

def _swap_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)  # rename(2) is atomic: readers see the old target or the new one


def _fsync_tree(root: Path) -> None:
    """What this run wrote, on disk before the swap. A file linked from the current release
    (more than one link) was flushed when that release was published: flushing it again would
    cost the whole warehouse's size, not the run's."""
    for p in [*root.rglob("*"), root]:
        with contextlib.suppress(OSError):
            if p.is_file() and not p.is_symlink() and p.stat().st_nlink > 1:
                continue
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def publish(wh: Warehouse, run_id: str, staged_release: Path) -> Path:
    """Move a fully written and validated release into place and make it current."""
    _fsync_tree(staged_release)
    release = wh.root / "releases" / run_id
    if release.is_symlink():  # left by load_duckdb's stand-in, or by a run killed in it
        release.unlink()
    os.replace(staged_release, release)
    faults.fault_point("release_moved")
    for name, target in (("parquet", "current/parquet"), ("news.duckdb", "current/news.duckdb")):
        link = wh.root / name
        if not link.is_symlink():
            _swap_symlink(link, target)
    _swap_symlink(wh.root / "current", f"releases/{run_id}")
    faults.fault_point("swapped")
    prune_releases(wh, keep=release)
    return release


def prune_releases(wh: Warehouse, keep: Path) -> None:
    """Keep the newest releases so that readers holding an old one open can finish. Files a
    newer release shares stay: a hard link is removed, not the bytes it shares."""
    releases = sorted((wh.root / "releases").iterdir(), key=lambda p: p.name)
    for r in releases:
        if r.is_symlink() and r.resolve() != keep.resolve():
            r.unlink()
    releases = [r for r in releases if not r.is_symlink()]
    stale = [r for r in releases[:-KEEP_RELEASES] if r.resolve() != keep.resolve()]
    for r in stale:
        shutil.rmtree(r, ignore_errors=True)


def write_release_record(release: Path, run_id: str, rows: Mapping[str, int],
                         root: Path) -> None:
    """The release's row counts, and where its views read from (``root``)."""
    record = {"run_id": run_id, "rows": dict(rows), "root": str(root)}
    tmp = release / ".release.json.tmp"
    tmp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    os.replace(tmp, release / "release.json")


def repointed(wh: Warehouse) -> None:
    """A warehouse folder moved or copied elsewhere: its views still name the old place, so the
    current release's news.duckdb is rebuilt (views only, atomically) to read from the new one.
    A folder this process may not write is left as it is."""
    cur = wh.current
    record = cur / "release.json" if cur else None
    if cur is None or record is None or not record.exists():
        return
    data = json.loads(record.read_text(encoding="utf-8"))
    if data.get("root") == str(cur):
        return
    with contextlib.suppress(PermissionError):
        build_duckdb(cur, runs_table(read_runs(wh)))
        write_release_record(cur, data["run_id"], data["rows"], cur)


# -- run history -----------------------------------------------------------------------------

def write_run(wh: Warehouse, run: Mapping[str, Any]) -> None:
    path = wh.runs_dir / f"{run['run_id']}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(run, default=str, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def read_runs(wh: Warehouse) -> list[dict[str, Any]]:
    runs = []
    for p in sorted(wh.runs_dir.glob("*.json")):
        with contextlib.suppress(ValueError, OSError):
            runs.append(json.loads(p.read_text(encoding="utf-8")))
    return sorted(runs, key=lambda r: r["started_at"])


def runs_table(runs: Iterable[Mapping[str, Any]]) -> pa.Table:
    import datetime as dt

    def ts(v: Any) -> Any:
        return dt.datetime.fromisoformat(v) if isinstance(v, str) else v

    rows = [{**r, "started_at": ts(r.get("started_at")), "finished_at": ts(r.get("finished_at"))}
            for r in runs]
    columns = {f.name: [r.get(f.name) for r in rows] for f in schemas.RUNS}
    return pa.Table.from_pydict(columns, schema=schemas.RUNS)


def connect_readonly(wh: Warehouse) -> duckdb.DuckDBPyConnection:
    if not wh.duckdb_path.exists():
        raise FileNotFoundError(f"no warehouse at {wh.root}: run `newsflow run` first")
    repointed(wh)
    # Read-only means the machine too: no extension fetched from the network, and no file read
    # outside the warehouse (the views read their release's Parquet there); the
    # configuration is locked so a query cannot lift it. Statements that write files (COPY,
    # EXPORT) are refused by `newsflow sql` before they run.
    con = duckdb.connect(str(wh.duckdb_path), read_only=True, config={
        "autoinstall_known_extensions": False, "autoload_known_extensions": False})
    root = str(wh.root.resolve()) + os.sep
    con.execute(f"SET allowed_directories = [{catalog.sql_literal(root)}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


# -- validation of a run's rows --------------------------------------------------------------

def suites_dir() -> Path:
    """The GX suites shipped with newsflow, or the folder NEWSFLOW_EXPECTATIONS names (a team's
    own stricter suites)."""
    return Environment.read().expectations or resources.suites_dir()


VALIDATION_CHUNK = 5_000  # articles per GX validation: bounds memory on any run's size


def validated(chunks: Iterable[Mapping[str, pa.Table]], docs_dir: Path) -> Any:
    """GX over a run's rows, chunk by chunk (a chunk holds whole articles, so cross-table checks
    see all of an article's rows; keys hash their article_id, so a duplicate key from this run
    falls within one chunk)."""
    from flows.adapters.validate import ValidationResult, validate_tables  # GX costs seconds

    outcomes = [validate_tables(tables, docs_dir, suites_dir()) for tables in chunks]
    if len(outcomes) == 1:
        return outcomes[0]
    failures = tuple(f for o in outcomes for f in o.failures)
    summary = (f"{len(outcomes)} chunks of up to {VALIDATION_CHUNK} articles; "
               + ("all expectations passed" if not failures else
                  "; ".join(o.summary for o in outcomes if not o.success)))
    return ValidationResult(not failures, failures, summary, outcomes[-1].data_docs)


def readers_connection(staged: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose tables are the ones readers query: warehouse/tables.sql, run
    as news.duckdb runs it, over a schema raw of the staged release's corpus tables and of the
    article rows registered as chunk_<table> (``readers_rows``). Bound to the run's rows, not
    to the release's: through news.duckdb's own views, a few articles cost a scan of the whole
    warehouse (116 s at 100,000 articles, bench/scale_bench.py), the run's rows cost what the
    run adds."""
    con = duckdb.connect()
    con.execute(f"CREATE SCHEMA {RAW_SCHEMA}")
    for name, schema in schemas.CORPUS_TABLES.items():
        con.execute(f"CREATE VIEW {RAW_SCHEMA}.{name} AS SELECT {', '.join(schema.names)} "
                    f"FROM read_parquet({parquet_glob(staged, name)})")
    for name, schema in schemas.TABLES.items():
        con.register(f"chunk_{name}", schema.empty_table())
        con.execute(f"CREATE VIEW {RAW_SCHEMA}.{name} AS SELECT {', '.join(schema.names)} "
                    f"FROM chunk_{name}")
    con.execute(resources.tables_sql().read_text(encoding="utf-8"))
    return con


def readers_rows(con: duckdb.DuckDBPyConnection, rows: Mapping[str, pa.Table],
                 corpus: bool) -> dict[str, pa.Table]:
    """What readers will read of these article tables' rows (``readers_connection``), in each
    table's schema; with corpus, the corpus tables too."""
    for name, table in rows.items():
        con.register(f"chunk_{name}", table)
    tables = {**schemas.TABLES, **(schemas.CORPUS_TABLES if corpus else {})}
    return {name: con.execute(f"SELECT {', '.join(schema.names)} FROM {name}")
            .to_arrow_table().cast(schema) for name, schema in tables.items()}


def replace_runs(path: Path, runs: pa.Table) -> None:
    """The run history of a built news.duckdb, replaced (its comments stay)."""
    con = duckdb.connect(str(path))
    try:
        con.register("_runs", runs)
        con.execute("DELETE FROM runs; INSERT INTO runs SELECT * FROM _runs; CHECKPOINT")
    finally:
        con.close()


# -- one run's release, from staging to current ----------------------------------------------

@dataclass(frozen=True)
class Release:
    """The next release of a warehouse, as one run builds it. Its life cycle, in order:
    ``record`` the run as running; for each dataset, ``carry`` the current release's files over
    (linked, or rewritten without what the run replaces) and ``append`` the run's rows;
    ``write`` the corpus and state tables; ``load_duckdb``; ``validate`` the run's rows as the
    views give them; ``record_history``; ``publish`` (an atomic swap, then prune); ``record``
    the outcome; ``discard`` the staging
    area at the end whatever happened. Opening and locking the warehouse come before
    (``open_warehouse``, ``run_lock``), since a run that finds nothing new never builds one."""

    wh: Warehouse
    run_id: str

    @property
    def staged(self) -> Path:
        return self.wh.staging(self.run_id) / "release"

    @property
    def final(self) -> Path:
        return self.wh.root.resolve() / "releases" / self.run_id

    def record(self, run: Mapping[str, Any]) -> None:
        write_run(self.wh, run)

    def carry(self, name: str, drop: set[str], folder: str = PUBLISHED,
              months: set[str] | None = None) -> pa.Table:
        """The current release's dataset into the next, without the rows whose key is in drop;
        returns those rows. ``months``: the only month partitions that can hold them."""
        schema = STATE_SCHEMAS.get(name) or schemas.TABLES[name]
        previous = release_table_dir(self.wh.base, name, folder) if self.wh.base else None
        partition = table_partition(schema)
        folders = None if partition is None or months is None else {
            f"{partition}={m}" for m in months}
        return datasets.carried(previous, release_table_dir(self.staged, name, folder),
                                table_key(name), drop, self.run_id, schema, partition, folders)

    def previous_rows(self, name: str, schema: pa.Schema, folder: str,
                      expr: Any = None, columns: list[str] | None = None) -> pa.Table:
        """Rows of a current dataset, filtered and projected as the scan goes."""
        d = release_table_dir(self.wh.base, name, folder) if self.wh.base else None
        names = columns or schema.names
        batches = list(datasets.batches_of(d, schema, table_partition(schema), expr, names,
                                           batch_rows=65_536))
        return pa.Table.from_batches(batches, schema=pa.schema([schema.field(n) for n in names]))

    def append(self, name: str, batches: Iterable[pa.RecordBatch],
               folder: str = PUBLISHED) -> None:
        schema = STATE_SCHEMAS.get(name) or schemas.TABLES[name]
        out = release_table_dir(self.staged, name, folder)
        datasets.appended(out, batches, self.run_id, schema, table_partition(schema))
        faults.fault_point("new_files")
        datasets.compacted(out, self.run_id, schema, table_partition(schema))
        datasets.ensure_readable(out, schema)

    def shards(self) -> list[int]:
        return shard_numbers(self.wh, self.run_id)

    def shard_batches(self, name: str) -> Iterator[pa.RecordBatch]:
        return shard_batches(self.wh, self.run_id, name)

    def previous(self, name: str, schema: pa.Schema, folder: str = PUBLISHED) -> pa.Table:
        """A small table of the current release (a corpus or state table), whole; an earlier
        version's release gives its entity_ids too, so superseded ids keep their history."""
        return read_single(self.wh.current if name == "entity_ids" else self.wh.base, name,
                           schema, folder)

    def write(self, name: str, table: pa.Table, folder: str = PUBLISHED) -> None:
        write_single(self.staged, name, table, folder)

    def shard_row_count(self, name: str, shard: int | None = None) -> int:
        """Rows this run extracted for a table, or one shard of it (from file footers)."""
        d = self.wh.shard_dir(self.run_id, name)
        if shard is None:
            return datasets.rows_in(d)
        f = d / f"shard-{shard:05d}.parquet"
        return pq.ParquetFile(f).metadata.num_rows if f.exists() else 0

    def shard_chunks(self) -> Iterator[list[int]]:
        """The run's shards, in groups of about VALIDATION_CHUNK articles (at least one)."""
        group: list[int] = []
        size, shards = 0, self.shards()
        for k, n in enumerate(shards):
            group.append(n)
            size += self.shard_row_count("articles", n)
            if size >= VALIDATION_CHUNK and k < len(shards) - 1:
                yield group
                group, size = [], 0
        yield group

    def load_duckdb(self, history: Iterable[Mapping[str, Any]], rows: Mapping[str, int]) -> Path:
        """news.duckdb of the staged release, its views naming the release's final place: a
        stand-in link there lets DuckDB check them now (it binds a view when creating it)."""
        stand_in = self.final
        if stand_in.is_symlink():
            stand_in.unlink()
        os.symlink(self.staged.resolve(), stand_in)
        try:
            path = build_duckdb(self.staged, runs_table(history), at=stand_in)
            faults.fault_point("duckdb_file")
        finally:
            stand_in.unlink()
        write_release_record(self.staged, self.run_id, rows, self.final)
        return path

    def validate(self) -> Any:
        """GX over this run's rows as readers will read them (``readers_connection``: the
        views of warehouse/tables.sql), a few thousand articles at a time, the corpus tables
        with the first chunk."""
        con = readers_connection(self.staged)
        try:
            outcome = validated(
                (readers_rows(con, {name: shard_table(self.wh, self.run_id, name, group)
                                    for name in schemas.TABLES}, corpus=k == 0)
                 for k, group in enumerate(self.shard_chunks())), self.wh.data_docs_dir)
        finally:
            con.close()
        faults.fault_point("validate")
        return outcome

    def record_history(self, history: Iterable[Mapping[str, Any]]) -> None:
        """The run history in the staged news.duckdb, with this run's record as it ends."""
        replace_runs(self.staged / "news.duckdb", runs_table(history))

    def publish(self) -> Path:
        return publish(self.wh, self.run_id, self.staged)

    def discard(self) -> None:
        shutil.rmtree(self.wh.staging(self.run_id), ignore_errors=True)
