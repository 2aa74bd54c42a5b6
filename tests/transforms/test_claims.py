"""Claims: direct and indirect attributions with source, cue, stance, hedging."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import spacy

from flows.adapters.nlp import annotator, attribution_model
from transforms.claims import claim_records
from transforms.entities import canonical_entities
from transforms.schemas import CLAIM_KINDS, CLAIMS, STANCES, stable_id
from transforms.sections import Section

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_8aaec8a11970715b.txt"


def _doc(text: str) -> spacy.tokens.Doc:
    # The pipeline's own annotator (learned attribution spans included): one cached model for
    # the whole test session, named by the setting.
    return next(annotator().pipe([text]))


def records(text: str, name: str = "body") -> list[dict]:
    sections = [Section(name, _doc(text))]
    return claim_records("a1", sections, canonical_entities(sections), attribution_model())


@lru_cache(maxsize=1)
def seed_rows() -> tuple[dict, ...]:
    return tuple(records(SEED.read_text(encoding="utf-8")))


def seed_claim(start: str) -> dict:
    rows = [r for r in seed_rows() if r["content_text"].lstrip("“\"'").startswith(start)]
    assert len(rows) == 1, [r["content_text"][:40] for r in seed_rows()]
    return rows[0]


@pytest.mark.parametrize(("text", "content", "source", "cue_lemma", "kind", "stance", "hedged"), [
    ("The minister said that taxes would rise.", "that taxes would rise", "The minister",
     "say", "indirect", "assert", False),
    ("Taxes may rise next year, the minister said.", "Taxes may rise next year",
     "the minister", "say", "indirect", "assert", True),
    ("According to the report, unemployment fell in May.", "unemployment fell in May",
     "the report", "according to", "indirect", "assert", False),
    ("“We will win,” Smith said.", "“We will win,”", "Smith", "say", "direct", "assert", False),
    ("The company denies that it broke the law.", "that it broke the law", "The company",
     "deny", "indirect", "deny", False),
    ("Critics accuse the mayor of hiding the report.", "the mayor of hiding the report",
     "Critics", "accuse", "indirect", "accuse", False),
    ("Most economists believe the recession is over.", "the recession is over",
     "Most economists", "believe", "indirect", "believe", False),
    ("Clinton wants to raise taxes on the rich.", "to raise taxes on the rich", "Clinton",
     "want", "indirect", "want", False),
    ("In return, analysts say, Russia may provide food.", "Russia may provide food",
     "analysts", "say", "indirect", "assert", True),
])
def test_one_sentence(text: str, content: str, source: str, cue_lemma: str, kind: str,
                      stance: str, hedged: bool) -> None:
    rows = records(text)
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["content_text"] == content
    assert row["source_text"] == source
    assert row["cue_lemma"] == cue_lemma
    assert row["kind"] == kind
    assert row["stance"] == stance
    assert row["is_hedged"] is hedged


@pytest.mark.parametrize(("text", "content", "source"), [
    # the subject of "are likely to say" is the subject of the copula
    ("Voters are more likely to say that Clinton is honest.", "that Clinton is honest",
     "Voters"),
    # object control: the object belongs to the content; an addressee does not
    ("The senator urged voters to reject the plan.", "voters to reject the plan",
     "The senator"),
    ("The senator told reporters that taxes would rise.", "that taxes would rise",
     "The senator"),
    # a subject hung across a paragraph break loses to the one in the cue's paragraph
    ("12:15 p.m.:\n\nPresident Barack Obama says that he is not plotting to take guns.",
     "that he is not plotting to take guns", "President Barack Obama"),
    # fragments of one quotation cut by the attribution are one claim
    ("“We will win,” Smith said, “and we will win big.”",
     "“We will win,” Smith said, “and we will win big.”", "Smith"),
])
def test_sources_and_contents(text: str, content: str, source: str) -> None:
    rows = records(text)
    assert [(r["content_text"], r["source_text"]) for r in rows] == [(content, source)]


def test_two_quotations_with_two_cues_stay_two_claims() -> None:
    rows = records("“We will win,” Smith said. “We will lose,” Jones said.")
    assert [r["source_text"] for r in rows] == ["Smith", "Jones"]


@pytest.mark.parametrize(("text", "noun", "source"), [
    ("Republicans are chiming in with criticism of the plan.", "criticism", "Republicans"),
    ("Trump is doubling down on his support for torture.", "support", "Trump"),
    ("Trump's criticism of the plan was harsh.", "criticism", "Trump"),
    ("The criticism of the plan was harsh.", "criticism", None),
])
def test_nominal_source(text: str, noun: str, source: str | None) -> None:
    from transforms.claims import nominal_source

    tok = next(t for t in _doc(text) if t.text == noun)
    found = nominal_source(tok)
    assert (found.text if found is not None else None) == source


def test_plural_noun_cue_key_without_noun_lemmas() -> None:
    """The pipeline's annotator leaves nouns unlemmatised; plurals still find their key."""
    from transforms.attribution import cue_key

    doc = _doc("His comments and criticisms drew replies.")
    for t in doc:
        if t.pos_ == "NOUN":
            t.lemma_ = t.lower_  # as flows.adapters.nlp.FastAnnotator leaves them
    keys = [cue_key(t, attribution_model().cue_counts) for t in doc if t.pos_ == "NOUN"]
    assert keys == ["comment/NOUN", "criticism/NOUN", "replies/NOUN"]


