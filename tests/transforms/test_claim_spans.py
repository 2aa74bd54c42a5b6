"""The learned attribution spans in the claims transform: agreement features, content
boundaries and span-only candidates, on Docs whose spans are set by hand (the model itself is
exercised through the annotator in test_claims.py and in the dev figures)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from transforms.claims import (
    Attribution,
    learned_spans,
    snapped,
    span_agreement,
    span_candidates,
)
from transforms.sections import LEARNED_SPANS

NLP = spacy.blank("en")


def doc_with(text: str, marks: list[tuple[str, str]]) -> Doc:
    """A Doc of ``text`` whose learned spans are the given (label, substring) pairs."""
    doc = NLP(text)
    spans = []
    for label, sub in marks:
        s = text.index(sub)
        span = doc.char_span(s, s + len(sub), label=label)
        assert span is not None, sub
        spans.append(Span(doc, span.start, span.end, label=label))
    doc.spans[LEARNED_SPANS] = spans
    return doc


def chars(text: str, sub: str) -> tuple[int, int]:
    s = text.index(sub)
    return s, s + len(sub)


def att(text: str, content: str, cue: str) -> Attribution:
    return Attribution(chars(text, content), None, None, chars(text, cue), "say", "indirect", 0.9)


TEXT = "The minister said on Monday that taxes would rise next year."


def test_learned_spans_are_grouped_by_label_and_empty_without_the_model() -> None:
    doc = doc_with(TEXT, [("SOURCE", "The minister"), ("CUE", "said"),
                          ("CONTENT", "that taxes would rise next year")])
    got = learned_spans(doc)
    assert got == {"SOURCE": [chars(TEXT, "The minister")], "CUE": [chars(TEXT, "said")],
                   "CONTENT": [chars(TEXT, "that taxes would rise next year")]}
    assert learned_spans(NLP(TEXT)) == {"SOURCE": [], "CUE": [], "CONTENT": []}


@pytest.mark.parametrize(("rule_content", "learned", "expected"), [
    # the rules took the time adverbial too; the learned content is the clause
    ("on Monday that taxes would rise next year", "that taxes would rise next year",
     "that taxes would rise next year"),
    # too little agreement: the rule's content stands
    ("that taxes would rise next year", "next year", "that taxes would rise next year"),
    # a learned span holding the cue is not this cue's content
    ("that taxes would rise next year", "minister said on Monday that taxes would rise",
     "that taxes would rise next year"),
])
def test_snapped_takes_the_learned_content_only_when_they_agree(rule_content: str, learned: str,
                                                                expected: str) -> None:
    a = att(TEXT, rule_content, "said")
    got = snapped(a, [chars(TEXT, learned)])
    assert TEXT[got.content[0]:got.content[1]] == expected


def test_snapped_without_learned_spans_changes_nothing() -> None:
    a = att(TEXT, "that taxes would rise next year", "said")
    assert snapped(a, []) == a


@pytest.mark.parametrize(("marks", "features"), [
    ([("CUE", "said"), ("CONTENT", "that taxes would rise next year")],
     {"span_cue": 1.0, "span_content": 1.0, "span_source": -1.0}),
    ([("CONTENT", "taxes would rise")],
     {"span_cue": 0.0, "span_content": len("taxes would rise") / len(
         "that taxes would rise next year"), "span_source": -1.0}),
    ([], {"span_cue": 0.0, "span_content": 0.0, "span_source": -1.0}),
])
def test_span_agreement(marks: list[tuple[str, str]], features: dict[str, float]) -> None:
    doc = doc_with(TEXT, marks)
    got = span_agreement(att(TEXT, "that taxes would rise next year", "said"), learned_spans(doc))
    assert got == pytest.approx(features)


def test_a_learned_content_no_candidate_covers_becomes_a_candidate() -> None:
    text = "Officials, speaking privately, conceded the deal was dead."
    doc = doc_with(text, [("SOURCE", "Officials"), ("CUE", "conceded"),
                          ("CONTENT", "the deal was dead")])
    got = span_candidates(doc, text, learned_spans(doc), [], "body")
    assert len(got) == 1
    a, cand = got[0]
    assert text[a.content[0]:a.content[1]] == "the deal was dead"
    assert text[a.cue[0]:a.cue[1]] == "conceded"
    assert a.source is not None and text[a.source[0]:a.source[1]] == "Officials"
    assert cand.rule == "span"


@pytest.mark.parametrize(("marks", "taken"), [
    # a rule candidate already covers it
    ([("CUE", "conceded"), ("CONTENT", "the deal was dead")], ["the deal"]),
    # no learned cue near the content
    ([("CONTENT", "the deal was dead")], []),
])
def test_no_span_candidate(marks: list[tuple[str, str]], taken: list[str]) -> None:
    text = "Officials, speaking privately, conceded the deal was dead."
    doc = doc_with(text, marks)
    assert span_candidates(doc, text, learned_spans(doc), [chars(text, t) for t in taken],
                           "body") == []


def test_a_cue_in_another_paragraph_is_not_near() -> None:
    text = "Officials conceded.\n\nThe deal was dead by then."
    doc = doc_with(text, [("CUE", "conceded"), ("CONTENT", "The deal was dead by then")])
    assert span_candidates(doc, text, learned_spans(doc), [], "body") == []
