"""End to end: the real Prefect flow, spaCy model, GX validation and DuckDB file on the seed
article plus bad inputs, into a temporary warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.run.launch import run
from flows.run.records import Settings
from tests.conftest import ROOT, SEEDS

# The module's shared runs (`built`) are in the fast suite; the tests that make runs of their
# own are in the full one (marked slow).

GERMAN = ("Die Bundesregierung hat am Mittwoch neue Maßnahmen beschlossen. Der Kanzler sagte, "
          "die Lage sei ernst, aber beherrschbar. Die Opposition kritisierte die Pläne scharf "
          "und forderte eine Debatte im Bundestag über die Finanzierung der Vorhaben.\n")
BAD_INPUTS = {
    "empty.txt": b"",
    "blank.txt": b"   \n\n  \t\n",
    "binary.txt": bytes(range(256)) * 8,
    # high bytes that no encoding reads as text (Latin-1 text is read: tests/flows/test_sources)
    "undecodable.txt": bytes(range(0x80, 0x100)) * 8,
}
# Articles in other languages are kept: article and caption rows, no quotes or claims (the cue
# model is English) and no entities (no spaCy pipeline is set for them).
OTHER_LANGUAGES = {
    "german.txt": GERMAN.encode("utf-8"),
    "french.html": (ROOT / "tests" / "fixtures" / "web" / "fr_article.html").read_bytes(),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    for name, data in {**BAD_INPUTS, **OTHER_LANGUAGES}.items():
        (seeds / name).write_bytes(data)
    settings = Settings(seeds=seeds, warehouse=root / "warehouse")
    first = run(settings)
    con = duckdb.connect(str(root / "warehouse" / "news.duckdb"), read_only=True)
    ids = {t: sorted(r[0] for r in con.execute(f"SELECT {k} FROM {t}").fetchall())
           for t, k in (("articles", "article_id"), ("quotes", "quote_id"),
                        ("claims", "claim_id"), ("captions", "caption_id"))}
    con.close()
    second = run(settings)
    return {"root": root, "seeds": seeds, "settings": settings, "first": first,
            "second": second, "ids": ids}


@pytest.fixture()
def con(built: dict):  # type: ignore[no-untyped-def]
    c = duckdb.connect(str(built["root"] / "warehouse" / "news.duckdb"), read_only=True)
    yield c
    c.close()


def rows(con, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return con.execute(sql).fetchall()


def test_first_run_succeeds_and_counts_documents(built: dict) -> None:
    s = built["first"]
    assert s.status == "succeeded", s
    assert (s.docs_read, s.docs_new, s.docs_rejected) == (7, 7, 4)
    assert s.rows["articles"] == 3


def test_parquet_and_duckdb_are_in_place(built: dict) -> None:
    wh = built["root"] / "warehouse"
    assert list((wh / "parquet" / "articles").glob("published_month=2024-12/*.parquet"))
    assert (wh / "news.duckdb").exists()
    assert (wh / "data_docs").exists()


def test_article_is_dated_and_clean(con) -> None:  # type: ignore[no-untyped-def]
    [(title, date, body, words, lang)] = rows(
        con, "SELECT title, published_date, body_text, word_count, language FROM articles "
             "WHERE source_uri LIKE '000_%'")
    assert title is None
    assert str(date) == "2024-12-26"
    for junk in ("About The Author", "Leave a Reply", "Your email address", "Getty Images"):
        assert junk not in body
    assert body.startswith("Even the long wait")
    assert words > 700 and lang == "en"


def test_captions_have_parsed_credits(con) -> None:  # type: ignore[no-untyped-def]
    caps = rows(con, "SELECT position, photographer, agency, distributor FROM captions "
                     "WHERE source_uri LIKE '000_%' ORDER BY position")
    assert [c[1] for c in caps] == ["Anthony Wallace", "Gavriel Grigorov", None,
                                    "Gavriel Grigorov", "Gavriel Grigorov"]
    assert caps[0][2:] == ("AFP", "Getty Images")
    assert caps[2][2:] == ("Getty Images News", "Getty Images")


def test_baker_quotes_resolve_to_him(con) -> None:  # type: ignore[no-untyped-def]
    baker = rows(con, "SELECT speaker_text, quote_text FROM quotes "
                      "WHERE speaker_name = 'Rodger Baker' ORDER BY start_char")
    assert len(baker) == 2
    assert baker[0][1].startswith("North Korea certainly sees")
    assert baker[1][0].lower() == "he" and baker[1][1].startswith("North Korea has long")


def test_brady_and_cha_quotes(con) -> None:  # type: ignore[no-untyped-def]
    theirs = rows(con, "SELECT speaker_name, quote_text FROM quotes "
                       "WHERE speaker_name LIKE '%Brady%' AND speaker_name LIKE '%Cha%'")
    starts = sorted(q[:25] for _, q in theirs)
    assert any(s.startswith("It’s unclear how much") for s in starts)
    assert any(s.startswith("In addition to practical") for s in starts)
    assert any(s.startswith("The nature of the visit") for s in starts)


def test_scare_quotes_are_flagged(con) -> None:  # type: ignore[no-untyped-def]
    flagged = {r[0] for r in rows(con, "SELECT quote_text FROM quotes WHERE is_scare_quote")}
    assert {"pariah", "rogue"} <= flagged


def test_putin_and_kim_are_one_entity_each(con) -> None:  # type: ignore[no-untyped-def]
    people = dict(rows(con, "SELECT name, count(*) FROM entities WHERE label = 'PERSON' "
                            "GROUP BY 1"))
    assert people.get("Vladimir Putin") == 1 and people.get("Kim Jong Un") == 1
    assert not [n for n in people if n in ("Putin", "Kim", "Putin’s")]
    square = rows(con, "SELECT label FROM entities WHERE name = 'Kim Il Sung Square'")
    assert square and square[0][0] != "PERSON"


def test_who_about_whom_answers_what_baker_said_about_north_korea(con) -> None:  # type: ignore[no-untyped-def]
    got = rows(con, "SELECT stance, claims FROM who_about_whom WHERE source_name = 'Rodger Baker' "
                    "AND target_name = 'North Korea'")
    assert got and sum(n for _, n in got) >= 1
    # the speaker is never his own target
    assert not rows(con, "SELECT 1 FROM claim_targets WHERE target_entity_id = source_entity_id")


def test_indirect_claims_have_sources(con) -> None:  # type: ignore[no-untyped-def]
    claims = rows(con, "SELECT lower(source_text), cue_lemma, content_text FROM claims")
    by_cue = {(s, c) for s, c, _ in claims}
    assert ("western officials", "accuse") in by_cue
    assert ("pyongyang", "deny") in by_cue
    assert any(s == "analysts" and "Russia may provide" in t for s, _, t in claims)


def test_offsets_index_section_text(con) -> None:  # type: ignore[no-untyped-def]
    bad = rows(con, """
        WITH parts AS (SELECT quote_id, article_id, section, unnest(parts) AS p FROM quotes)
        SELECT q.quote_id FROM parts q JOIN articles a USING (article_id)
        WHERE q.section = 'body'
          AND substr(a.body_text, q.p.start + 1, q.p."end" - q.p.start) <> q.p.text""")
    assert bad == []
    assert rows(con, "SELECT count(*) FROM quotes WHERE len(parts) = 0") == [(0,)]


def test_bad_inputs_become_rejects_with_reasons(con) -> None:  # type: ignore[no-untyped-def]
    reasons = dict(rows(con, "SELECT source_uri, reason FROM rejects"))
    assert reasons == {"empty.txt": "empty", "blank.txt": "empty", "binary.txt": "binary",
                       "undecodable.txt": "encoding"}


def test_other_languages_keep_article_and_caption_rows(con) -> None:  # type: ignore[no-untyped-def]
    found = rows(con, """
        SELECT a.source_uri, a.language, a.title, count(DISTINCT c.caption_id),
               count(DISTINCT c.agency), count(DISTINCT q.quote_id), count(DISTINCT e.entity_id),
               count(DISTINCT cl.claim_id)
        FROM articles a LEFT JOIN captions c USING (article_id)
        LEFT JOIN quotes q USING (article_id) LEFT JOIN entities e USING (article_id)
        LEFT JOIN claims cl USING (article_id)
        WHERE a.language <> 'en' GROUP BY ALL ORDER BY 1""")
    assert found == [
        ("french.html", "fr", "Le conseil municipal adopte le budget", 1, 1, 0, 0, 0),
        ("german.txt", "de", None, 0, 0, 0, 0, 0),
    ]


def test_second_run_is_unchanged_and_ids_stable(built: dict, con) -> None:  # type: ignore[no-untyped-def]
    s = built["second"]
    assert s.status == "unchanged" and s.docs_unchanged == 7
    for table, key in (("articles", "article_id"), ("quotes", "quote_id"),
                       ("claims", "claim_id"), ("captions", "caption_id")):
        ids = sorted(r[0] for r in rows(con, f"SELECT {key} FROM {table}"))
        assert ids == built["ids"][table]
        assert len(ids) == len(set(ids))


@pytest.mark.slow
def test_changed_file_replaces_its_rows(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = (SEEDS / "000_8aaec8a11970715b.txt").read_text(encoding="utf-8")
    (seeds / "a.txt").write_text(text, encoding="utf-8")
    settings = Settings(seeds=seeds, warehouse=tmp_path / "wh")
    assert run(settings).status == "succeeded"
    (seeds / "a.txt").write_text(text.replace("Rodger Baker", "Rodger Becker"), encoding="utf-8")
    s = run(settings)
    assert (s.status, s.docs_changed) == ("succeeded", 1)
    c = duckdb.connect(str(tmp_path / "wh" / "news.duckdb"), read_only=True)
    assert c.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    names = {r[0] for r in c.execute("SELECT speaker_name FROM quotes").fetchall()}
    c.close()
    assert "Rodger Becker" in names and "Rodger Baker" not in names


def test_description_resolves_to_putin(con) -> None:  # type: ignore[no-untyped-def]
    names = rows(con, "SELECT speaker_name FROM quotes WHERE speaker_text = 'the Russian leader'")
    assert names == [("Vladimir Putin",)]


@pytest.mark.slow
def test_failed_validation_keeps_the_last_good_warehouse(  # type: ignore[no-untyped-def]
        tmp_path: Path, capsys, monkeypatch) -> None:
    import json

    from flows.app.cli import main

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    wh = tmp_path / "wh"
    assert main(["run", "--seeds", str(seeds), "--warehouse", str(wh)]) == 0
    release = (wh / "current").resolve()
    before = duckdb.connect(str(wh / "news.duckdb"), read_only=True)
    body = before.execute("SELECT body_text FROM articles").fetchone()
    before.close()
    # a stricter suite that the changed article breaks: "Pyongyang" counts as boilerplate
    suites = tmp_path / "expectations"
    shutil.copytree(ROOT / "expectations", suites)
    suite = json.loads((suites / "articles.json").read_text())
    for exp in suite["expectations"]:
        if exp["type"] == "expect_column_values_to_not_match_regex":
            exp["kwargs"]["regex"] += "|Pyongyang"
    (suites / "articles.json").write_text(json.dumps(suite))
    (seeds / "000_8aaec8a11970715b.txt").write_text(
        (SEEDS / "000_8aaec8a11970715b.txt").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8")
    capsys.readouterr()
    monkeypatch.setenv("NEWSFLOW_EXPECTATIONS", str(suites))
    code = main(["run", "--seeds", str(seeds), "--warehouse", str(wh)])
    out = capsys.readouterr().out
    assert code == 1
    assert "rejected by validation" in out
    assert "expect_column_values_to_not_match_regex(body_text)" in out
    assert (wh / "current").resolve() == release
    # the staged news.duckdb it validated through is gone, and its stand-in link with it
    assert not any(p.is_symlink() for p in (wh / "releases").iterdir())
    after = duckdb.connect(str(wh / "news.duckdb"), read_only=True)
    assert after.execute("SELECT body_text FROM articles").fetchone() == body
    after.close()
    assert not list((wh / "staging").iterdir())
