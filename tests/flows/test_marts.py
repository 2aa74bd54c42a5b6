"""The marts of warehouse/*.sql on a small hand-checked warehouse (warehouse_fixture.py), built
by the same code as a release: storage.write_release_tables + storage.build_duckdb."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.flows import warehouse_fixture

D1, D2, D3 = dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warehouse_fixture.build(tmp_path_factory.mktemp("marts"))


@pytest.fixture()
def con(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def test_speakers(con: duckdb.DuckDBPyConnection) -> None:
    got = {r[1]: r for r in rows(con, "SELECT * FROM speakers")}
    assert set(got) == {"Alice Adams", "Acme Corp", "Bob Brown", "Paris", "Bob and Carol"}
    # Alice: quotes q1 (a1), q2 (a2); claims c1 (a1), c5 (a4); a2 and a4 are copies of a1.
    assert got["Alice Adams"] == (
        "e_alice", "Alice Adams", "PERSON", 2, 2, 3, 1, D1, D3,
        ["Minister of Finance", "finance minister", "minister"])
    assert got["Bob Brown"][3:] == (1, 0, 1, 1, D2, D2, ["union leader"])
    assert got["Acme Corp"][3:] == (0, 1, 1, 1, D1, D1, [])
    # Not resolved to one entity: grouped by name; q4 in a3, c7 in undated a5.
    assert got["Bob and Carol"] == (None, "Bob and Carol", None, 1, 1, 2, 2, D2, D2, [])
    # The scare quote q3 and the unnamed sources (c3 'analysts', c4 none) count for nobody.
    assert rows(con, "SELECT sum(quotes), sum(claims) FROM speakers") == [(4, 5)]


def test_entity_mentions_by_day(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT entity_id, name, label, day, articles, stories, mentions "
                    "FROM entity_mentions_by_day ORDER BY entity_id, day NULLS LAST")
    assert got == [
        ("e_acme", "Acme Corp", "ORG", D1, 2, 1, 3),
        ("e_acme", "Acme Corp", "ORG", None, 1, 1, 1),
        ("e_alice", "Alice Adams", "PERSON", D1, 2, 1, 5),
        ("e_alice", "Alice Adams", "PERSON", D3, 1, 1, 1),
        ("e_bob", "Bob Brown", "PERSON", D2, 1, 1, 1),
        ("e_paris", "Paris", "GPE", D1, 1, 1, 1),
        ("e_paris", "Paris", "GPE", D2, 1, 1, 2),
    ]
    assert rows(con, "SELECT sum(mentions) FROM entity_mentions_by_day") == rows(
        con, "SELECT sum(mention_count) FROM entities")


def test_entity_cooccurrence(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT entity_id_a, entity_id_b, articles, stories FROM entity_cooccurrence "
                    "ORDER BY ALL")
    assert got == [
        ("e_acme", "e_alice", 2, 1),  # a1 and its copy a2
        ("e_acme", "e_paris", 1, 1),
        ("e_alice", "e_paris", 1, 1),
        ("e_bob", "e_paris", 1, 1),
    ]
    assert rows(con, "SELECT count(*) FROM entity_cooccurrence WHERE entity_id_a >= entity_id_b"
                ) == [(0,)]
    assert rows(con, "SELECT name_a, label_a, name_b, label_b, first_seen, last_seen "
                     "FROM entity_cooccurrence WHERE entity_id_a = 'e_bob'") == [
        ("Bob Brown", "PERSON", "Paris", "GPE", D2, D2)]


def test_claims_by_source(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT source_kind, stance, claims, articles FROM claims_by_source "
                    "ORDER BY ALL")
    assert got == [
        ("anonymous", "assert", 1, 1),      # c4: no source at all
        ("organisation", "deny", 1, 1),     # c2: Acme Corp (ORG)
        ("person", "assert", 2, 2),         # c1, c5: Alice Adams
        ("place", "accuse", 1, 1),          # c6: Paris (GPE)
        ("unresolved", "assert", 1, 1),     # c7: 'Bob and Carol', no single entity
        ("unresolved", "predict", 1, 1),    # c3: 'analysts'
    ]
    assert rows(con, "SELECT sum(claims) FROM claims_by_source") == rows(
        con, "SELECT count(*) FROM claims")


def test_claim_details_link_back_to_the_article(con: duckdb.DuckDBPyConnection) -> None:
    got = dict(rows(con, "SELECT claim_id, article_url FROM claim_details"))
    assert got["c1"] == "https://planet.example/a1"
    assert got["c3"] == "file:///seeds/a3.txt"  # a3 has no url: its source_uri
    assert rows(con, "SELECT story_id, publisher, source_name FROM claim_details "
                     "WHERE claim_id = 'c5'") == [("a1", "Wire Times", "Alice Adams")]


def test_caption_credits(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT agency, photographer, distributor, captions, articles "
                    "FROM caption_credits ORDER BY agency NULLS LAST")
    assert got == [("AFP", "Jane Doe", "Getty Images", 2, 2), ("AP", None, None, 1, 1),
                   (None, None, None, 1, 1)]


def test_story_counts_count_republished_copies_once(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT day, articles, stories, new_stories FROM story_counts "
                    "ORDER BY day NULLS LAST")
    assert got == [(D1, 2, 1, 1), (D2, 1, 1, 1), (D3, 1, 1, 0), (None, 1, 1, 0)]


def test_marts_work_on_an_empty_warehouse(tmp_path: Path) -> None:
    from flows.adapters import release as storage
    from transforms import schemas

    storage.write_release_tables(tmp_path, {n: s.empty_table() for n, s in schemas.TABLES.items()})
    c = duckdb.connect(str(storage.build_duckdb(tmp_path, storage.runs_table([]))),
                       read_only=True)
    try:
        for view in ("speakers", "entity_mentions_by_day", "entity_cooccurrence",
                     "claims_by_source", "caption_credits", "story_counts", "claim_details"):
            assert rows(c, f"SELECT count(*) FROM {view}") == [(0,)]
    finally:
        c.close()


def test_high_confidence_claims(con: duckdb.DuckDBPyConnection) -> None:
    # the fixture's claims all carry confidence 0.8: every one is in the slice, with
    # claim_details' columns
    assert rows(con, "SELECT count(*) FROM high_confidence_claims") == \
        rows(con, "SELECT count(*) FROM claims WHERE confidence >= 0.7") == \
        rows(con, "SELECT count(*) FROM claims")
    cols = [d[0] for d in con.execute("SELECT * FROM high_confidence_claims LIMIT 0").description]
    assert cols == [d[0] for d in con.execute("SELECT * FROM claim_details LIMIT 0").description]


@pytest.fixture(scope="module")
def joint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The fixture with q4 and c7 spoken by Bob Brown and Alice Adams together."""
    import pyarrow as pa

    from flows.adapters import release as storage

    tables = warehouse_fixture.tables()
    for name, id_column, key, joint_id in (("quotes", "speaker_entity_ids", "quote_id", "q4"),
                                           ("claims", "source_entity_ids", "claim_id", "c7")):
        rows = tables[name].to_pylist()
        for r in rows:
            r[id_column] = ["e_bob", "e_alice"] if r[key] == joint_id else (
                [r[id_column[:-1]]] if r[id_column[:-1]] else [])
        tables[name] = pa.Table.from_pylist(rows, schema=tables[name].schema)
    root = tmp_path_factory.mktemp("joint")
    storage.write_release_tables(root, tables)
    c = duckdb.connect(str(storage.build_duckdb(root, storage.runs_table([]))), read_only=True)
    yield c
    c.close()


def test_each_person_of_a_joint_speaker_counts_once(joint: duckdb.DuckDBPyConnection) -> None:
    got = {r[1]: r[3:5] for r in rows(joint, "SELECT * FROM speakers")}
    assert got["Bob Brown"] == (2, 1)  # q5 and the joint q4; the joint c7
    assert got["Alice Adams"] == (3, 3)
    assert "Bob and Carol" not in got  # no row for the pair itself
    # c7 (in a5, where Acme is named) is about Acme for each of its two sources
    pairs = rows(joint, "SELECT source_name, target_name, claims FROM who_about_whom "
                        "ORDER BY 1, 2")
    assert ("Bob Brown", "Acme Corp", 1) in pairs and ("Alice Adams", "Acme Corp", 2) in pairs
    assert not rows(joint, "SELECT 1 FROM claim_targets WHERE source_entity_id = "
                           "target_entity_id")
