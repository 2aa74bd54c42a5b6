"""The release life cycle, and the only writer: open, lock, stage, validate, publish, prune and
record. A run's flow drives one ``Release`` through these steps in order.

Layout of a warehouse directory::

    current -> releases/<run_id>        the single commit point (an atomic symlink swap)
    parquet -> current/parquet          stable paths for users and BI tools
    news.duckdb -> current/news.duckdb
    releases/<run_id>/parquet/<table>/published_month=YYYY-MM/*.parquet
    releases/<run_id>/extracted/<table>/...  the extraction's own rows of the tables the corpus
                                        step rewrites (article-level ids): what the next
                                        publish resolves from, never its own earlier output
    releases/<run_id>/news.duckdb       tables loaded from that release's Parquet, plus views
    releases/<run_id>/manifest.json     input file -> content hash and article ids
    staging/<run_id>/                   work in progress; never read by anyone else
    runs/<run_id>.json                  run history
    data_docs/                          Great Expectations Data Docs of the last validation

A run writes everything under staging/, validates it, moves it to releases/ and only then
swaps ``current``. A killed run leaves at most an orphan staging folder, which the next run
removes; readers see the old release or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.adapters import catalog, resources
from transforms import schemas

KEEP_RELEASES = 2


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


@dataclass(frozen=True)
class Warehouse:
    root: Path

    @property
    def current(self) -> Path | None:
        link = self.root / "current"
        return link.resolve() if link.is_symlink() and link.resolve().exists() else None

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


def owner_only_umask() -> int:
    """Files this process creates from now on are readable only by their owner (news corpora
    can be licensed material), unless NEWSFLOW_UMASK (octal, e.g. 027) says otherwise."""
    mask = int(os.environ.get("NEWSFLOW_UMASK", "077"), 8)
    os.umask(mask)
    return mask


def open_warehouse(root: Path) -> Warehouse:
    """The warehouse at root, created owner-only (news corpora can be licensed material)."""
    owner_only_umask()  # covers what GX, DuckDB and pyarrow create under root too
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for sub in ("releases", "staging", "runs"):
        (root / sub).mkdir(exist_ok=True, mode=0o700)
    return Warehouse(root)


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
    for run in read_runs(wh):
        if run.get("status") == "running":
            published = current is not None and current.name == run["run_id"]
            write_run(wh, {**run, "status": "succeeded" if published else "interrupted",
                           "error": run.get("error") or "the process stopped before it "
                           "finished (killed?)" + (", after publishing" if published else "")})


# -- manifest: what the current release was built from -------------------------------------

def read_manifest(wh: Warehouse) -> dict[str, Any]:
    cur = wh.current
    if cur is None or not (cur / "manifest.json").exists():
        return {"files": {}}
    return dict(json.loads((cur / "manifest.json").read_text(encoding="utf-8")))


# -- shards written by extraction tasks ------------------------------------------------------

def write_shard(wh: Warehouse, run_id: str, shard: int, tables: Mapping[str, pa.Table]) -> None:
    """Each extraction task writes its own files, so tasks never share memory or a writer."""
    for name, table in tables.items():
        out = wh.shard_dir(run_id, name)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".shard-{shard:05d}.parquet.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, out / f"shard-{shard:05d}.parquet")


PUBLISHED, EXTRACTED = "parquet", "extracted"


def release_table_dir(release: Path, table: str, folder: str = PUBLISHED) -> Path:
    return release / folder / table


def row_counts(release: Path | None) -> dict[str, int]:
    """Rows per table from Parquet footers, without reading any data."""
    counts = {}
    for name in schemas.TABLES:
        d = release_table_dir(release, name) if release else None
        files = sorted(d.rglob("*.parquet")) if d and d.exists() else []
        counts[name] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return counts


BATCH_ROWS = 2_000


def _partitioning():  # type: ignore[no-untyped-def]
    import pyarrow.dataset as ds

    return ds.partitioning(pa.schema([(schemas.PARTITION, pa.string())]), flavor="hive")


def table_batches(release: Path | None, name: str, column: str | None = None,
                  keep: set[str] | None = None, drop: set[str] | None = None,
                  folder: str = PUBLISHED) -> Iterator[pa.RecordBatch]:
    """A release's table as record batches, optionally only rows whose column value is in
    keep / not in drop. Streams: memory stays bounded whatever the table's size."""
    import pyarrow.dataset as ds

    schema = schemas.TABLES[name]
    d = release_table_dir(release, name, folder) if release else None
    if d is None or not d.exists() or not any(d.rglob("*.parquet")):
        return
    partitioning = _partitioning() if schemas.PARTITION in schema.names else None
    dataset = ds.dataset(str(d), schema=schema, format="parquet", partitioning=partitioning)
    expr = None
    if column and keep is not None:
        expr = pc.field(column).isin(pa.array(sorted(keep), pa.string()))
    elif column and drop:
        expr = ~pc.field(column).isin(pa.array(sorted(drop), pa.string()))
    for batch in dataset.to_batches(filter=expr, batch_size=BATCH_ROWS):
        if batch.num_rows:
            yield batch.select(schema.names)


