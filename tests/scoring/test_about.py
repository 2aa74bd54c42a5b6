"""Who about whom and how often (scoring.about): the gold rule, the pairs and the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from scoring import about
from scoring.identity import Person

PEOPLE = [Person("Donald Trump", ("Donald Trump", "Trump")),
          Person("Hillary Clinton", ("Hillary Clinton", "Hillary")),
          Person("Barack Obama", ("Barack Obama", "Obama"))]


@dataclass(frozen=True)
class Gold:
    source: str
    content: str


@pytest.mark.parametrize(("source", "person"), [
    ("Donald Trump", "Donald Trump"),
    ("Trump", "Donald Trump"),
    ("Republican nominee Donald Trump", "Donald Trump"),
    ("Trump, the Republican nominee", "Donald Trump"),
    ("Hillary Clinton, who spoke in Ohio", "Hillary Clinton"),
    # negatives: a possessive, a modifier, a pronoun, a description, a longer name
    ("Trump's campaign", None),
    ("The Trump campaign", None),
    ("a Hillary Clinton supporter", None),
    ("Clinton's communications director", None),
    ("he", None),
    ("the Republican nominee", None),
    ("Donald Trump Jr.", None),
    ("Melania Trump", None),
    ("Mrs. Trump", None),
    ("Sen. Donald Trump", "Donald Trump"),
])
def test_source_person_is_the_name_that_heads_the_source(source: str, person: str | None) -> None:
    assert about.source_person(source, PEOPLE) == person


@pytest.mark.parametrize(("source", "is_name"), [
    ("Trump", True), ("Sen. Ted Cruz", True), ("Mrs. Clinton", True),
    ("Trump, the nominee", True),
    ("he", False), ("She", False), ("the nominee", False), ("the Trump campaign", False),
    ("Clinton's spokesman", False), ("", False),
])
def test_only_a_named_source_counts_for_a_person(source: str, is_name: bool) -> None:
    assert about.head_is_a_name(source) is is_name


def test_gold_pairs_leave_out_the_source_and_unnamed_sources() -> None:
    gold = {"a": [Gold("Trump", "Hillary Clinton and Trump lied about Obama"),
                  Gold("he", "Obama was wrong"),
                  Gold("Obama", "nothing about anyone")]}
    statements = about.gold_statements(gold, PEOPLE)
    assert about.pairs_of(statements["a"]) == {("Donald Trump", "Hillary Clinton"),
                                               ("Donald Trump", "Barack Obama")}
    assert about.counts_of(statements) == Counter({"Donald Trump": 1, "Barack Obama": 1})


def test_pair_scores_are_micro_over_articles() -> None:
    gold = {"a": {("T", "C"), ("T", "O")}, "b": {("C", "T")}}
    pred = {"a": {("T", "C")}, "b": {("C", "T"), ("C", "O")}, "z": {("X", "Y")}}
    r = about.pair_scores(gold, pred)
    # "z" is not a gold article: it is not scored
    assert (r["pairs_gold"], r["pairs_pred"]) == (3, 3)
    assert r["pairs_precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["pairs_recall"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.parametrize(("a", "b", "rho"), [
    ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
    ([1, 2, 3, 4], [40, 30, 20, 10], -1.0),
    ([1, 2, 2, 3], [1, 2, 2, 3], 1.0),
    ([5], [5], 0.0),  # one person has no ranking
])
def test_spearman(a: list[float], b: list[float], rho: float) -> None:
    assert about.spearman(a, b) == pytest.approx(rho)


def test_counts_cover_people_with_enough_gold_claims() -> None:
    gold = Counter({"T": 10, "C": 4, "O": 2})
    pred = Counter({"T": 12, "C": 4, "O": 9})
    r = about.count_scores(gold, pred, min_gold=3)
    assert r["people"] == 2  # O has 2 gold claims: left out
    assert r["count_median_error"] == pytest.approx(0.1)  # median of 0.2 and 0.0
    assert r["counts"] == {"C": [4, 4], "T": [10, 12]}


def test_predicted_statements_map_ids_to_people_and_skip_unnamed_sources() -> None:
    ids = {"Donald Trump": "t1", "Hillary Clinton": "c1", "Barack Obama": None}
    claims = [("a", "k1", "t1", "Trump"), ("a", "k2", "t1", "he"),
              ("a", "k3", "c1", "Clinton's campaign"), ("b", "k4", "x9", "Someone Else")]
    targets = [("k1", "c1"), ("k1", "t1"), ("k2", "c1"), ("k4", "t1")]
    got = about.predicted_statements(claims, targets, ids)
    assert got["a"] == [("Donald Trump", frozenset({"Hillary Clinton"})),
                        (None, frozenset({"Hillary Clinton"})),
                        (None, frozenset())]
    assert got["b"] == [(None, frozenset({"Donald Trump"}))]
