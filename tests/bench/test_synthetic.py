"""bench/synthetic.py: 200 synthetic articles give rows of every table that match the schemas
and keep the invariants extraction keeps (so the scale benchmark publishes realistic rows)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from bench.synthetic import synthetic_shards
from transforms import schemas
from transforms.entities import id_for, label_group, name_key

N = 200


def shards(seed: int = 3) -> list[tuple[dict[str, pa.Table], object]]:
    return list(synthetic_shards(N, seed=seed, shard_articles=120))


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    parts = shards()
    return {name: pa.concat_tables([t[name] for t, _ in parts]) for name in schemas.TABLES}


def test_every_table_matches_its_schema(tables: dict[str, pa.Table]) -> None:
    assert tables["articles"].num_rows == N
    for name, schema in schemas.TABLES.items():
        assert tables[name].schema.equals(schema, check_metadata=False), name
        assert tables[name].num_rows > 0, name
        for field in schema:
            if not field.nullable:
                assert tables[name][field.name].null_count == 0, (name, field.name)


def test_ids_are_stable_across_calls_with_one_seed() -> None:
    first, again, other = shards(), shards(), shards(seed=4)
    for (a, _), (b, _) in zip(first, again, strict=True):
        for name in schemas.TABLES:
            assert a[name].equals(b[name]), name
    assert first[0][0]["articles"]["body_text"] != other[0][0]["articles"]["body_text"]


def test_keys_are_unique_and_ids_derive_as_extraction_derives_them(tables) -> None:
    for name, key in schemas.PRIMARY_KEYS.items():
        if name in tables:
            rows = list(zip(*(tables[name][c].to_pylist() for c in key), strict=True))
            assert len(rows) == len(set(rows)), name
    for a in tables["articles"].to_pylist():
        assert a["article_id"] == schemas.stable_id("article", a["source_uri"])
        assert a["published_month"] == a["published_date"].strftime("%Y-%m")
        assert dt.date(1990, 1, 1) <= a["published_date"] <= dt.date.today()
        assert a["word_count"] == len(a["body_text"].split())
    for e in tables["entities"].to_pylist():
        assert e["kind"] == label_group(e["label"]) and e["key"] == name_key(e["name"])
        assert e["entity_id"] == id_for(e["kind"], e["key"])
        assert e["mention_count"] == len(e["mentions"]) >= 1


def test_offsets_slice_their_text(tables) -> None:
    bodies = dict(zip(*(tables["articles"][c].to_pylist() for c in ("article_id", "body_text")),
                      strict=True))
    for q in tables["quotes"].to_pylist():
        body = bodies[q["article_id"]]
        assert body[q["start_char"]:q["end_char"]] == q["quote_text"]
        assert all(body[p["start"]:p["end"]] == p["text"] for p in q["parts"])
        assert 0.0 <= q["confidence"] <= 1.0
    for c in tables["claims"].to_pylist():
        body = bodies[c["article_id"]]
        assert body[c["start_char"]:c["end_char"]] == c["content_text"]
        assert body[c["cue_start"]:c["cue_end"]] == c["cue_text"]
        assert c["source_text"] is None or body[c["source_start"]:c["source_end"]] == \
            c["source_text"]
    for e in tables["entities"].to_pylist():
        body = bodies[e["article_id"]]
        assert all(body[m["start"]:m["end"]] == m["text"] for m in e["mentions"])


def test_speakers_and_sources_are_entities_of_their_article(tables) -> None:
    entities = {(e["article_id"], e["entity_id"]): e["kind"]
                for e in tables["entities"].to_pylist()}
    attributed = 0
    for name, prefix in (("quotes", "speaker"), ("claims", "source")):
        for row in tables[name].to_pylist():
            ids = row[f"{prefix}_entity_ids"]
            assert ids == ([row[f"{prefix}_entity_id"]] if row[f"{prefix}_entity_id"] else [])
            for i in ids:
                assert entities[(row["article_id"], i)] == "person"
            attributed += bool(ids)
    assert attributed > 0


def test_copies_are_planted_and_files_account_for_every_row(tables) -> None:
    bodies = tables["articles"]["body_text"].to_pylist()
    assert len(set(bodies)) == len(bodies)  # a copy is edited, never identical
    results = [r for _, r in shards()]
    files = {u: f for r in results for u, f in r.files.items()}  # type: ignore[attr-defined]
    assert sorted(a for f in files.values() for a in f.article_ids) == \
        sorted(tables["articles"]["article_id"].to_pylist())
    assert {u for f in files.values() for u in f.reject_uris} == \
        set(tables["rejects"]["source_uri"].to_pylist())


def test_rows_pass_the_great_expectations_suites(tables, tmp_path) -> None:
    from flows.adapters.validate import validate_tables

    outcome = validate_tables(tables, tmp_path)
    assert outcome.success, [str(f) for f in outcome.failures]
