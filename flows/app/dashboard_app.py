"""The Streamlit app behind `newsflow dashboard` (run by flows/dashboard.py).

    streamlit run flows/app/dashboard_app.py -- --warehouse warehouse

It opens the warehouse read-only, attached to an in-memory DuckDB. The filters (dates,
publishers, entity) select a set of articles; the base tables are re-exposed as views limited to
those articles and the marts of warehouse/*.sql are created over them, so every chart shows the
marts' own definitions applied to the selection. A fresh connection on every interaction means
a new release (the `current` symlink swap) shows up on the next click.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from flows.adapters import resources
from flows.app.dashboard import database_path
from flows.app.describe import all_tables
from transforms import schemas

NO_PUBLISHER = "(no publisher)"
CLAIM_ROWS = 500
FEED_ROWS = 20


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--warehouse", default="warehouse")
    return p.parse_args(sys.argv[1:])


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH {_literal(str(db))} AS wh (READ_ONLY)")
    return con


def select_articles(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date,
                    undated: bool, publishers: list[str], entity: str | None) -> None:
    """Expose the release's tables, limited to the selected articles, and build the marts."""
    con.execute(
        """CREATE OR REPLACE TABLE selected AS
           SELECT article_id FROM wh.articles AS a
           WHERE (published_date BETWEEN $start AND $end OR (published_date IS NULL AND $undated))
             AND (len($publishers) = 0
                  OR list_contains($publishers, coalesce(publisher, $none)))
             AND ($entity IS NULL OR EXISTS (
                  SELECT 1 FROM wh.entities AS e
                  WHERE e.article_id = a.article_id AND e.entity_id = $entity))""",
        {"start": start, "end": end, "undated": undated, "none": NO_PUBLISHER,
         "publishers": publishers, "entity": entity})
    for name in all_tables():
        where = (" WHERE article_id IN (SELECT article_id FROM selected)"
                 if name in schemas.ARTICLE_TABLES else "")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM wh.{name}{where}")
    for sql_file in resources.sql_files():
        con.execute(sql_file.read_text(encoding="utf-8"))


