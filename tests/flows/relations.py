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
    """Every table and view of the warehouse's DuckDB (schema raw too, as ``raw.<name>``), rows
    sorted as text, history aside."""
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        names = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                            "ORDER BY 1, 2").fetchall()
        out = {}
        for schema, name in names:
            if name in HISTORY_TABLES:
                continue
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()
                if r[0] not in HISTORY_COLUMNS]
            where = " WHERE merged_into IS NULL" if name == "entity_ids" else ""
            qualified = name if schema == "main" else f"{schema}.{name}"
            rows = con.execute(f'SELECT {", ".join(cols)} FROM {schema}."{name}"{where}')
            out[qualified] = sorted(repr(r) for r in rows.fetchall())
        return out
    finally:
        con.close()
