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


def date_range(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    row = con.execute("SELECT min(published_date), max(published_date) FROM wh.articles"
                      ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def date_filter(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date, bool]:
    """(start, end, include undated); without any dated article there is nothing to pick."""
    lo, hi = date_range(con)
    if lo is None or hi is None:
        st.sidebar.caption("No article has a publication date, so there are no dates to pick.")
        return dt.date.min, dt.date.max, True
    picked = st.sidebar.date_input("Published between", value=(lo, hi), min_value=lo,
                                   max_value=hi, key="dates")
    dates = list(picked) if isinstance(picked, tuple | list) else [picked]
    start = dates[0] if dates else lo
    end = dates[1] if len(dates) > 1 else start if dates else hi
    undated = st.sidebar.checkbox("Include undated articles", value=True, key="undated")
    return start, end, undated


def sidebar(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date, bool, list[str],
                                                     str | None]:
    st.sidebar.header("Filters")
    start, end, undated = date_filter(con)
    publishers = [p for (p,) in con.execute(
        "SELECT DISTINCT coalesce(publisher, ?) FROM wh.articles ORDER BY 1", [NO_PUBLISHER]
    ).fetchall()]
    chosen = (st.sidebar.multiselect("Publisher", publishers, placeholder="All publishers",
                                     key="publishers")
              if publishers != [NO_PUBLISHER] else [])
    entities = con.execute(
        "SELECT entity_id, name, label, sum(articles) FROM wh.entity_mentions_by_day "
        "GROUP BY ALL ORDER BY 4 DESC, name LIMIT 5000").fetchall()
    labels = {e: f"{n} ({lab}, {k} articles)" for e, n, lab, k in entities}
    entity = st.sidebar.selectbox("Entity (articles that mention it)", [None, *labels],
                                  format_func=lambda e: "All entities" if e is None else labels[e],
                                  key="entity")
    return start, end, undated, chosen, entity


# -- the page: one function per section, laid out by page() -----------------------------------

TOP_SPEAKERS = 8
TOP_SOURCES = 15
TOP_ENTITIES = 15
UNDATED_NOTE = ("No article in this selection has a publication date, so there is nothing to "
                "draw over time.")


def headline_metrics(con: duckdb.DuckDBPyConnection) -> None:
    [(articles, stories, quotes, claims, speakers)] = con.execute(
        "SELECT (SELECT count(*) FROM articles), "
        "(SELECT count(DISTINCT coalesce(duplicate_of, article_id)) FROM articles), "
        "(SELECT count(*) FROM quotes WHERE NOT is_scare_quote), "
        "(SELECT count(*) FROM claims), (SELECT count(*) FROM speakers)").fetchall()
    cols = st.columns(5)
    for col, label, value in zip(cols, ("Articles", "Stories", "Quotes", "Claims", "Speakers"),
                                 (articles, stories, quotes, claims, speakers), strict=True):
        col.metric(label, f"{value:,}")


def period_of(con: duckdb.DuckDBPyConnection) -> str:
    """The step of a time axis that gives a readable number of points: day, week or month."""
    [(days,)] = con.execute("SELECT max(published_date) - min(published_date) FROM articles"
                            ).fetchall()
    return "day" if days is None or days <= 60 else "week" if days <= 400 else "month"


def quoted_over_time(con: duckdb.DuckDBPyConnection) -> None:
    """Claims (direct and indirect) per period by the most cited speakers of the selection."""
    st.subheader("Who is quoted most, over time")
    period = period_of(con)
    data = df(con, f"""
        WITH top AS (SELECT speaker_name FROM speakers
                     ORDER BY quotes + claims DESC, speaker_name LIMIT {TOP_SPEAKERS})
        SELECT date_trunc('{period}', published_date)::DATE AS {period},
               source_name AS speaker, count(*) AS claims
        FROM claim_details JOIN top ON source_name = top.speaker_name
        WHERE published_date IS NOT NULL GROUP BY ALL ORDER BY 1, 2""")
    if data.empty:
        st.info(UNDATED_NOTE)
        return
    st.caption(f"Claims per {period} by the {TOP_SPEAKERS} most cited speakers.")
    st.line_chart(data, x=period, y="claims", color="speaker", height=360)


def articles_over_time(con: duckdb.DuckDBPyConnection) -> None:
    st.subheader("Articles and stories per day")
    data = df(con, "SELECT day, articles, stories FROM story_counts "
                   "WHERE day IS NOT NULL ORDER BY day")
    if data.empty:
        st.info(UNDATED_NOTE)
        return
    st.bar_chart(data, x="day", y=["articles", "stories"], stack=False, height=360)


def who_is_quoted(con: duckdb.DuckDBPyConnection) -> None:
    st.subheader("Who is quoted")
    table(df(con, "SELECT speaker_name, label, quotes, claims, articles, stories, "
                  "first_seen, last_seen, roles FROM speakers "
                  "ORDER BY quotes + claims DESC, speaker_name LIMIT 50"), "speakers",
          speaker_name=st.column_config.TextColumn("speaker", width="medium"),
          roles=st.column_config.ListColumn("roles", width="large"))


def stance_mix(con: duckdb.DuckDBPyConnection) -> None:
    """What the most cited sources do when cited: each bar one source, split by stance."""
    st.subheader("Stance mix of the most cited sources")
    data = df(con, f"""
        WITH top AS (SELECT source_name, count(*) AS total FROM claim_details
                     WHERE source_name IS NOT NULL GROUP BY 1
                     ORDER BY 2 DESC, 1 LIMIT {TOP_SOURCES})
        SELECT c.source_name || ' (' || top.total || ')' AS source, c.stance, count(*) AS claims,
               top.total
        FROM claim_details AS c JOIN top USING (source_name) GROUP BY ALL""")
    if data.empty:
        st.info("No claim in this selection has a named source.")
        return
    st.caption("Share of each source's claims by the stance of its cue (claims in brackets).")
    order = data.sort_values(["total", "source"], ascending=[False, True])["source"].unique()
    st.vega_lite_chart(data, {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "source", "type": "nominal", "sort": list(order), "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "claims", "type": "quantitative", "stack": "normalize",
                  "title": "share of the source's claims", "axis": {"format": "%"}},
            "color": {"field": "stance", "type": "nominal", "title": "stance",
                      "scale": {"scheme": "tableau10"}},
            "order": {"field": "stance"},
        },
        "height": {"step": 22},
    }, width="stretch")


