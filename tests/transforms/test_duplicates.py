"""Republished copies: an edited copy of an article links to the earliest copy; a different
article on the same event does not."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from flows.adapters.resources import credit_table
from tests.transforms.test_html import SEED_TEXT, TODAY
from transforms import schemas
from transforms.documents import parse_plain_text
from transforms.duplicates import (
    LINKS_SCHEMA,
    DuplicateIndex,
    duplicate_links,
    shingle_hashes,
    with_duplicate_links,
)

TABLE = credit_table()


ORIGINAL = parse_plain_text(SEED_TEXT, today=TODAY, credits=TABLE).body_text
_PARAS = ORIGINAL.split("\n\n")
EDITED = "\n\n".join(
    ["Advertisement", "Subscribe to our newsletter for the latest world news.",
     *_PARAS[:3],
     "Kim greeted his guest with a long embrace on the tarmac, state television showed, before "
     "the two leaders rode together in an open-top limousine through the centre of the city.",
     *_PARAS[4:],
     "Copyright 2024 Example Wire. All rights reserved. This story was republished with "
     "permission. Follow us on social media for more."])
SAME_EVENT = """Russian President Vladimir Putin landed in Pyongyang in the small hours of Wednesday
for his first visit to North Korea in 24 years, and was met at the airport by Kim Jong Un.

The two leaders are expected to sign an agreement on a comprehensive strategic partnership,
Kremlin aides told reporters in Moscow before the trip, while declining to give details.

Washington and Seoul have accused Pyongyang of supplying artillery shells and ballistic missiles
for the war in Ukraine, an allegation both governments deny. In exchange, officials believe,
Moscow could share satellite and submarine technology and send food and energy.

Thousands of residents waving flowers lined the road from the airport, state media reported,
and portraits of the Russian leader hung from buildings in the capital's main square.

Analysts in Seoul said the summit showed how far both countries had been pushed together by
sanctions, and warned that closer military cooperation could destabilise the region. A
spokesperson for the South Korean foreign ministry said the government was watching closely
and would respond to any violation of UN Security Council resolutions.

Putin thanked his host for what he called steadfast support, and invited Kim to visit Moscow.
The visit ends on Thursday when the Russian leader flies on to Vietnam."""


def table(rows: list[dict]) -> pa.Table:
    return pa.table({
        "article_id": [r["article_id"] for r in rows],
        "body_text": [r["body_text"] for r in rows],
        "published_date": pa.array([r.get("published_date") for r in rows], pa.date32()),
        "fetched_at": pa.array([r.get("fetched_at") for r in rows],
                               pa.timestamp("us", tz="UTC")),
    })


def links_of(rows: list[dict]) -> dict[str, tuple[str | None, float | None]]:
    out = duplicate_links(table(rows))
    assert out.schema == LINKS_SCHEMA
    return {a: (d, s) for a, d, s in zip(*(out.column(c).to_pylist() for c in out.column_names),
                                         strict=True)}


D1, D2 = dt.date(2024, 6, 19), dt.date(2024, 6, 20)
T1 = dt.datetime(2024, 6, 19, 8, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 6, 19, 9, tzinfo=dt.UTC)


def test_edited_copy_links_to_the_original() -> None:
    links = links_of([
        {"article_id": "copy", "body_text": EDITED, "published_date": D2},
        {"article_id": "orig", "body_text": ORIGINAL, "published_date": D1},
        {"article_id": "other", "body_text": SAME_EVENT, "published_date": D1},
    ])
    assert links["orig"] == (None, None)
    assert links["other"] == (None, None)
    target, similarity = links["copy"]
    assert target == "orig"
    assert similarity is not None and 0.6 <= similarity < 1.0


@pytest.mark.parametrize(("a", "b", "expected_first"), [
    # earliest published_date wins, whatever the ids
    ({"published_date": D2}, {"published_date": D1}, "b"),
    # a known date beats an unknown one
    ({"published_date": None}, {"published_date": D2}, "b"),
    # same date: earliest fetch
    ({"published_date": D1, "fetched_at": T2}, {"published_date": D1, "fetched_at": T1}, "b"),
    # nothing known: smallest article_id
    ({}, {}, "a"),
])
def test_earliest_copy_is_the_target(a: dict, b: dict, expected_first: str) -> None:
    links = links_of([{"article_id": "a", "body_text": ORIGINAL, **a},
                      {"article_id": "b", "body_text": EDITED, **b}])
    later = "a" if expected_first == "b" else "b"
    assert links[expected_first] == (None, None)
    assert links[later][0] == expected_first


def test_three_copies_form_one_story_in_any_order() -> None:
    third = EDITED.replace("Advertisement", "Sponsored")
    rows = [{"article_id": "x1", "body_text": ORIGINAL, "published_date": D1},
            {"article_id": "x2", "body_text": EDITED, "published_date": D2},
            {"article_id": "x3", "body_text": third, "published_date": D2}]
    forward, backward = links_of(rows), links_of(rows[::-1])
    assert forward == backward
    assert [forward[k][0] for k in ("x1", "x2", "x3")] == [None, "x1", "x1"]


@pytest.mark.parametrize("body", [
    SAME_EVENT,  # same event, other words
    "\n\n".join(_PARAS[:2]),  # a short excerpt of the article is not a republished copy
    "",  # no body
    "Putin in Pyongyang.",  # too short to compare
])
def test_not_duplicates(body: str) -> None:
    links = links_of([{"article_id": "orig", "body_text": ORIGINAL},
                      {"article_id": "zzz", "body_text": body}])
    assert links == {"orig": (None, None), "zzz": (None, None)}


def test_exact_copy_similarity_is_one() -> None:
    links = links_of([{"article_id": "a", "body_text": ORIGINAL},
                      {"article_id": "b", "body_text": ORIGINAL.upper()}])
    assert links["b"] == ("a", 1.0)


def test_incremental_batches_match_one_call() -> None:
    rows = [{"article_id": f"id{i}", "body_text": body, "published_date": D1}
            for i, body in enumerate([ORIGINAL, SAME_EVENT, EDITED, ORIGINAL + " More."])]
    index = DuplicateIndex()
    for row in rows[::-1]:
        index.add([row["article_id"]], [row["body_text"]], [row["published_date"]], [None])
    assert index.links().sort_by("article_id").equals(
        duplicate_links(table(rows)).sort_by("article_id"))
    index.add(["id0"], [ORIGINAL])  # a repeated id stays a row of its own, unlinked
    assert index.links().column("duplicate_of").to_pylist()[-1] is None


def test_with_duplicate_links_fills_the_articles_schema() -> None:
    articles = schemas.ARTICLES.empty_table()
    assert with_duplicate_links(articles).schema == schemas.ARTICLES
    small = table([{"article_id": "a", "body_text": ORIGINAL},
                   {"article_id": "b", "body_text": EDITED}])
    before = small
    out = with_duplicate_links(small)
    assert out.column("duplicate_of").to_pylist() == [None, "a"]
    assert out.schema.field("duplicate_similarity").type == pa.float32()
    assert small.equals(before) and "duplicate_of" not in small.column_names  # input untouched


def test_shingles_ignore_case_and_punctuation() -> None:
    a = shingle_hashes("The quick brown fox jumps over the lazy dog.")
    b = shingle_hashes("the QUICK brown fox -- jumps over the lazy dog")
    assert set(a.tolist()) == set(b.tolist()) and len(a) == 5
    assert len(shingle_hashes("too short")) == 0
