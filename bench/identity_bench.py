"""Benchmark of the corpus-level entity step (transforms/identity.py) on a warehouse's rows.

    uv run python bench/identity_bench.py --warehouse WAREHOUSE [--scale 8]

Reads the entities table of a warehouse a `newsflow run` built, then times the step as a
publish runs it: fold every row into the resolver's state, resolve, build the registry and the
id map (the rows themselves are resolved where they are read, by news.duckdb's views).
Then the same on the rows repeated --scale times as new articles (the
benchmark's 8x corpus: more articles, the same people) and on --scale times as many distinct
names (every copy's names made unique: the worst case for memory), printing seconds and the
peak traced memory of the step (its state: the rows are streamed) for each.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms import identity  # noqa: E402

COLUMNS = ["article_id", "entity_id", "kind", "key", "label", "name", "aliases",
           "mention_count", "mentions"]


def rows_of(warehouse: Path) -> list[dict[str, Any]]:
    table = ds.dataset(str(warehouse / "parquet" / "entities"), format="parquet").to_table(
        columns=COLUMNS)
    return table.to_pylist()


def scaled(rows: list[dict[str, Any]], scale: int, distinct: bool) -> Iterator[dict[str, Any]]:
    for k in range(scale):
        for r in rows:
            if not distinct or k == 0:
                yield {**r, "article_id": f"{r['article_id']}-{k}"}
                continue
            yield {**r, "article_id": f"{r['article_id']}-{k}", "key": _tagged(r["key"], k),
                   "name": _tagged(r["name"], k),
                   "aliases": [_tagged(a, k) for a in r["aliases"]]}


def _tagged(name: str, k: int) -> str:
    """Every word of a name made another word, so copies are other people with names of the
    same shape ("Donald3 Trump3")."""
    return " ".join(f"{w}{k}" for w in name.split())


def step(make_rows: Any, trace: bool) -> tuple[float, int, int]:
    """(seconds to fold and resolve, peak traced bytes, distinct names) of one corpus-level
    step; rows stream from ``make_rows()``, as the publish reads them. Tracing memory slows
    Python several times, so times come from an untraced run."""
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    corpus = identity.Corpus()
    for r in make_rows():
        corpus.add([r])
    resolved = identity.resolve(corpus)
    identity.registry(corpus, resolved)
    identity.id_map(resolved)
    t1 = time.perf_counter()
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return t1 - t0, peak, len(corpus.names)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--scale", type=int, default=8)
    a = ap.parse_args()
    if not (a.warehouse / "parquet" / "entities").is_dir():
        print(f"no entities table under {a.warehouse}: run `newsflow run` first", file=sys.stderr)
        return 2
    rows = rows_of(a.warehouse)  # the input itself is held here, outside the traced step
    articles = len({r["article_id"] for r in rows})
    print(f"{articles:,} articles, {len(rows):,} entity rows")
    for label, make in (("corpus", lambda: iter(rows)),
                        (f"x{a.scale} articles", lambda: scaled(rows, a.scale, False)),
                        (f"x{a.scale} distinct names", lambda: scaled(rows, a.scale, True))):
        fold, _, names = step(make, trace=False)
        peak = step(make, trace=True)[1]
        print(f"{label}: fold+resolve {fold:.2f}s, peak "
              f"{peak / 2**20:,.1f} MiB traced, {names:,} distinct names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