def cooccurrence(con: duckdb.DuckDBPyConnection) -> None:
    """How often the most mentioned entities appear in the same article, as a grid."""
    st.subheader("Entities mentioned together")
    data = df(con, f"""
        WITH top AS (SELECT entity_id, name, sum(articles) AS n FROM entity_mentions_by_day
                     GROUP BY ALL ORDER BY n DESC, name LIMIT {TOP_ENTITIES}),
             pairs AS (SELECT name_a AS a, name_b AS b, articles FROM entity_cooccurrence
                       WHERE entity_id_a IN (SELECT entity_id FROM top)
                         AND entity_id_b IN (SELECT entity_id FROM top))
        SELECT a, b, articles FROM pairs UNION ALL SELECT b, a, articles FROM pairs""")
    if data.empty:
        st.info("No two entities are mentioned in the same article in this selection.")
        return
    order = [n for (n,) in con.execute(
        "SELECT name FROM entity_mentions_by_day GROUP BY entity_id, name "
        f"ORDER BY sum(articles) DESC, name LIMIT {TOP_ENTITIES}").fetchall()]
    st.caption(f"Articles that mention both, among the {TOP_ENTITIES} most mentioned entities.")
    axis = {"type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 200}}
    st.vega_lite_chart(data, {
        "layer": [
            {"mark": {"type": "rect", "tooltip": True},
             "encoding": {"color": {"field": "articles", "type": "quantitative",
                                    "scale": {"scheme": "blues"}, "title": "articles"}}},
            {"mark": {"type": "text", "fontSize": 10},
             "encoding": {"text": {"field": "articles", "type": "quantitative"},
                          "color": {"value": "#333"}}},
        ],
        "encoding": {"x": {"field": "a", **axis, "axis": {"labelAngle": -45, "labelLimit": 200,
                                                           "labelOverlap": False}},
                     "y": {"field": "b", **axis, "axis": {"labelLimit": 200,
                                                          "labelOverlap": False}}},
        "height": {"step": 26},
    }, width="stretch")


def most_mentioned(con: duckdb.DuckDBPyConnection) -> None:
    st.subheader("Most mentioned entities")
    data = df(con, "SELECT name || ' (' || label || ')' AS entity, sum(articles) AS articles "
                   "FROM entity_mentions_by_day GROUP BY entity_id, name, label "
                   f"ORDER BY articles DESC, name LIMIT {TOP_ENTITIES}")
    if data.empty:
        st.info("No entity is mentioned in this selection.")
        return
    st.vega_lite_chart(data, {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "entity", "type": "nominal", "sort": "-x", "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "articles", "type": "quantitative",
                  "title": "articles that mention it"}},
        "height": {"step": 22},
    }, width="stretch")


def photo_credits(con: duckdb.DuckDBPyConnection) -> None:
    st.subheader("Photo credits")
    table(df(con, "SELECT agency, photographer, distributor, captions, articles "
                  "FROM caption_credits ORDER BY captions DESC LIMIT 50"), "credits")


