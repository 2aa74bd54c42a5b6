"""Quotes: quotation-mark scanning, speakers, scare quotes, and the seed article."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import spacy

from flows.adapters.nlp import attribution_model, load
from transforms.entities import canonical_entities
from transforms.quotes import quote_records, quote_spans
from transforms.schemas import QUOTES, stable_id
from transforms.sections import Section

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_8aaec8a11970715b.txt"


def _nlp() -> spacy.language.Language:
    # The project's loader: one cached model for the whole test session, named by the setting.
    return load()


def records(text: str, name: str = "body") -> list[dict]:
    sections = [Section(name, _nlp()(text))]
    return quote_records("a1", sections, canonical_entities(sections), attribution_model())


@lru_cache(maxsize=1)
def seed_rows() -> tuple[dict, ...]:
    return tuple(records(SEED.read_text(encoding="utf-8")))


def seed_quote(start: str) -> dict:
    rows = [r for r in seed_rows() if r["quote_text"].startswith(start)]
    assert len(rows) == 1, [r["quote_text"][:40] for r in seed_rows()]
    return rows[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("He said “we will win” today.", ["we will win"]),
    ('He said "we will win" today.', ["we will win"]),
    ("Analysts say North Korea 'sees its own opportunity in Russia's isolation'",
     ["sees its own opportunity in Russia's isolation"]),
    ("Analysts say North Korea ‘sees its own opportunity in Russia’s isolation’",
     ["sees its own opportunity in Russia’s isolation"]),
    ("Russia's leaders don't remember the '90s fondly.", []),
    ("The Kims' rule and Putin’s visit, rock ’n’ roll.", []),
    ("No quotation here at all.", []),
    # unclosed: closed at the end of the paragraph, the document is not refused
    ("He said “we will win and nobody can stop us.\nNext paragraph.", [
        "we will win and nobody can stop us."]),
    # paragraph continuation: the first paragraph's quote is reopened on the next one
    ("“First part of it.\n“Second part,” he said.", ["First part of it.", "Second part,"]),
    # odd count of straight marks does not swallow the rest
    ('She said "yes" and then " left.', ["yes"]),
    # curly and straight forms of one mark pair where they stand as opening and closing marks
    ('He said, “somebody ought to stop her," the office said. Omar is one of them.',
     ["somebody ought to stop her,"]),
    ('"We will win,” she said. “And soon.”', ["We will win,", "And soon."]),
    # negatives: a straight mark that opens inside a curly quotation does not close it; single
    # marks never mix (a straight one is as often an apostrophe)
    ('“He called it "fake" on Monday,” she said.', ['He called it "fake" on Monday,']),
    ('“He called it "fake," she said.', ['He called it "fake," she said.']),
    ("“It's the players' fault,” he said.", ["It's the players' fault,"]),
    ("Critics call it ‘the players' tax’ now.", ["the players' tax"]),
])
def test_quote_spans(text: str, expected: list[str]) -> None:
    assert [q.text(text) for q in quote_spans(text)] == expected


def test_continuation_flag() -> None:
    text = "“First part of it.\n“Second part,” he said."
    first, second = quote_spans(text)
    assert not first.closed and second.continuation


@pytest.mark.parametrize(("text", "quote", "speaker", "scare", "cue"), [
    ("“We will win,” Smith said.", "We will win,", "Smith", False, "say"),
    ("Smith said: “We will win.”", "We will win.", "Smith", False, "say"),
    ("“We will win,” said Smith on Monday.", "We will win,", "Smith", False, "say"),
    ("“We will win,” she told reporters.", "We will win,", "she", False, "tell"),
    ("“Lower taxes now,” according to the governor.", "Lower taxes now,", "the governor",
     False, "according to"),
    ("The West views it as a “pariah” state.", "pariah", None, True, None),
    ("Kim praised the “historic” moment.", "historic", None, True, None),
    ("They watched the film “Jaws” on Sunday.", "Jaws", None, True, None),
    ("Kim could not hide his enthusiasm for his “comrades.”", "comrades.", None, True, None),
    # a verb outside the speech lexicon right after the quotation
    ("“Go back to Univision,” Trump barked.", "Go back to Univision,", "Trump", False, "bark"),
    ("“Go back to Univision,” Trump barked at him.", "Go back to Univision,", "Trump", False,
     "bark"),
    # ... but not a verb further away, nor a passive one
    ("“Go back,” he wrote, and the crowd was cheered.", "Go back,", "he", False, "write"),
    ("“Peace in our time” was printed on the banner.", "Peace in our time", None, True,
     None),
])
def test_one_sentence(text: str, quote: str, speaker: str | None, scare: bool,
                      cue: str | None) -> None:
    rows = records(text)
    assert len(rows) == 1
    row = rows[0]
    assert row["quote_text"] == quote
    assert row["speaker_text"] == speaker
    assert row["is_scare_quote"] is scare
    assert row["cue_lemma"] == cue


def test_no_attribution_no_quotes() -> None:
    assert records("The parliament approved the budget on Tuesday.") == []


def test_rows_follow_schema_and_offsets() -> None:
    text = SEED.read_text(encoding="utf-8")
    allowed = set(QUOTES.names) - {"source_uri", "content_sha256", "published_month"}
    assert seed_rows()
    for row in seed_rows():
        assert set(row) == allowed
        assert row["quote_text"] == " ".join(p["text"] for p in row["parts"])
        assert all(text[p["start"]:p["end"]] == p["text"] for p in row["parts"])
        if row["speaker_text"] is not None:
            assert text[row["speaker_start"]:row["speaker_end"]] == row["speaker_text"]
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["quote_id"] == stable_id("quote", "a1", "body", None, row["start_char"],
                                            row["end_char"])


def test_seed_baker_quotes() -> None:
    first = seed_quote("North Korea certainly sees")
    assert first["speaker_name"] == "Rodger Baker"
    assert first["speaker_role"] == (
        "executive director of the Stratford Center for Applied Geopolitics")
    assert first["cue_lemma"] == "tell"
    second = seed_quote("North Korea has long been")
    assert second["speaker_text"] == "he"
    assert second["speaker_name"] == "Rodger Baker"
    assert second["speaker_entity_id"] == first["speaker_entity_id"] is not None


def test_seed_brady_and_cha() -> None:
    they = seed_quote("It’s unclear how much Putin")
    assert they["speaker_text"] == "they"
    assert they["speaker_name"] == "James Brady and Victor Cha"
    assert they["speaker_entity_id"] is None
    plain = seed_quote("In addition to practical results")
    assert plain["speaker_text"] == "Brady and Cha"
    assert plain["speaker_name"] == "James Brady and Victor Cha"
    teneo = seed_quote("The nature of the visit")
    assert teneo["speaker_text"] == "Teneo’s Brady and Cha"
    assert teneo["speaker_name"] == "James Brady and Victor Cha"
    # a quoted paragraph with no cue continues the previous speaker
    cont = seed_quote("Joint production agreements")
    assert cont["speaker_name"] == "James Brady and Victor Cha"


def test_seed_scare_quotes() -> None:
    for word in ("pariah", "rogue", "historic"):
        assert seed_quote(word)["is_scare_quote"] is True
    assert seed_quote("comrades")["is_scare_quote"] is True
    assert seed_quote("could not contain his joy")["is_scare_quote"] is False


def test_seed_headline_single_quotes() -> None:
    row = seed_quote("sees its own opportunity in Russia's isolation")
    assert row["speaker_text"] == "Analysts"
    assert row["is_scare_quote"] is False


@pytest.mark.parametrize("text", [
    "", "“", "”", '"', "'", "‘’", "“”", "“ ”", '""""', "“a“b“c", "a”b”c”", "'tis '90s rock'n'roll",
    "“unclosed\n\n“still unclosed\n\n“and again", "‘single unclosed\nnext", "x\n\n\n“y”\n",
])
def test_quote_spans_never_refuse(text: str) -> None:
    spans = quote_spans(text)
    last = -1
    for q in spans:
        assert 0 <= q.mark_start <= q.start < q.end <= q.mark_end <= len(text)
        assert q.mark_start >= last
        last = q.mark_end
        assert text[q.start:q.end].strip() == text[q.start:q.end]
    # and the records never fail either
    records(text or " ")


