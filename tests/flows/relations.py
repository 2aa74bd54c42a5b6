"""What a warehouse gives its readers, for comparing two warehouses: every table and view of
its DuckDB, rows sorted as text, history aside (the runs table, run ids and times, and
superseded ids), since incremental runs must equal one go in everything else."""

from __future__ import annotations

from pathlib import Path

import duckdb

# columns that record when or by which run a row was written, not what the documents say
HISTORY_COLUMNS = {"ingested_at", "seen_at", "run_id", "superseded_ids"}
HISTORY_TABLES = {"runs"}


def relations(warehouse: Path) -> dict[str, list[str]]:
    """Every table and view of the warehouse's DuckDB, rows sorted as text, history aside."""
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        out = {}
        for name in sorted(set(names) - HISTORY_TABLES):
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [name]).fetchall() if r[0] not in HISTORY_COLUMNS]
            where = " WHERE merged_into IS NULL" if name == "entity_ids" else ""
            rows = con.execute(f'SELECT {", ".join(cols)} FROM "{name}"{where}').fetchall()
            out[name] = sorted(repr(r) for r in rows)
        return out
    finally:
        con.close()