def shard_batches(wh: Warehouse, run_id: str, name: str) -> Iterator[pa.RecordBatch]:
    schema = schemas.TABLES[name]
    d = wh.shard_dir(run_id, name)
    for f in sorted(d.glob("*.parquet")) if d.exists() else []:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=BATCH_ROWS):
            if batch.num_rows:
                yield pa.RecordBatch.from_arrays(
                    [batch.column(n).cast(schema.field(n).type) for n in schema.names],
                    schema=schema)


def merged_batches(wh: Warehouse, run_id: str, name: str, replaced_articles: set[str],
                   resolved_uris: set[str]) -> Iterator[pa.RecordBatch]:
    """The next release's rows of one table: the current release minus what this run replaces,
    then the rows this run extracted. Old rejects are dropped for inputs seen again."""
    if name == "rejects":
        yield from table_batches(wh.current, name, "source_uri", drop=resolved_uris)
    else:
        yield from table_batches(wh.current, name, "article_id", drop=replaced_articles)
    yield from shard_batches(wh, run_id, name)


def extracted_batches(wh: Warehouse, run_id: str, name: str,
                      replaced_articles: set[str]) -> Iterator[pa.RecordBatch]:
    """The next release's extracted rows of a table the corpus step rewrites: the current
    release's extracted rows minus what this run replaces, then this run's shards. A release
    written before extracted rows were kept gives its published rows instead."""
    cur = wh.current
    folder = EXTRACTED if cur is not None and release_table_dir(cur, name, EXTRACTED).exists() \
        else PUBLISHED
    yield from table_batches(cur, name, "article_id", drop=replaced_articles, folder=folder)
    yield from shard_batches(wh, run_id, name)


def write_table(release: Path, name: str, batches: Iterator[pa.RecordBatch],
                folder: str = PUBLISHED) -> None:
    """Stream batches into the release's dataset for the table (hive-partitioned by month)."""
    import pyarrow.dataset as ds

    schema = schemas.TABLES[name]
    out = release_table_dir(release, name, folder)
    partitioned = schemas.PARTITION in schema.names
    ds.write_dataset(batches, out, schema=schema, format="parquet",
                     partitioning=_partitioning() if partitioned else None,
                     existing_data_behavior="error", basename_template="part-{i}.parquet",
                     max_rows_per_group=64_000)
    if not any(out.rglob("*.parquet")):  # keep an empty table readable by every engine
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(schema.empty_table(), out / "part-0.parquet")


def write_release_tables(release: Path, tables: Mapping[str, pa.Table]) -> None:
    for name, table in tables.items():
        write_table(release, name, iter(table.to_batches(max_chunksize=BATCH_ROWS)))


# -- DuckDB ----------------------------------------------------------------------------------

def build_duckdb(release: Path, runs: pa.Table) -> Path:
    """A self-contained DuckDB file for the release: tables copied from its Parquet (so a
    reader never depends on files a later run may delete), views from warehouse/*.sql."""
    path = release / "news.duckdb"
    tmp = release / ".news.duckdb.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        for name, schema in {**schemas.TABLES, **schemas.CORPUS_TABLES}.items():
            d = release_table_dir(release, name)
            con.register("_empty", schema.empty_table())
            if d.exists() and any(d.rglob("*.parquet")):
                glob = catalog.sql_literal(str(d / "**" / "*.parquet"))
                con.execute(f"CREATE TABLE {name} AS SELECT {', '.join(schema.names)} FROM "
                            f"read_parquet({glob}, hive_partitioning = true, union_by_name = true)")
            else:
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM _empty")
            con.unregister("_empty")
        con.register("_runs", runs)
        con.execute("CREATE TABLE runs AS SELECT * FROM _runs")
        con.unregister("_runs")
        for sql_file in resources.sql_files():
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
    for p in [*root.rglob("*"), root]:
        with contextlib.suppress(OSError):
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def publish(wh: Warehouse, run_id: str, staged_release: Path) -> Path:
    """Move a fully written and validated release into place and make it current."""
    _fsync_tree(staged_release)
    release = wh.root / "releases" / run_id
    os.replace(staged_release, release)
    for name, target in (("parquet", "current/parquet"), ("news.duckdb", "current/news.duckdb")):
        link = wh.root / name
        if not link.is_symlink():
            _swap_symlink(link, target)
    _swap_symlink(wh.root / "current", f"releases/{run_id}")
    prune_releases(wh, keep=release)
    return release