@pytest.mark.parametrize(("text", "parts"), [
    ("“We searched all night,” said Mehmet Yildiz, 42, whose house collapsed. “Nobody came.”",
     ["We searched all night,", "Nobody came."]),
    ("“We will win,” Smith said, “and we will win big.”", ["We will win,", "and we will win big."]),
    ("“We will win,” Smith said.", ["We will win,"]),
])
def test_interrupted_quotation_is_one_row_of_quoted_words(text: str, parts: list[str]) -> None:
    rows = records(text)
    assert len(rows) == 1
    row = rows[0]
    assert [p["text"] for p in row["parts"]] == parts
    assert row["quote_text"] == " ".join(parts)
    for p in row["parts"]:
        assert text[p["start"]:p["end"]] == p["text"]
    assert (row["start_char"], row["end_char"]) == (row["parts"][0]["start"],
                                                    row["parts"][-1]["end"])


@pytest.mark.parametrize(("text", "quote", "speaker", "scare"), [
    # a short phrase no speech verb governs is a scare quote, whoever the sentence is about
    ("The senator may try to use the “nuclear option” in the vote.", "nuclear option", None,
     True),
    ("Officials hope the deal marks a “turning point” for the region.", "turning point", None,
     True),
    # a short quotation inside a reported clause is a mixed quote of that clause's source
    ("Critics called the plan “a disgrace”.", "a disgrace", "Critics", False),
    ("The mayor said the budget was “a lie” and resigned.", "a lie", "The mayor", False),
])
def test_scare_and_mixed_quotes(text: str, quote: str, speaker: str | None,
                                scare: bool) -> None:
    rows = [r for r in records(text) if r["quote_text"] == quote]
    assert len(rows) == 1, records(text)
    assert rows[0]["speaker_text"] == speaker
    assert rows[0]["is_scare_quote"] is scare
