"""The same flow on a real local Dask cluster (two worker processes) through prefect-dask gives
the same tables as the default runner."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from flows.run.launch import run
from flows.run.records import Settings
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow

EXTRA = {
    "b.txt": "Senate Passes Budget\n\nThe Senate passed the budget on Friday. “This is a good "
             "day for taxpayers,” Senator Jane Miller said. Critics said the plan would raise "
             "the deficit.\n",
    "c.txt": "Mayor Opens Bridge\n\nMayor Tom Baker opened the new bridge on Monday. He said "
             "the project came in under budget, according to city officials.\n",
}
COMPARE = {
    "articles": "article_id, title, body_text, word_count, published_date",
    "quotes": "quote_id, quote_text, speaker_name, start_char, end_char",
    "claims": "claim_id, content_text, source_text, kind",
    "entities": "article_id, entity_id, name, label, mention_count",
    "captions": "caption_id, photographer, agency",
}


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall()
                for t, cols in COMPARE.items()}
    finally:
        con.close()


def test_dask_runner_matches_default(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for name, text in EXTRA.items():
        (seeds / name).write_text(text, encoding="utf-8")
    local = Settings(seeds=seeds, warehouse=tmp_path / "local", shard_docs=1)
    dask = replace(local, warehouse=tmp_path / "dask", runner="dask", workers=2)
    assert run(local).status == "succeeded"
    summary = run(dask)
    assert summary.status == "succeeded"
    expected, got = tables(local.warehouse), tables(dask.warehouse)
    assert len(expected["articles"]) == 3
    assert got == expected
