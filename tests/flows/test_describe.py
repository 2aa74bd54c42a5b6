"""The data dictionary: generated docs are up to date, and every table, view and column of a
release carries a description (COMMENT ON)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from flows.adapters import catalog
from flows.app import describe
from tests.conftest import ROOT
from tests.flows import warehouse_fixture

REGENERATE = "regenerate with: uv run python -m flows.app.describe > docs/data_dictionary.md"


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(warehouse_fixture.build(tmp_path_factory.mktemp("dict"))),
                       read_only=True)
    yield c
    c.close()


def _undescribed(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    objects = "duckdb_tables()" if kind == "table" else "duckdb_views()"
    name = "table_name" if kind == "table" else "view_name"
    missing = [f"{kind} {n}" for (n,) in con.execute(
        f"SELECT {name} FROM {objects} WHERE NOT internal AND schema_name = 'main' "
        f"AND coalesce(comment, '') = ''").fetchall()]
    missing += [f"column {t}.{c}" for t, c in con.execute(
        f"SELECT c.table_name, c.column_name FROM duckdb_columns() AS c JOIN {objects} AS o "
        f"ON o.{name} = c.table_name AND o.schema_name = c.schema_name "
        "WHERE NOT o.internal AND c.schema_name = 'main' AND coalesce(c.comment, '') = '' "
        "ORDER BY 1, c.column_index").fetchall()]
    return missing


def test_checked_in_dictionary_is_current() -> None:
    checked_in = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert checked_in == describe.dictionary_markdown(None), REGENERATE


def test_every_view_and_view_column_has_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    assert _undescribed(con, "view") == [], "add them to catalog.VIEW_DESCRIPTIONS"


def test_every_table_and_table_column_has_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    # runs is built from schemas.RUNS, which catalog.comment_statements() must cover too.
    assert _undescribed(con, "table") == [], "describe them in transforms/schemas.py"


def test_view_descriptions_name_the_real_columns() -> None:
    c = describe.empty_warehouse()
    try:
        actual = describe.view_columns(c)
    finally:
        c.close()
    for view, (_, columns) in catalog.VIEW_DESCRIPTIONS.items():
        assert list(columns) == [col for col, _ in actual[view]], view


def test_describe_one_table_or_view() -> None:
    assert "| `speaker_name` |" in describe.dictionary_markdown("speakers")
    assert "| `published_date` | date32[day] |" in describe.dictionary_markdown("articles")
    with pytest.raises(SystemExit, match="no table or view"):
        describe.dictionary_markdown("nope")
