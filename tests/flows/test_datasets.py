"""Datasets carried between releases (flows/adapters/datasets.py) and discovery by size and
mtime (flows/run/records.py): what a run reads and writes, on real files."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.adapters import datasets
from flows.run.records import FileResult, plan_work

SCHEMA = pa.schema([pa.field("article_id", pa.string(), nullable=False),
                    pa.field("x", pa.int64()),
                    pa.field("published_month", pa.string(), nullable=False)])
PARTITION = "published_month"


def rows(*items: tuple[str, int, str]) -> list[pa.RecordBatch]:
    return pa.Table.from_pylist([{"article_id": a, "x": x, "published_month": m}
                                 for a, x, m in items], schema=SCHEMA).to_batches()


def content(folder: Path) -> list[tuple]:
    out = []
    for f in datasets.parquet_files(folder):
        t = datasets.file_rows(f, folder, SCHEMA, PARTITION)
        out += [tuple(r.values()) for r in t.to_pylist()]
    return sorted(out)


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    out = tmp_path / "r1" / "t"
    datasets.appended(out, rows(("a", 1, "2024-01"), ("b", 2, "2024-01")), "r1", SCHEMA,
                      PARTITION)
    datasets.appended(out, rows(("c", 3, "2024-02")), "r2", SCHEMA, PARTITION)
    return out


def inodes(folder: Path) -> dict[str, int]:
    return {str(f.relative_to(folder)): f.stat().st_ino for f in datasets.parquet_files(folder)}


@pytest.mark.parametrize(("drop", "folders", "rewritten", "left"), [
    (set(), None, set(), ["a", "b", "c"]),                    # nothing replaced: all linked
    ({"zz"}, None, set(), ["a", "b", "c"]),                   # an id nobody holds: all linked
    ({"b"}, None, {"published_month=2024-01"}, ["a", "c"]),   # only b's file is rewritten
    ({"c"}, {"published_month=2024-02"}, {"published_month=2024-02"}, ["a", "b"]),
    ({"c"}, {"published_month=2024-01"}, set(), ["a", "b", "c"]),  # c is not looked for there
    ({"a", "b"}, None, {"published_month=2024-01"}, ["c"]),   # a file left empty is not kept
])
def test_carried_links_what_stays_and_rewrites_what_loses_a_row(
        tmp_path: Path, previous: Path, drop: set[str], folders: set[str] | None,
        rewritten: set[str], left: list[str]) -> None:
    out = tmp_path / "r3" / "t"
    gone = datasets.carried(previous, out, "article_id", drop, "r3", SCHEMA, PARTITION, folders)
    assert [r[0] for r in content(out)] == left
    assert sorted(gone.column("article_id").to_pylist()) == sorted(
        {"a", "b", "c"} - set(left))
    before, after = inodes(previous), inodes(out)
    shared = {k for k in after if before.get(k) == after[k]}
    assert {str(Path(k).parent) for k in before if k not in shared} == rewritten
    assert all(os.stat(previous / k).st_nlink == 2 for k in shared)


def test_appended_files_carry_the_run_id_and_small_files_are_merged(tmp_path: Path) -> None:
    out = tmp_path / "t"
    for n in range(datasets.MAX_FILES + 2):
        datasets.appended(out, rows((f"id{n}", n, "2024-03")), f"run{n:02d}", SCHEMA, PARTITION)
        datasets.compacted(out, f"run{n:02d}", SCHEMA, PARTITION)
    files = datasets.parquet_files(out)
    assert len(files) <= datasets.MAX_FILES
    assert sorted(r[1] for r in content(out)) == list(range(datasets.MAX_FILES + 2))
    assert all(f.name.startswith("run") for f in files)


def test_an_empty_dataset_still_has_a_readable_file(tmp_path: Path) -> None:
    out = tmp_path / "t"
    datasets.ensure_readable(out, SCHEMA)
    (only,) = datasets.parquet_files(out)
    assert pq.read_table(only).num_rows == 0 and datasets.rows_in(out) == 0


# -- discovery: hash only what size and mtime cannot vouch for -----------------------------

def record(path: Path, root: Path, sha: str) -> dict:
    st = path.stat()
    return {path.relative_to(root).as_posix(): {
        **FileResult(sha).__dict__, "sha256": sha, "size": st.st_size,
        "mtime_ns": st.st_mtime_ns}}


def test_discovery_reads_only_files_whose_size_or_mtime_changed(tmp_path: Path) -> None:
    from flows.run.records import file_sha256

    root = tmp_path / "in"
    root.mkdir()
    same, touched, edited = (root / n for n in ("same.txt", "touched.txt", "edited.txt"))
    for f in (same, touched, edited):
        f.write_text(f"story {f.name}\n", encoding="utf-8")
    known = {k: v for f in (same, touched, edited) for k, v in
             record(f, root, file_sha256(f)).items()}
    (root / "new.txt").write_text("a new story\n", encoding="utf-8")
    os.utime(touched, ns=(1, 1))  # same bytes, another mtime: read, and found unchanged
    edited.write_text("story edited.txt, changed\n", encoding="utf-8")

    def lookup(uris):  # type: ignore[no-untyped-def]
        return {u: known[u] for u in uris if u in known}

    plan = plan_work(root, lookup)
    assert sorted(src.source_uri for src, _ in plan.todo) == ["edited.txt", "new.txt"]
    assert (plan.new, plan.changed, plan.unchanged, plan.hashed) == (1, 1, 2, 3)
    full = plan_work(root, lookup, full_check=True)
    assert full.hashed == 4 and [s.source_uri for s, _ in full.todo] == [
        s.source_uri for s, _ in plan.todo]