def claims_section(con: duckdb.DuckDBPyConnection) -> None:
    st.subheader("Claims")
    st.caption(f"Newest first, at most {CLAIM_ROWS:,}; the link opens the article.")
    claims_df = df(con, "SELECT published_date, publisher, source_name, source_text, "
                        "source_kind, stance, content_text, article_url, title, source_role, "
                        "kind, cue_lemma, is_hedged FROM claim_details "
                        "ORDER BY published_date DESC NULLS LAST, article_id, claim_id LIMIT ?",
                   [CLAIM_ROWS])
    # source_uri is the fallback link: only a URL (with a scheme) is made a link.
    is_url = claims_df["article_url"].str.contains("://", regex=False, na=False)
    claims_df["source_uri"] = claims_df["article_url"].where(~is_url)
    claims_df["article_url"] = claims_df["article_url"].where(is_url)
    table(claims_df, "claims",
          article_url=st.column_config.LinkColumn("article", display_text="open"),
          source_name=st.column_config.TextColumn("source", width="medium"),
          source_text=st.column_config.TextColumn("source as written"),
          content_text=st.column_config.TextColumn("content", width="large"),
          title=st.column_config.TextColumn("article title", width="medium"))
    st.markdown("**Latest claims, as text**")
    st.markdown("\n".join(claim_line(r) for r in claims_df.head(FEED_ROWS).itertuples())
                or "No claims in this selection.")


def page(con: duckdb.DuckDBPyConnection, db: Path, entity: str | None) -> None:
    st.title("newsflow: who is quoted saying what about whom")
    st.caption(f"Warehouse {db} (release {db.resolve().parent.name}), read-only.")
    headline_metrics(con)
    if df(con, "SELECT 1 FROM articles WHERE published_date IS NOT NULL LIMIT 1").empty:
        st.info(UNDATED_NOTE)  # one note instead of two empty charts
    else:
        left, right = st.columns(2)
        with left:
            quoted_over_time(con)
        with right:
            articles_over_time(con)
    left, right = st.columns(2)
    with left:
        who_is_quoted(con)
    with right:
        stance_mix(con)
    left, right = st.columns(2)
    with left:
        cooccurrence(con)
    with right:
        most_mentioned(con)
    who_about_whom_section(con, entity)
    claims_section(con)
    photo_credits(con)


TABLE_LABELS = {"speaker_name": "speaker", "name_a": "entity", "name_b": "entity",
                "first_seen": "first seen", "last_seen": "last seen",
                "published_date": "published", "source_kind": "source kind",
                "source_role": "source role", "cue_lemma": "cue", "is_hedged": "hedged",
                "source_uri": "source file"}


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
    """A table for people: readable headings, dates as dates, and no column that is empty
    throughout (an all-"None" column says nothing)."""
    data = data[[c for c in data.columns if data[c].notna().any()]]
    config = {c: v for c, v in config.items() if c in data.columns}
    labels = {c: st.column_config.Column(label) for c, label in TABLE_LABELS.items()
              if c in data.columns}
    dates = {c: st.column_config.DateColumn(TABLE_LABELS.get(c, c), format="YYYY-MM-DD")
             for c in data.columns if c in ("day", "published_date", "first_seen", "last_seen")}
    st.dataframe(data, hide_index=True, key=key,
                 column_config={**labels, **dates, **config})


def _md(text: object) -> str:
    """Text shown literally inside Markdown."""
    out = str(text).replace("\n", " ")
    for ch in "\\`*_{}[]()<>#+-.!|$~":
        out = out.replace(ch, "\\" + ch)
    return out


QUOTE_MARKS = "\"“”‘’'"


def _unquoted(text: str) -> str:
    """Content without the quotation marks it came with: the feed adds its own."""
    stripped = text.strip()
    if len(stripped) > 1 and stripped[0] in QUOTE_MARKS and stripped[-1] in QUOTE_MARKS + ",.":
        return stripped.strip(QUOTE_MARKS + ",").strip()
    return stripped


def claim_line(r: Any) -> str:
    source = (r.source_name if isinstance(r.source_name, str)
              else f"‘{r.source_text}’" if isinstance(r.source_text, str) else "(no source)")
    role = f", {r.source_role}" if isinstance(r.source_role, str) else ""
    day = r.published_date.date().isoformat() if not pd.isna(r.published_date) else "undated"
    title = r.title.strip().rstrip(".") if isinstance(r.title, str) and r.title.strip() else None
    where = ", ".join(x for x in (title, r.publisher if isinstance(r.publisher, str) else None,
                                  day) if x)
    if isinstance(r.article_url, str):
        link = f"[{_md(where)}](<{r.article_url}>)"
    elif title:
        link = f"*{_md(where)}*"
    else:
        link = f"{_md(where)}, `{r.source_uri}`"
    return (f"- **{_md(source)}**{_md(role)} ({_md(r.source_kind)}, {_md(r.stance)}): "
            f"“{_md(_unquoted(str(r.content_text)))}” — {link}")


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