@pytest.mark.parametrize("text", [
    "The parliament met on Tuesday in the capital.",
    "It rained all day in Seoul.",
    "Kim walked past children at a “historic” ceremony.",
])
def test_no_attribution(text: str) -> None:
    assert records(text) == []


def test_headline_is_a_section_too() -> None:
    rows = records("Analysts say North Korea 'sees its own opportunity in Russia's isolation'",
                   name="title")
    assert len(rows) == 1
    assert rows[0]["section"] == "title"
    assert rows[0]["source_text"] == "Analysts"
    assert rows[0]["content_text"].startswith("North Korea")


def test_rows_follow_schema_and_offsets() -> None:
    text = SEED.read_text(encoding="utf-8")
    allowed = set(CLAIMS.names) - {"source_uri", "content_sha256", "published_month"}
    assert seed_rows()
    for row in seed_rows():
        assert set(row) == allowed
        assert text[row["start_char"]:row["end_char"]] == row["content_text"]
        if row["source_text"] is not None:
            assert text[row["source_start"]:row["source_end"]] == row["source_text"]
        if row["cue_start"] is not None:
            assert text[row["cue_start"]:row["cue_end"]] == row["cue_text"]
        assert row["kind"] in CLAIM_KINDS and row["stance"] in STANCES
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["claim_id"] == stable_id("claim", "a1", "body", None, row["start_char"],
                                            row["end_char"])
    assert len({r["claim_id"] for r in seed_rows()}) == len(seed_rows())


def test_seed_western_officials_accuse() -> None:
    row = seed_claim("North Korea of circumventing international sanctions")
    assert row["source_text"] == "Western officials"
    assert row["stance"] == "accuse"
    assert row["kind"] == "indirect"


def test_seed_pyongyang_denies() -> None:
    row = seed_claim("that any such arms transfers have taken place")
    assert row["source_text"] == "Pyongyang"
    assert row["source_name"] == "Pyongyang"
    assert row["stance"] == "deny"


def test_seed_analysts_say() -> None:
    row = seed_claim("Russia may provide North Korea with food")
    assert row["source_text"] == "analysts"
    assert row["is_hedged"] is True


def test_seed_direct_quotes_and_speakers() -> None:
    baker = seed_claim("North Korea certainly sees")
    assert baker["kind"] == "direct" and baker["source_name"] == "Rodger Baker"
    he = seed_claim("North Korea has long been")
    assert he["source_text"] == "he" and he["source_name"] == "Rodger Baker"
    they = seed_claim("It’s unclear how much Putin")
    assert they["source_text"] == "they"
    assert they["source_name"] == "James Brady and Victor Cha"
    brady = seed_claim("the first order of quid pro quo")
    assert brady["source_name"] == "James Brady and Victor Cha"
    assert brady["source_role"] == "Vice President and Senior Advisor"


def test_seed_mixed_quote_in_reported_clause() -> None:
    row = seed_claim("Kim “could not contain his joy”")
    assert row["kind"] == "mixed"
    assert row["source_name"] == "KCNA"