def prune_releases(wh: Warehouse, keep: Path) -> None:
    """Keep the newest releases so that readers holding an old one open can finish."""
    releases = sorted((wh.root / "releases").iterdir(), key=lambda p: p.name)
    stale = [r for r in releases[:-KEEP_RELEASES] if r.resolve() != keep.resolve()]
    for r in stale:
        shutil.rmtree(r, ignore_errors=True)


def write_manifest(release: Path, manifest: Mapping[str, Any]) -> None:
    (release / "manifest.json").write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")


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
    # Read-only means the machine too: no COPY ... TO a file, no reading other files, no
    # extension fetched from the network. The release's tables and views are all inside the file.
    return duckdb.connect(str(wh.duckdb_path), read_only=True, config={
        "enable_external_access": False, "autoinstall_known_extensions": False,
        "autoload_known_extensions": False})


# -- validation of a staged release ----------------------------------------------------------

def suites_dir() -> Path:
    """The GX suites shipped with newsflow, or the folder NEWSFLOW_EXPECTATIONS names (a team's
    own stricter suites)."""
    return Path(os.environ.get("NEWSFLOW_EXPECTATIONS", resources.suites_dir()))


VALIDATION_CHUNK = 5_000  # articles per GX validation: bounds memory on any corpus size


def validate_staged(staged: Path, docs_dir: Path) -> Any:
    """GX over a staged release, a chunk of articles (with all their rows) at a time, so
    that memory does not grow with the corpus. Keys hash their article_id, so a duplicate
    key always falls within one chunk."""
    from flows.adapters.validate import ValidationResult, validate_tables  # GX costs seconds

    ids = [a for b in table_batches(staged, "articles") for a in b.column("article_id").to_pylist()]
    chunks = [ids[i:i + VALIDATION_CHUNK] for i in range(0, len(ids), VALIDATION_CHUNK)] or [[]]
    outcomes = []
    for k, chunk in enumerate(chunks):
        keep = set(chunk)
        tables = {name: pa.Table.from_batches(
            list(table_batches(staged, name, "article_id", keep=keep)),
            schema=schemas.TABLES[name]) for name in schemas.ARTICLE_TABLES}
        if k == 0:
            tables["rejects"] = pa.Table.from_batches(
                list(table_batches(staged, "rejects")), schema=schemas.REJECTS)
            id_table = release_table_dir(staged, "entity_ids")
            if id_table.exists():
                tables["entity_ids"] = pq.read_table(id_table, schema=schemas.ENTITY_IDS)
        outcomes.append(validate_tables(tables, docs_dir, suites_dir()))
    if len(outcomes) == 1:
        return outcomes[0]
    failures = tuple(f for o in outcomes for f in o.failures)
    summary = (f"{len(outcomes)} chunks of up to {VALIDATION_CHUNK} articles; "
               + ("all expectations passed" if not failures else
                  "; ".join(o.summary for o in outcomes if not o.success)))
    return ValidationResult(not failures, failures, summary, outcomes[-1].data_docs)


# -- one run's release, from staging to current ----------------------------------------------

@dataclass(frozen=True)
class Release:
    """The next release of a warehouse, as one run builds it. Its life cycle, in order:
    ``record`` the run as running, ``stage`` each table (the current release's rows minus what
    the run replaces, plus the run's shards), ``validate`` it, ``load_duckdb``, ``publish`` (an
    atomic swap, then prune), ``record`` the outcome; ``discard`` the staging area at the end
    whatever happened. Opening and locking the warehouse come before (``open_warehouse``,
    ``run_lock``), since a run that finds nothing new never builds a release."""

    wh: Warehouse
    run_id: str

    @property
    def staged(self) -> Path:
        return self.wh.staging(self.run_id) / "release"

    def record(self, run: Mapping[str, Any]) -> None:
        write_run(self.wh, run)

    def manifest(self) -> dict[str, Any]:
        """What the current release was built from."""
        return read_manifest(self.wh)

    def merged(self, name: str, replaced: set[str], resolved: set[str],
               ) -> Iterator[pa.RecordBatch]:
        return merged_batches(self.wh, self.run_id, name, replaced, resolved)

    def extracted(self, name: str, replaced: set[str]) -> Iterator[pa.RecordBatch]:
        return extracted_batches(self.wh, self.run_id, name, replaced)

    def stage(self, name: str, batches: Iterator[pa.RecordBatch],
              folder: str = PUBLISHED) -> None:
        write_table(self.staged, name, batches, folder)

    def staged_row_counts(self) -> dict[str, int]:
        return row_counts(self.staged)

    def validate(self) -> Any:
        return validate_staged(self.staged, self.wh.data_docs_dir)

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        write_manifest(self.staged, manifest)

    def load_duckdb(self, history: Iterable[Mapping[str, Any]]) -> Path:
        return build_duckdb(self.staged, runs_table(history))

    def publish(self) -> Path:
        return publish(self.wh, self.run_id, self.staged)

    def discard(self) -> None:
        shutil.rmtree(self.wh.staging(self.run_id), ignore_errors=True)
