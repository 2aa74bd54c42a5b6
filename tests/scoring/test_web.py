"""Web extraction scoring: snippets found or not, metadata folded, missing pages empty."""

from __future__ import annotations

import pytest

from scoring.web import fold, score_pages

GOLD = [
    {"file": "a.html", "with": ["The council met", "budget for next year"],
     "without": ["Subscribe now"], "title": "Council Meets", "date": "2024-03-14",
     "author": "Anna Schmidt; Jan Roe"},
    {"file": "b.html", "with": ["Die Mehrheit stimmte"], "without": ["Impressum"],
     "title": ["Haushalt", "Neuer Haushalt"], "author": "Max Mustermann"},
]


@pytest.mark.parametrize(("text", "expected"), [
    ("The  Council – meets!", "the council meets"), ("ＦＵＬＬ width", "full width"),
    (None, ""), ("Ä-ö ß", "ä ö ß"),
])
def test_fold(text: object, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(("predictions", "expected"), [
    # everything right
    ({"a.html": {"body": "The council met. The budget for next year.", "title": "council meets",
                 "date": "2024-03-14T10:00", "authors": ["Jan Roe"]},
      "b.html": {"body": "Die Mehrheit stimmte zu.", "title": "Neuer Haushalt", "date": None,
                 "authors": ["Max Mustermann"]}},
     {"pages_produced": 2, "precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0,
      "title_acc": 1.0, "date_acc": 1.0, "author_acc": 1.0}),
    # boilerplate kept, a snippet lost, wrong title and author, second page missing
    ({"a.html": {"body": "The council met. Subscribe now", "title": "Council Meets | Site",
                 "date": "2024-03-15", "authors": ["Anna"]}},
     {"pages_produced": 1, "precision": 0.5, "recall": 0.3333, "f1": 0.4, "accuracy": 0.4,
      "title_acc": 0.0, "date_acc": 0.0, "author_acc": 0.0}),
    # nothing produced
    ({}, {"pages_produced": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0, "accuracy": 0.4,
          "title_acc": 0.0, "date_acc": 0.0, "author_acc": 0.0}),
])
def test_score_pages(predictions: dict, expected: dict) -> None:
    got = score_pages(GOLD, predictions)
    assert got["pages"] == 2
    assert {k: got[k] for k in expected} == expected