def df(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> pd.DataFrame:
    return con.execute(sql, params).df()


def sidebar(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date, bool, list[str],
                                                     str | None]:
    lo, hi = con.execute("SELECT min(published_date), max(published_date) FROM wh.articles"
                         ).fetchone() or (None, None)
    lo = lo or dt.date.today()
    hi = hi or lo
    st.sidebar.header("Filters")
    picked = st.sidebar.date_input("Published between", value=(lo, hi), min_value=lo,
                                   max_value=hi, key="dates")
    dates = list(picked) if isinstance(picked, tuple | list) else [picked]
    start = dates[0] if dates else lo
    end = dates[1] if len(dates) > 1 else start if dates else hi
    undated = st.sidebar.checkbox("Include undated articles", value=True, key="undated")
    publishers = [p for (p,) in con.execute(
        "SELECT DISTINCT coalesce(publisher, ?) FROM wh.articles ORDER BY 1", [NO_PUBLISHER]
    ).fetchall()]
    chosen = st.sidebar.multiselect("Publisher", publishers, placeholder="All publishers",
                                    key="publishers")
    entities = con.execute(
        "SELECT entity_id, name, label, sum(articles) FROM wh.entity_mentions_by_day "
        "GROUP BY ALL ORDER BY 4 DESC, name LIMIT 5000").fetchall()
    labels = {e: f"{n} ({lab}, {k} articles)" for e, n, lab, k in entities}
    entity = st.sidebar.selectbox("Entity (articles that mention it)", [None, *labels],
                                  format_func=lambda e: "All entities" if e is None else labels[e],
                                  key="entity")
    return start, end, undated, chosen, entity


def page(con: duckdb.DuckDBPyConnection, db: Path, entity: str | None) -> None:
    st.title("newsflow: who is quoted saying what about whom")
    st.caption(f"Warehouse {db} (release {db.resolve().parent.name}), read-only.")

    [(articles, stories, quotes, claims, speakers)] = con.execute(
        "SELECT (SELECT count(*) FROM articles), "
        "(SELECT count(DISTINCT coalesce(duplicate_of, article_id)) FROM articles), "
        "(SELECT count(*) FROM quotes WHERE NOT is_scare_quote), "
        "(SELECT count(*) FROM claims), (SELECT count(*) FROM speakers)").fetchall()
    cols = st.columns(5)
    for col, label, value in zip(cols, ("Articles", "Stories", "Quotes", "Claims", "Speakers"),
                                 (articles, stories, quotes, claims, speakers), strict=True):
        col.metric(label, f"{value:,}")

    left, right = st.columns(2)
    with left:
        st.subheader("Articles and stories per day")
        st.bar_chart(df(con, "SELECT day, articles, stories FROM story_counts "
                             "WHERE day IS NOT NULL ORDER BY day"),
                     x="day", y=["articles", "stories"], stack=False)
    with right:
        st.subheader("Most mentioned entities")
        st.bar_chart(df(con, "SELECT name, sum(articles) AS articles FROM entity_mentions_by_day "
                             "GROUP BY entity_id, name ORDER BY articles DESC, name LIMIT 15"),
                     x="name", y="articles", horizontal=True, sort="-articles")

    left, right = st.columns(2)
    with left:
        st.subheader("Who is quoted")
        table(df(con, "SELECT speaker_name, label, quotes, claims, articles, stories, "
                      "first_seen, last_seen, roles FROM speakers "
                      "ORDER BY quotes + claims DESC, speaker_name LIMIT 50"), "speakers")
    with right:
        st.subheader("Claims by source and stance")
        st.bar_chart(df(con, "SELECT source_kind, stance, claims FROM claims_by_source"),
                     x="source_kind", y="claims", color="stance")

    who_about_whom_section(con, entity)

    left, right = st.columns(2)
    with left:
        st.subheader("Entities mentioned together")
        table(df(con, "SELECT name_a, name_b, articles, stories, first_seen, last_seen "
                      "FROM entity_cooccurrence WHERE $entity IS NULL "
                      "OR $entity IN (entity_id_a, entity_id_b) "
                      "ORDER BY articles DESC, name_a, name_b LIMIT 50", {"entity": entity}),
              "pairs")
    with right:
        st.subheader("Photo credits")
        table(df(con, "SELECT agency, photographer, distributor, captions, articles "
                      "FROM caption_credits ORDER BY captions DESC LIMIT 50"), "credits")

    st.subheader("Claims")
    st.caption(f"Newest first, at most {CLAIM_ROWS:,}; the link opens the article.")
    claims_df = df(con, "SELECT published_date, publisher, source_name, source_text, "
                        "source_kind, stance, content_text, article_url, source_role, kind, "
                        "cue_lemma, is_hedged FROM claim_details "
                        "ORDER BY published_date DESC NULLS LAST, article_id, claim_id LIMIT ?",
                   [CLAIM_ROWS])
    # source_uri is the fallback link: only a URL (with a scheme) is made a link.
    is_url = claims_df["article_url"].str.contains("://", regex=False, na=False)
    claims_df["source_uri"] = claims_df["article_url"].where(~is_url)
    claims_df["article_url"] = claims_df["article_url"].where(is_url)
    table(claims_df, "claims",
          article_url=st.column_config.LinkColumn("article", display_text="open"),
          content_text=st.column_config.TextColumn("content", width="large"))
    st.markdown("**Latest claims, as text**")
    st.markdown("\n".join(claim_line(r) for r in claims_df.head(FEED_ROWS).itertuples())
                or "No claims in this selection.")


def who_about_whom_section(con: duckdb.DuckDBPyConnection, entity: str | None) -> None:
    """Who speaks about whom (the who_about_whom mart): sources and the entities their claims
    mention, by stance; limited to the chosen entity as source or target when one is chosen."""
    st.subheader("Who speaks about whom")
    st.caption("Claims by a resolved source about each entity named inside the claim.")
    data = df(con, "SELECT source_name, target_name, target_label, stance, claims, articles, "
                   "first_day, last_day FROM who_about_whom WHERE $entity IS NULL "
                   "OR $entity IN (source_entity_id, target_entity_id) "
                   "ORDER BY claims DESC, source_name, target_name, stance LIMIT 200",
              {"entity": entity})
    left, right = st.columns(2)
    with left:
        table(data, "who_about_whom", first_day=st.column_config.DateColumn(
            "first_day", format="YYYY-MM-DD"), last_day=st.column_config.DateColumn(
            "last_day", format="YYYY-MM-DD"))
    with right:
        pairs = (data.assign(pair=data["source_name"] + " → " + data["target_name"])
                 .groupby(["pair", "stance"], as_index=False)["claims"].sum())
        top = pairs.groupby("pair")["claims"].sum().nlargest(15).index
        st.bar_chart(pairs[pairs["pair"].isin(top)], x="pair", y="claims", color="stance",
                     horizontal=True)


def table(data: pd.DataFrame, key: str, **config: Any) -> None:
    dates = {c: st.column_config.DateColumn(c, format="YYYY-MM-DD") for c in data.columns
             if c in ("day", "published_date", "first_seen", "last_seen")}
    st.dataframe(data, hide_index=True, key=key, column_config={**dates, **config})


def _md(text: object) -> str:
    """Text shown literally inside Markdown."""
    out = str(text).replace("\n", " ")
    for ch in "\\`*_{}[]()<>#+-.!|$~":
        out = out.replace(ch, "\\" + ch)
    return out


def claim_line(r: Any) -> str:
    source = (r.source_name if isinstance(r.source_name, str)
              else f"‘{r.source_text}’" if isinstance(r.source_text, str) else "(no source)")
    role = f", {r.source_role}" if isinstance(r.source_role, str) else ""
    day = r.published_date.date().isoformat() if not pd.isna(r.published_date) else "undated"
    where = r.publisher if isinstance(r.publisher, str) else "article"
    return (f"- **{_md(source)}**{_md(role)} ({_md(r.source_kind)}, {_md(r.stance)}): "
            f"“{_md(r.content_text)}” " + (f"[{_md(where)}, {day}](<{r.article_url}>)"
                                           if isinstance(r.article_url, str)
                                           else f"{_md(where)}, {day}, `{r.source_uri}`"))


def main() -> None:
    st.set_page_config(page_title="newsflow", layout="wide")
    db = database_path(Path(_args().warehouse))
    if not db.exists():
        st.error(f"No warehouse at {db}: run `newsflow run` first.")
        return
    con = connect(db)
    try:
        start, end, undated, publishers, entity = sidebar(con)
        select_articles(con, start, end, undated, publishers, entity)
        page(con, db, entity)
    finally:
        con.close()


main()
