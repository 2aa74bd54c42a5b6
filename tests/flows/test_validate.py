"""flows.adapters.validate: the GX suites accept a valid batch and reject broken ones."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from flows.adapters import resources
from flows.adapters import validate as v
from transforms.schemas import ENTITY_IDS, TABLES, to_table

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
TITLE = "Minister denies report"
BODY = 'The minister said "we will not resign" on Monday. Analysts expect a vote soon.'
CAPTION = "The minister arrives in Paris."
QUOTE = "we will not resign"
Q_START = BODY.index(QUOTE)


def _prov(article_id: str = "a1") -> dict[str, Any]:
    return {"article_id": article_id, "source_uri": f"file:///in/{article_id}.txt",
            "content_sha256": "0" * 64, "published_month": "2024-05"}


def valid_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "articles": [{
            **_prov(), "title": TITLE, "published_date": dt.date(2024, 5, 1),
            "body_text": BODY, "word_count": len(BODY.split()), "language": "en",
            "authors": ["Jane Doe"], "source_format": "txt", "ingested_at": NOW,
        }],
        "captions": [{
            "caption_id": "c1", **_prov(), "position": 0, "caption_text": CAPTION,
            "credit_text": "Photo: AFP", "agency": "AFP",
        }],
        "quotes": [{
            "quote_id": "q1", **_prov(), "section": "body", "start_char": Q_START,
            "end_char": Q_START + len(QUOTE), "quote_text": QUOTE, "speaker_text": "The minister",
            "parts": [{"start": Q_START, "end": Q_START + len(QUOTE), "text": QUOTE}],
            "is_scare_quote": False, "confidence": 0.9,
        }],
        "entities": [
            {"entity_id": "e1", **_prov(), "name": "Paris", "label": "GPE", "kind": "place",
             "key": "paris", "mention_count": 1, "aliases": ["Paris"],
             "mentions": [{"section": "caption", "caption_id": "c1", "start": 24, "end": 29,
                           "text": "Paris"}]},
            {"entity_id": "e2", **_prov(), "name": "Monday", "label": "PERSON", "kind": "person",
             "key": "monday", "mention_count": 1, "aliases": [], "mentions": []},
        ],
        "claims": [
            {"claim_id": "k1", **_prov(), "section": "body", "start_char": Q_START,
             "end_char": Q_START + len(QUOTE), "content_text": QUOTE, "kind": "direct",
             "stance": "assert", "is_hedged": False, "confidence": 0.8},
            {"claim_id": "k2", **_prov(), "section": "title", "start_char": 0, "end_char": 8,
             "content_text": "Minister", "kind": "indirect", "stance": "deny",
             "is_hedged": False, "confidence": 0.5},
            {"claim_id": "k3", **_prov(), "section": "caption", "caption_id": "c1",
             "start_char": 4, "end_char": 12, "content_text": "minister", "kind": "mixed",
             "stance": "other", "is_hedged": True, "confidence": 1.0},
        ],
        "rejects": [{"source_uri": "file:///in/empty.txt", "reason": "empty", "seen_at": NOW,
                     "run_id": "r1"}],
    }


def tables_of(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {name: to_table(name, rows.get(name, [])) for name in TABLES}


@pytest.fixture(scope="module")
def valid_result(tmp_path_factory: pytest.TempPathFactory) -> v.ValidationResult:
    docs = tmp_path_factory.mktemp("docs")
    return v.validate_tables(tables_of(valid_rows()), docs)


def test_valid_batch_passes(valid_result: v.ValidationResult) -> None:
    assert valid_result.failures == ()
    assert valid_result.success
    lines = valid_result.summary.splitlines()
    assert [line.split(":")[0] for line in lines] == list(TABLES)
    assert all("expectations passed" in line for line in lines)


def test_data_docs_written(valid_result: v.ValidationResult) -> None:
    assert valid_result.data_docs is not None
    assert valid_result.data_docs.name == "index.html"
    assert valid_result.data_docs.is_file()


def test_empty_tables_pass(tmp_path: Path) -> None:
    result = v.validate_tables(tables_of({}), tmp_path / "docs")
    assert result.success, result.failures
    assert "quotes: " in result.summary


def test_nothing_written_outside_docs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    docs = tmp_path / "docs"
    v.validate_tables(tables_of(valid_rows()), docs)
    assert list(cwd.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "docs"]


def _set(table: str, index: int, **values: Any) -> Callable[[dict], None]:
    def change(rows: dict) -> None:
        rows[table][index].update(values)
    return change


def _mention(table: str, index: int, **values: Any) -> Callable[[dict], None]:
    def change(rows: dict) -> None:
        rows[table][index]["mentions"][0].update(values)
    return change


def _dup(table: str, index: int = 0) -> Callable[[dict], None]:
    def change(rows: dict) -> None:
        rows[table].append(dict(rows[table][index]))
    return change


BROKEN = [
    # (id, change, table, expectation, column[, other failures it causes])
    ("duplicate article", _dup("articles"), "articles",
     "expect_column_values_to_be_unique", "article_id"),
    ("duplicate quote", _dup("quotes"), "quotes", "expect_column_values_to_be_unique", "quote_id"),
    ("duplicate entity", _dup("entities"), "entities",
     "expect_compound_columns_to_be_unique", "article_id, entity_id"),
    ("null claim id", _set("claims", 0, claim_id=None), "claims",
     "expect_column_values_to_not_be_null", "claim_id"),
    ("unknown article (caption)", _set("captions", 0, article_id="zz"), "captions",
     "expect_column_values_to_be_in_set", "article_known",
     # ... and the mention and claim in that caption now point into another article's caption.
     [("entities", "expect_column_values_to_be_in_set", "mentions_valid"),
      ("claims", "expect_column_values_to_be_in_set", "offsets_valid")]),
    ("unknown article (entity)", _set("entities", 1, article_id="zz"), "entities",
     "expect_column_values_to_be_in_set", "article_known"),
    ("unknown article (quote)", _set("quotes", 0, article_id="zz"), "quotes",
     "expect_column_values_to_be_in_set", "article_known",
     [("quotes", "expect_column_values_to_be_in_set", "offsets_valid")]),
    ("quote offsets off by one", _set("quotes", 0, start_char=Q_START + 1), "quotes",
     "expect_column_values_to_be_in_set", "offsets_valid"),
    ("quote text differs", _set("quotes", 0, quote_text="we will resign"), "quotes",
     "expect_column_values_to_be_in_set", "offsets_valid"),
    ("quote part off by one", _set("quotes", 0, parts=[
        {"start": Q_START + 1, "end": Q_START + 1 + len(QUOTE), "text": QUOTE}]), "quotes",
     "expect_column_values_to_be_in_set", "offsets_valid",
     [("quotes", "expect_column_values_to_be_in_set", "parts_valid")]),
    ("claim offsets past the title", _set("claims", 1, end_char=len(TITLE) + 5), "claims",
     "expect_column_values_to_be_in_set", "offsets_valid"),
    ("claim in unknown caption", _set("claims", 2, caption_id="c9"), "claims",
     "expect_column_values_to_be_in_set", "offsets_valid"),
    ("claim in another section", _set("claims", 0, section="title"), "claims",
     "expect_column_values_to_be_in_set", "offsets_valid"),
    ("mention offsets off by one", _mention("entities", 0, start=23), "entities",
     "expect_column_values_to_be_in_set", "mentions_valid"),
    ("mention in unknown caption", _mention("entities", 0, caption_id="c9"), "entities",
     "expect_column_values_to_be_in_set", "mentions_valid"),
    ("bad section", _set("quotes", 0, section="footer"), "quotes",
     "expect_column_values_to_be_in_set", "section",
     [("quotes", "expect_column_values_to_be_in_set", "offsets_valid")]),
    ("bad kind", _set("claims", 0, kind="rumour"), "claims",
     "expect_column_values_to_be_in_set", "kind"),
    ("bad stance", _set("claims", 0, stance="shout"), "claims",
     "expect_column_values_to_be_in_set", "stance"),
    ("bad label", _set("entities", 0, label="CITY"), "entities",
     "expect_column_values_to_be_in_set", "label"),
    ("boilerplate in body", _set("articles", 0, body_text=BODY + " Leave a Reply"), "articles",
     "expect_column_values_to_not_match_regex", "body_text"),
    ("date 1850", _set("articles", 0, published_date=dt.date(1850, 1, 1)), "articles",
     "expect_column_values_to_be_between", "published_date"),
    ("date in the future", _set("articles", 0, published_date=dt.date.today()
                                + dt.timedelta(days=3)), "articles",
     "expect_column_values_to_be_between", "published_date"),
    ("zero words", _set("articles", 0, word_count=0), "articles",
     "expect_column_values_to_be_between", "word_count"),
    ("zero mentions", _set("entities", 0, mention_count=0), "entities",
     "expect_column_values_to_be_between", "mention_count"),
    ("confidence above 1", _set("quotes", 0, confidence=1.5), "quotes",
     "expect_column_values_to_be_between", "confidence"),
    ("duplicate reject", _dup("rejects"), "rejects",
     "expect_column_values_to_be_unique", "source_uri"),
]


@pytest.mark.parametrize(("change", "table", "expectation", "column", "also"),
                         [pytest.param(*case[1:], *([[]] if len(case) == 5 else []), id=case[0])
                          for case in BROKEN])
def test_broken_batch_fails(tmp_path: Path, change: Callable[[dict], None], table: str,
                            expectation: str, column: str, also: list) -> None:
    rows = valid_rows()
    change(rows)
    result = v.validate_tables(tables_of(rows), tmp_path / "docs")
    assert not result.success
    assert [(f.table, f.expectation, f.column) for f in result.failures] == [
        (table, expectation, column), *also]
    failure = result.failures[0]
    assert failure.unexpected_count >= 1
    assert failure.examples
    assert str(failure).startswith(f"{table}: {expectation}({column}) failed on ")
    assert f"{table}: " in result.summary and "expectations passed" in result.summary


def test_failure_examples_name_the_row(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["claims"][0]["kind"] = "rumour"
    rows["claims"][2]["kind"] = "gossip"
    result = v.validate_tables(tables_of(rows), tmp_path / "docs")
    (failure,) = result.failures
    assert failure.unexpected_count == 2
    assert failure.examples == [{"claim_id": "k1", "value": "rumour"},
                                {"claim_id": "k3", "value": "gossip"}]
    n = len(v.load_suite_json("claims")["expectations"])
    assert f"claims: {n - 1}/{n} expectations passed (3 rows)" in result.summary.splitlines()
    assert str(failure) == ("claims: expect_column_values_to_be_in_set(kind) failed on 2 rows: "
                            "claim_id='k1', value='rumour'; claim_id='k3', value='gossip'")


def test_edited_suite_json_changes_validation(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    for name in TABLES:
        doc = v.load_suite_json(name)
        if name == "claims":
            for exp in doc["expectations"]:
                if exp["kwargs"].get("column") == "stance" and "value_set" in exp["kwargs"]:
                    exp["kwargs"]["value_set"] = ["deny"]
        (suites / f"{name}.json").write_text(json.dumps(doc))
    result = v.validate_tables(tables_of(valid_rows()), tmp_path / "docs", suites_dir=suites)
    assert [(f.table, f.column, f.unexpected_count) for f in result.failures] == [
        ("claims", "stance", 2)]


def test_expectation_that_cannot_run_is_a_failure(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    for name in TABLES:
        doc = v.load_suite_json(name)
        if name == "rejects":
            doc["expectations"].append({"type": "expect_column_values_to_not_be_null",
                                        "kwargs": {"column": "no_such_column"}})
        (suites / f"{name}.json").write_text(json.dumps(doc))
    result = v.validate_tables(tables_of(valid_rows()), tmp_path / "docs", suites_dir=suites)
    (failure,) = result.failures
    assert (failure.table, failure.column, failure.unexpected_count) == (
        "rejects", "no_such_column", 0)
    assert str(failure).startswith(
        "rejects: expect_column_values_to_not_be_null(no_such_column) failed: error: ")


def test_invalid_suite_json_is_an_error(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    for name in TABLES:
        doc = v.load_suite_json(name)
        if name == "rejects":
            doc["expectations"].append({"type": "expect_column_values_to_be_unique",
                                        "kwargs": {}})
        (suites / f"{name}.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="invalid"):
        v.validate_tables(tables_of(valid_rows()), tmp_path / "docs", suites_dir=suites)


def test_unknown_table_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="runs"):
        v.validate_tables({"runs": to_table("articles", [])}, tmp_path / "docs")


def test_checked_in_suites_match_definitions(tmp_path: Path) -> None:
    """expectations/*.json is generated from suite_definitions(); after changing either,
    regenerate with `python -m flows.adapters.validate --write-suites`."""
    for name in v.SUITE_TABLES:
        on_disk = v.load_suite_json(name)
        assert on_disk == json.loads(json.dumps(v.build_suite_json(name))), name


@pytest.mark.parametrize("table", sorted(v.SUITE_TABLES))
def test_every_column_the_schema_declares_not_null_is_expected_not_null(table: str) -> None:
    """The schema says which columns are required; the suite follows it, whatever is added."""
    expected = {e["kwargs"]["column"] for e in v.suite_definitions()[table]
                if e["type"] == "expect_column_values_to_not_be_null"}
    required = {f.name for f in v.SUITE_TABLES[table] if not f.nullable}
    assert required and required <= expected, sorted(required - expected)
    assert expected <= required | set(v.PRIMARY_KEYS[table])  # no rule of its own


def test_suites_cover_every_table() -> None:
    names = sorted(p.stem for p in resources.suites_dir().glob("*.json"))
    assert names == sorted(v.SUITE_TABLES)
    assert os.path.isdir(resources.suites_dir())


def _ids_row(entity_id: str, merged_into: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"entity_id": entity_id, "kind": "person", "key": "joe biden", "name": "Joe Biden",
            "label": "PERSON", "aliases": ["Joe Biden"], "articles": 2, "mentions": 3,
            "ambiguous": False, "merged_into": merged_into, **extra}


@pytest.mark.parametrize(("rows", "failing"), [
    pytest.param([_ids_row("e1"), _ids_row("e0", "e1")], set(), id="current-and-superseded"),
    pytest.param([_ids_row("e1"), _ids_row("e0", "e9")], {("merged_into_known", 1)},
                 id="superseded-into-an-id-nobody-holds"),
    pytest.param([_ids_row("e1"), _ids_row("e1")], {("entity_id", 1)}, id="duplicate-id"),
    pytest.param([_ids_row("e1", label="PER"), _ids_row("e2", kind="people")],
                 {("label", 1), ("kind", 1)}, id="unknown-label-and-kind"),
])
def test_entity_ids_suite(tmp_path: Path, rows: list[dict[str, Any]],
                          failing: set[tuple[str, int]]) -> None:
    table = pa.Table.from_pylist(rows, schema=ENTITY_IDS)
    result = v.validate_tables({"entity_ids": table}, tmp_path / "docs")
    got = {(f.column, f.unexpected_count) for f in result.failures}
    assert {c for c, _ in got} == {c for c, _ in failing}
