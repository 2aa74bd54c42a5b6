"""Datasets as immutable Parquet files, carried from one release to the next.

A release's dataset is a folder of Parquet files (hive-partitioned by month for the article
tables). A file is written once and never changed, so the next release can share it: every
file of the previous release whose rows all stay is hard-linked into the next (one system
call, no bytes copied); only a file holding a row the run drops (a replaced article, a settled
reject) is rewritten without it. This run's rows go into new files named after the run. So a
run that adds articles writes what it adds, whatever the warehouse holds.

A dataset with no rows holds one empty file, ``PLACEHOLDER``, at its root, so that every engine
can still read it. It is never carried into the next release: beside the next run's partition
folders it would make the dataset unreadable (DuckDB refuses a file outside the hive layout),
and the next release gets its own placeholder only if it has no rows either. So a table can go
from empty to filled and back across runs.

Small files pile up run after run; when a partition holds more than ``MAX_FILES`` of them,
those below ``SMALL_FILE_BYTES`` are merged into one (LSM-style tiering): each row is rewritten
about log(runs) times over its life, and readers open a bounded number of files.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flows.adapters.faults import fault_point

MAX_FILES = 16
SMALL_FILE_BYTES = 8 << 20
ROWS_PER_GROUP = 64_000
# The empty file of a dataset with no rows (the name earlier versions gave it too, so that a
# warehouse they left with one is carried over without it).
PLACEHOLDER = "part-0.parquet"
# Where a hard link cannot be made, the file is copied: same bytes, only slower.
_COPY_ERRNOS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def parquet_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith("."))


def shared(source: Path, target: Path) -> None:
    """target as a hard link of source (a copy where the filesystem cannot link)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in _COPY_ERRNOS:
            raise
        shutil.copy2(source, target)


def is_placeholder(path: Path, root: Path) -> bool:
    """Whether the file is the root's empty stand-in (a footer read, for that one name only)."""
    return (path.name == PLACEHOLDER and path.parent == root
            and pq.ParquetFile(path).metadata.num_rows == 0)


def holds_any(path: Path, key: str, values: pa.Array) -> bool:
    """Whether the file has a row whose key is among values (reads the key column only)."""
    column = pq.read_table(path, columns=[key]).column(key)
    return bool(pc.any(pc.is_in(column, value_set=values)).as_py())


def _partitioning(schema: pa.Schema, partition: str | None) -> ds.Partitioning | None:
    if partition is None:
        return None
    return ds.partitioning(pa.schema([(partition, pa.string())]), flavor="hive")


def file_rows(path: Path, root: Path, schema: pa.Schema, partition: str | None) -> pa.Table:
    """A file's rows with its partition value, in the dataset's schema."""
    table = pq.read_table(path)
    if partition is not None and partition not in table.column_names:
        value = next(part.split("=", 1)[1] for part in path.relative_to(root).parts
                     if part.startswith(f"{partition}="))
        table = table.append_column(partition, pa.array([value] * table.num_rows, pa.string()))
    return table.select(schema.names).cast(schema)


def carried(previous: Path | None, out: Path, key: str, drop: set[str], run_id: str,
            schema: pa.Schema, partition: str | None = None,
            folders: set[str] | None = None) -> pa.Table:
    """The previous release's dataset into out: files linked, or rewritten without the rows
    whose key is in drop, the placeholder of an empty dataset left behind. Only files in
    ``folders`` (partition folder names), when given, can hold such rows. Returns the dropped
    rows (the entity step subtracts them)."""
    if previous is None:
        return schema.empty_table()
    values = pa.array(sorted(drop), pa.string())
    touched: list[tuple[int, Path]] = []
    for n, f in enumerate(parquet_files(previous)):
        if is_placeholder(f, previous):
            continue
        outside = folders is not None and f.parent.name not in folders
        if not drop or outside or not holds_any(f, key, values):
            shared(f, out / f.relative_to(previous))
        else:
            touched.append((n, f))
    fault_point("carry_links")
    dropped: list[pa.Table] = []
    for n, f in touched:
        rows = file_rows(f, previous, schema, partition)
        gone = pc.is_in(rows.column(key), value_set=values)
        dropped.append(rows.filter(gone))
        kept = rows.filter(pc.invert(gone))
        if kept.num_rows:
            name = (out / f.relative_to(previous)).with_name(f"{run_id}-r{n:05d}.parquet")
            name.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(kept.drop_columns([partition]) if partition else kept, name,
                           row_group_size=ROWS_PER_GROUP)
    if touched:
        fault_point("carry_rewrites")
    return pa.concat_tables(dropped) if dropped else schema.empty_table()


def appended(out: Path, batches: Iterable[pa.RecordBatch], run_id: str, schema: pa.Schema,
             partition: str | None = None) -> None:
    """This run's rows as new files of the dataset (names carry the run id, so they never
    clash with the files carried over)."""
    ds.write_dataset(batches, out, schema=schema, format="parquet",
                     partitioning=_partitioning(schema, partition),
                     existing_data_behavior="overwrite_or_ignore",
                     basename_template=f"{run_id}-{{i}}.parquet",
                     max_rows_per_group=ROWS_PER_GROUP)


def compacted(out: Path, run_id: str, schema: pa.Schema, partition: str | None = None) -> None:
    """Merge the small files of every folder holding more than MAX_FILES."""
    folders = {f.parent for f in parquet_files(out)}
    for folder in sorted(folders):
        files = [f for f in sorted(folder.glob("*.parquet")) if not f.name.startswith(".")]
        small = [f for f in files if f.stat().st_size < SMALL_FILE_BYTES]
        if len(files) <= MAX_FILES or len(small) < 2:
            continue
        merged = pa.concat_tables([file_rows(f, out, schema, partition) for f in small])
        if partition:
            merged = merged.drop_columns([partition])
        tmp = folder / f".{run_id}-c.parquet.tmp"
        pq.write_table(merged, tmp, row_group_size=ROWS_PER_GROUP)
        os.replace(tmp, folder / f"{run_id}-c.parquet")
        for f in small:
            f.unlink()


def ensure_readable(out: Path, schema: pa.Schema) -> None:
    """An empty dataset still gets one (empty) file, so every engine can read it; a dataset
    with rows never has one."""
    if not parquet_files(out):
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(schema.empty_table(), out / PLACEHOLDER)


def rows_in(folder: Path | None) -> int:
    """Rows of a dataset from its files' footers, without reading data."""
    return sum(pq.ParquetFile(f).metadata.num_rows for f in parquet_files(folder))


def batches_of(folder: Path | None, schema: pa.Schema, partition: str | None = None,
               expr: ds.Expression | None = None, columns: list[str] | None = None,
               batch_rows: int = 2_000) -> Iterator[pa.RecordBatch]:
    """A dataset's rows, streamed (optionally filtered and projected)."""
    if not parquet_files(folder):
        return
    dataset = ds.dataset(str(folder), schema=schema, format="parquet",
                         partitioning=_partitioning(schema, partition))
    names = columns or schema.names
    for batch in dataset.to_batches(filter=expr, columns=names, batch_size=batch_rows):
        if batch.num_rows:
            yield batch