# Verbs, nouns and adjectives the lexicon proposes but that say nothing here: the learned gate
# turns them down from their context (no list of their lemmas anywhere).
# Not yet: PolNeAR TRAIN marks these lemmas as attributions often enough (appear 43 %, seek
# 44 %, show 60 %, line 29 %) that the gate keeps them in these contexts; strict, so
# a model that learns to reject them turns the mark into a failure to remove.
_KEPT_BY_THE_GATE = pytest.mark.xfail(strict=True, reason="the gate still keeps this cue")


@pytest.mark.parametrize("text", [
    "The team will try to win the cup next season.",
    "The storm hit the coast on Wednesday, knocking out power to two million homes.",
    "Rescuers pulled a child from the rubble.",
    "The river appears on old maps of the valley.",
    "Shoppers tried on coats at the market.",
    "Workers lined up outside the factory gates.",
    "Crowds lined the avenue with banners for the visit.",
    pytest.param("The market appears to be recovering after the storm.",
                 marks=_KEPT_BY_THE_GATE),
    "The company is seeking a new contract with the city.",
    # kept since the span model: its learned spans mark "proud" as a cue and "to open ..." as
    # content (PolNeAR marks feelings as attributions), and the gate follows them
    pytest.param("The mayor is proud to open the new bridge.", marks=_KEPT_BY_THE_GATE),
    pytest.param("The video shows firefighters carrying a child from the rubble.",
                 marks=_KEPT_BY_THE_GATE),
])
def test_non_speech_cues_are_rejected(text: str) -> None:
    assert [(r["cue_text"], r["content_text"]) for r in records(text)] == []


@pytest.mark.parametrize(("text", "content", "hedged"), [
    ("Analysts said the bank may raise rates in June.", "the bank may raise rates in June",
     True),
    ("The minister said the plan would likely fail.", "the plan would likely fail", True),
    # ability, negated: not a guess
    ("The club said the coach could not contain his excitement.",
     "the coach could not contain his excitement", False),
    # the hedge is outside the content
    ("Perhaps tired, the mayor said the road was safe.", "the road was safe", False),
    ("Officials said the bridge will open in May.", "the bridge will open in May", False),
])
def test_hedges_scope_over_the_content(text: str, content: str, hedged: bool) -> None:
    rows = [r for r in records(text) if r["content_text"] == content]
    assert len(rows) == 1, [r["content_text"] for r in records(text)]
    assert rows[0]["is_hedged"] is hedged


@pytest.mark.parametrize(("text", "content", "stance"), [
    ("The ministry denied that troops had crossed the border.",
     "that troops had crossed the border", "deny"),
    ("Officials accused the rebels of shelling the town.", "the rebels of shelling the town",
     "accuse"),
    ("The union pushed back on claims that the strike was illegal.",
     "claims that the strike was illegal", "deny"),
    ("The governor did not say that the schools would close.",
     "that the schools would close", "other"),
])
def test_stance_comes_from_the_cue_in_context(text: str, content: str, stance: str) -> None:
    # the row whose content holds the clause: where the content starts ("claims that ..." or
    # "that ...") is the span model's call, not this test's
    rows = [r for r in records(text) if content.removeprefix("claims ") in r["content_text"]]
    assert [r["stance"] for r in rows] == [stance], [r["content_text"] for r in records(text)]


def test_a_dateline_is_not_content() -> None:
    rows = records("ANKARA, Feb 6 (AP) — The quake killed at least 20 people, officials said.")
    assert [(r["content_text"], r["source_text"]) for r in rows] == [
        ("The quake killed at least 20 people", "officials")]


def test_confidence_is_the_calibrated_probability() -> None:
    from flows.adapters.nlp import attribution_model

    model = attribution_model()
    scores = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    mapped = [model.confidence(s) for s in scores]
    assert mapped == sorted(mapped)  # isotonic: a higher score never means a lower probability
    assert all(0.0 <= m <= 1.0 for m in mapped)
    row = records("The minister said that taxes would rise.")[0]
    assert row["confidence"] >= 0.7  # a plain "X said that ..." is right most of the time
