"""Property tests on arbitrary unicode: the text transforms never raise, and every offset they
return indexes the section text it claims to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.adapters.nlp import attribution_model
from flows.adapters.resources import credit_table
from transforms.captions import is_credit_line, parse_credit, split_inline_credit
from transforms.claims import claim_records
from transforms.documents import BODY_ROLES, BODY_SEPARATOR, ROLES, parse_plain_text
from transforms.entities import canonical_entities, entity_records
from transforms.quotes import quote_records, quote_spans
from transforms.sections import Section

TABLE = credit_table()

TODAY = dt.date(2025, 1, 1)
# Pieces that exercise the parsers' special cases far more often than random code points do.
PIECES = [
    "\"", "\u201c", "\u201d", "\u2018", "\u2019", "'", "\u00ab", "\u00bb", "\u201e", "(", ")",
    "\n", "\n\n", "\r\n", "\r", " ", "\t", "\u00a0", "\u200b", "\u200d", "\u200f", "\u202e",
    "\ufeff", "\u00ad", ".", ",", ":", "|", "/", " \u2014 ", "said", "says", "told", "according to",
    "he", "She", "they", "Rodger Baker", "Kim Jong Un", "Reuters", "AP Photo", "Getty Images",
    "Photo:", "AFP via Getty Images", "December 26, 2024", "2024-12-26", "the minister",
    "\u0646\u062d\u0646", "\u05e9\u05dc\u05d5\u05dd", "\u6587\u7ae0", "\U0001f600", "e\u0301",
    "Leave a Reply", "About The Author", "WASHINGTON (AP) \u2014", "not", "denied", "claims",
]
texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=60).map("".join),
)

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SPACY = settings(max_examples=120, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


@FAST
@given(texts)
def test_parse_plain_text_never_raises_and_keeps_text_as_written(text: str) -> None:
    doc = parse_plain_text(text, today=TODAY, credits=TABLE)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert all(p.role in ROLES for p in doc.paragraphs)
    for p in doc.paragraphs:
        assert p.text and p.text in normalised
    assert doc.body_text == BODY_SEPARATOR.join(p.text for p in doc.paragraphs
                                                if p.role in BODY_ROLES)
    assert doc.title is None or doc.title in normalised
    for c in doc.captions:
        assert c.text in normalised or c.text == ""
        assert c.credit is None or c.credit in normalised


@FAST
@given(texts)
def test_credit_parsing_never_raises(text: str) -> None:
    assert isinstance(is_credit_line(text, TABLE), bool)
    credit = parse_credit(text, TABLE)
    for value in (credit.photographer, credit.agency, credit.distributor):
        assert value is None or (isinstance(value, str) and value.strip())
    head, tail = split_inline_credit(text, TABLE)
    if tail is None:
        assert head == text
    else:
        assert text.startswith(head) and tail in text and tail.strip()


@FAST
@given(texts)
def test_quote_spans_index_the_text(text: str) -> None:
    for q in quote_spans(text):
        assert 0 <= q.mark_start <= q.start < q.end <= len(text)
        assert q.end <= q.mark_end or not q.closed


def _check_offsets(text: str, rows: list[dict[str, Any]], pairs: list[tuple[str, str, str]]) \
        -> None:
    for r in rows:
        for start, end, field in pairs:
            if r.get(start) is None:
                continue
            assert 0 <= r[start] <= r[end] <= len(text), r
            if field:
                assert text[r[start]:r[end]] == r[field], (field, r)


@SPACY
@given(texts)
def test_quotes_claims_entities_on_arbitrary_docs(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(text)
    sections = [Section("body", doc)]
    entities = canonical_entities(sections)
    quotes = quote_records("a1", sections, entities, attribution_model())
    claims = claim_records("a1", sections, entities, attribution_model())
    _check_offsets(doc.text, quotes, [("speaker_start", "speaker_end", "speaker_text")])
    for q in quotes:  # an interrupted quotation: its parts slice back, quote_text joins them
        _check_offsets(doc.text, q["parts"], [("start", "end", "text")])
        assert q["quote_text"] == " ".join(p["text"] for p in q["parts"])
        assert (q["start_char"], q["end_char"]) == (q["parts"][0]["start"],
                                                    q["parts"][-1]["end"])
    _check_offsets(doc.text, claims, [("start_char", "end_char", "content_text"),
                                      ("source_start", "source_end", "source_text"),
                                      ("cue_start", "cue_end", "cue_text")])
    for e in entity_records("a1", entities):
        _check_offsets(doc.text, e["mentions"], [("start", "end", "text")])
    assert len({q["quote_id"] for q in quotes}) == len(quotes)
