"""Corpus-level identity: per-article entity rows -> one id per real-world entity, whatever
the order or grouping the articles arrive in."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.identity import Person, entity_identity, names_in, speaker_identity
from transforms.entities import id_for, name_key
from transforms.identity import (
    Corpus,
    id_map,
    registry,
    resolve,
    resolve_corpus,
    superseded,
)

P, ORG, G = "PERSON", "ORG", "GPE"
KINDS = {P: "person", ORG: "org", G: "place", "FAC": "place", "NORP": "norp", "PRODUCT": "other"}


def row(article: str, name: str, label: str = P, aliases: tuple[str, ...] = (),
        mentions: int = 1) -> dict[str, Any]:
    return {"article_id": article, "entity_id": id_for(KINDS[label], name_key(name)),
            "name": name, "label": label, "kind": KINDS[label], "key": name_key(name),
            "aliases": [name, *aliases], "mention_count": mentions, "mentions": []}


def corpus_ids(rows: list[dict[str, Any]]) -> dict[str, str]:
    """name as written -> its corpus id."""
    ids, _ = resolve_corpus(rows)
    return {r["name"]: ids[r["entity_id"]] for r in rows}


def person(name: str) -> str:
    return id_for("person", name)


CASES = [
    pytest.param([row("a1", "Joe Biden"), row("a2", "Biden")],
                 {"Joe Biden": person("joe biden"), "Biden": person("joe biden")},
                 id="surname-alone-resolves-to-the-one-full-name"),
    pytest.param([row("a1", "Donald J. Trump"), row("a2", "Donald Trump"),
                  row("a3", "Donald John Trump")],
                 {"Donald J. Trump": person("donald trump"), "Donald Trump": person("donald trump"),
                  "Donald John Trump": person("donald trump")}, id="middle-names-and-initials"),
    pytest.param([row("a1", "Trump", ORG), row("a2", "Donald Trump", aliases=("Trump",)),
                  row("a3", "Donald Trump", aliases=("Trump",))],
                 {"Trump": person("donald trump")}, id="surname-tagged-org-is-the-person"),
    pytest.param([row("a1", "Trump Tower", ORG), row("a2", "Donald Trump", aliases=("Trump",))],
                 {"Trump Tower": id_for("org", "trump tower")}, id="trump-tower-is-not-trump"),
    pytest.param([row("a1", "Kim Il Sung Square", "FAC"), row("a2", "Kim Jong Un")],
                 {"Kim Il Sung Square": id_for("place", "kim il sung square"),
                  "Kim Jong Un": person("kim un")}, id="square-is-not-kim"),
    pytest.param([row("a1", "Bush"), row("a2", "George W. Bush"), row("a3", "Jeb Bush")],
                 {"Bush": person("bush"), "Jeb Bush": person("jeb bush")},
                 id="several-candidates-stay-apart"),
    pytest.param([row("a1", "George W. Bush"), row("a2", "George H.W. Bush"),
                  row("a3", "George Bush")],
                 {"George W. Bush": person("george w bush"),
                  "George H.W. Bush": person("george hw bush"),
                  "George Bush": person("george bush")},
                 id="differing-middles-stay-apart"),
    pytest.param([row("a1", "Wasserman Schultz"), row("a2", "Debbie Wasserman Schultz")],
                 {"Wasserman Schultz": person("debbie schultz")}, id="two-word-surname"),
    pytest.param([row("a1", "Wasserman Schultz"), row("a2", "Debbie Wasserman Schultz"),
                  row("a3", "Anna Wasserman Schultz")],
                 {"Wasserman Schultz": person("wasserman schultz")},
                 id="two-word-surname-two-people"),
    pytest.param([row("a1", "Donald Trump Jr."), row("a2", "Donald Trump")],
                 {"Donald Trump Jr.": person("donald trump jr"),
                  "Donald Trump": person("donald trump")}, id="suffix-is-another-person"),
    pytest.param([row("a1", "Clinton")]
                 + [row(f"h{i}", "Hillary Clinton", aliases=("Clinton",)) for i in range(9)]
                 + [row("b1", "Bill Clinton", aliases=("Clinton",))],
                 {"Clinton": person("hillary clinton"), "Bill Clinton": person("bill clinton")},
                 id="dominant-reading-of-a-shared-surname"),
    pytest.param([row("a1", "Clinton")]
                 + [row(f"h{i}", "Hillary Clinton", aliases=("Clinton",)) for i in range(3)]
                 + [row(f"b{i}", "Bill Clinton", aliases=("Clinton",)) for i in range(2)],
                 {"Clinton": person("clinton")}, id="no-dominant-reading-no-guess"),
    pytest.param([row("a1", "Obama")]
                 + [row(f"b{i}", "Barack Obama") for i in range(15)]
                 + [row(f"m{i}", "Michelle Obama") for i in range(4)],
                 {"Obama": person("barack obama"), "Michelle Obama": person("michelle obama")},
                 id="prominence-decides-a-shared-surname"),
    pytest.param([row("a1", "Obama")]
                 + [row(f"b{i}", "Barack Obama") for i in range(5)]
                 + [row(f"m{i}", "Michelle Obama") for i in range(4)],
                 {"Obama": person("obama")}, id="no-prominent-one-no-guess"),
    pytest.param([row("a1", "Hillary"), row("a2", "Crooked Hillary")]
                 + [row(f"h{i}", "Hillary Clinton", aliases=("Hillary",)) for i in range(3)],
                 {"Hillary": person("hillary clinton")}, id="first-name-by-evidence"),
    pytest.param([row("a1", "Washington", G), row("a2", "Washington", G),
                  row("a3", "George Washington", aliases=("Washington",))],
                 {"Washington": id_for("place", "washington")}, id="the-city-stays-a-place"),
    pytest.param([row("a1", "U.S.", G), row("a2", "United States", G)],
                 {"U.S.": id_for("place", "united states")}, id="acronym-to-long-form"),
    pytest.param([row("a1", "UN", ORG), row("a2", "United Nations", ORG),
                  row("a3", "Ukrainian Navy", ORG)],
                 {"UN": id_for("org", "un")}, id="acronym-with-two-long-forms-stays"),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_resolution(rows: list[dict[str, Any]], expected: dict[str, str]) -> None:
    got = corpus_ids(rows)
    assert {name: got[name] for name in expected} == expected


def _articles() -> list[list[dict[str, Any]]]:
    return [
        [row("a1", "Biden")],
        [row("a2", "Joe Biden", aliases=("Biden",)), row("a2", "Trump", ORG)],
        [row("a3", "Donald J. Trump", aliases=("Trump",), mentions=3)],
        [row("a4", "Kim Jong Un"), row("a4", "Kim Il Sung Square", "FAC")],
        [row("a5", "Clinton"), row("a5", "U.S.", G)],
        [row("a6", "Hillary Clinton", aliases=("Clinton", "Hillary")),
         row("a6", "United States", G)],
        [row("a7", "Bill Clinton", aliases=("Clinton",))],
        [row("a8", "Donald Trump", aliases=("Trump",)), row("a8", "Ivanka Trump")],
    ]


def _one_go(articles: list[list[dict[str, Any]]]) -> dict[str, str]:
    return id_map(resolve(Corpus().add(r for a in articles for r in a)))


@pytest.mark.parametrize("seed", range(8))
def test_one_go_any_order_and_incremental_give_the_same_ids(seed: int) -> None:
    articles = _articles()
    expected = _one_go(articles)
    rnd = random.Random(seed)
    shuffled = rnd.sample(articles, len(articles))
    assert _one_go(shuffled) == expected
    # incremental: file by file, each state merged into the one before
    state = Corpus()
    for article in shuffled:
        state = state.merge(Corpus().add(article))
    assert id_map(resolve(state)) == expected


def test_rerun_gives_identical_ids_and_unrelated_articles_change_none() -> None:
    articles = _articles()
    before = _one_go(articles)
    assert _one_go(articles) == before
    after = _one_go([*articles, [row("z1", "Angela Merkel"), row("z2", "Reuters", ORG)]])
    assert {k: after[k] for k in before} == before


def test_registry_keeps_superseded_ids_with_the_id_they_merged_into() -> None:
    first = [row("a1", "Biden")]
    c1 = Corpus().add(first)
    r1 = resolve(c1)
    old_id = r1[("person", "biden")].entity_id
    assert old_id == person("biden")
    previous = [{**vars(e), "aliases": list(e.aliases), "merged_into": None}
                for e in registry(c1, r1).values()]
    c2 = Corpus().add([*first, row("a2", "Joe Biden", aliases=("Biden",))])
    r2 = resolve(c2)
    entries = registry(c2, r2)
    old = superseded(previous, entries, r2)
    assert [(o["entity_id"], o["merged_into"]) for o in old] == [(old_id, person("joe biden"))]
    # a third release still carries it, pointing at the current id
    assert superseded(old, entries, r2)[0]["merged_into"] == person("joe biden")


def test_registry_names_and_labels() -> None:
    rows = [row("a1", "DONALD TRUMP"), row("a2", "Donald J. Trump", aliases=("Trump",)),
            row("a3", "Donald Trump"), row("a4", "Bernie Sanders", ORG),
            row("a5", "Bernie Sanders"), row("a6", "Bernie Sanders")]
    _, entries = resolve_corpus(rows)
    trump = entries[person("donald trump")]
    assert (trump.name, trump.label, trump.articles) == ("Donald J. Trump", P, 3)
    assert entries[person("bernie sanders")].label == P


# --- the identity figures ---------------------------------------------------------------------

TRUMP = Person("Donald Trump", ("Donald Trump", "Trump"))


@pytest.mark.parametrize(("text", "named"), [
    ("Mr. Trump said", False),  # a title is a capitalised word: "Mrs. Trump" may be Melania
    ("Donald Trump said", True),
    ("and Trump’s plan", True),
    ("at Trump Tower", False),
    ("Ivanka Trump said", False),
    ("Donald Trump Jr. said", False),
    ("said. Trump", True),
    ("Trumpet", False),
])
def test_names_in_is_a_whole_word_outside_longer_names(text: str, named: bool) -> None:
    assert names_in(text, TRUMP) is named


def test_identity_figures() -> None:
    bodies = {"a1": "Donald Trump came", "a2": "then Trump spoke", "a3": "so Trump left",
              "a4": "at Trump Tower"}
    rows = [row("a1", "Donald Trump"), row("a2", "Trump"), row("a3", "Trump", ORG),
            row("a3", "Donald Trump", aliases=("Trump",)), row("a4", "Trump Tower", ORG)]
    figures = entity_identity(bodies, rows, [TRUMP])
    # a1 passes; a2 carries another id; a3 has two rows; a4 does not name him
    assert (figures["entity_identity"], figures["pairs"]) == (1 / 3, 3)
    tid = figures["ids"]["Donald Trump"]
    said = [("Trump", tid), ("Donald Trump", "other"), ("he", None), ("Mr. Trump", tid)]
    assert speaker_identity(said, [TRUMP], figures["ids"]) == {"speaker_identity": 0.5,
                                                                "speaker_rows": 2}


# --- incremental = one go ---------------------------------------------------------------------

# Articles whose resolution depends on what else the corpus holds: an acronym and its long form
# apart; a bare surname before its full name; a full name after its surname went to someone
# else (three Hillary Clinton articles make "Clinton" hers, then Bill Clinton arrives); two rows
# of one article that the corpus makes one entity.
SPLIT_ARTICLES = [
    [row("u1", "U.S.", G, mentions=2)],
    [row("u2", "United States", G), row("u2", "U.S.", G)],
    [row("b1", "Biden")],
    [row("b2", "Joe Biden", aliases=("Biden",))],
    [row("c1", "Clinton"), row("c1", "State Department", ORG)],
    *[[row(f"h{i}", "Hillary Clinton", aliases=("Clinton",))] for i in range(3)],
    [row("w1", "Bill Clinton", aliases=("Clinton",)), row("w1", "Clinton", ORG)],
    [row("w2", "Bill Clinton", aliases=("Clinton",))],
    [row("t1", "Donald Trump", mentions=2), row("t1", "Donald J. Trump")],
    [row("t2", "Trump", ORG)],
    [row("n1", "NATO", ORG), row("n2", "North Atlantic Treaty Organization", ORG)],
]


def _published(rows: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[str]]:
    """What a publish decides: every article-level id's corpus id and the registry, sorted
    (news.duckdb's views apply them to the rows)."""
    ids, entries = resolve_corpus(rows)
    return sorted(ids.items()), sorted(repr(e) for e in entries.values())


@settings(max_examples=200, deadline=None)
@given(st.permutations(range(len(SPLIT_ARTICLES))), st.lists(st.integers(1, 12), min_size=1,
                                                             max_size=3, unique=True))
def test_runs_in_any_split_and_order_publish_what_one_go_does(order: list[int],
                                                              cuts: list[int]) -> None:
    """Each run publishes from the extracted rows of every article so far (never from the
    previous publish), so the last publish equals one go."""
    articles = [SPLIT_ARTICLES[i] for i in order]
    bounds = [0, *sorted(c for c in cuts if c < len(articles)), len(articles)]
    extracted: list[dict[str, Any]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        extracted += [r for article in articles[a:b] for r in article]
        published = _published(extracted)
    assert published == _published([r for a in SPLIT_ARTICLES for r in a])


@pytest.mark.parametrize(("first", "then", "name", "before", "after"), [
    pytest.param(["b1"], ["b2"], "Biden", person("biden"), person("joe biden"),
                 id="surname-before-its-full-name"),
    pytest.param(["c1", "h0", "h1", "h2"], ["w1", "w2"], "Clinton", person("hillary clinton"),
                 person("clinton"), id="full-name-after-the-surname-went-to-someone-else"),
    pytest.param(["u1"], ["u2"], "U.S.", id_for("place", "us"), id_for("place", "united states"),
                 id="acronym-before-its-long-form"),
])
def test_an_earlier_resolution_never_decides_a_later_one(first: list[str], then: list[str],
                                                         name: str, before: str,
                                                         after: str) -> None:
    by_id = {a[0]["article_id"]: a for a in SPLIT_ARTICLES}
    rows = [r for a in first for r in by_id[a]]
    assert corpus_ids(rows)[name] == before
    assert corpus_ids(rows + [r for a in then for r in by_id[a]])[name] == after
