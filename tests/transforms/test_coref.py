"""Who a pronoun or a description is (transforms.coref, the learned ranker of models/coref/):
table-driven, with the real spaCy model and the shipped ranker, through the quotes and claims
tables as the pipeline makes them. Negatives: the other person of the article, and nobody when
the text supports no one."""

from __future__ import annotations

import pytest

from flows.adapters.nlp import annotator, attribution_model, coref_model
from transforms.claims import claim_records
from transforms.coref import resolved_people
from transforms.entities import canonical_entities
from transforms.quotes import quote_records
from transforms.sections import Section


def tables(text: str) -> tuple[list[dict], list[dict]]:
    """(quotes, claims) rows of a one-section article, the people resolved once for both."""
    sections = [Section("body", next(annotator().pipe([text])))]
    entities = canonical_entities(sections)
    people = resolved_people(sections, entities, coref_model())
    model = attribution_model()
    return (quote_records("a1", sections, entities, model, people),
            claim_records("a1", sections, entities, model, people))


def speaker_of(rows: list[dict], quote_start: str) -> str | None:
    found = [r for r in rows if r["quote_text"].startswith(quote_start)]
    assert len(found) == 1, [r["quote_text"] for r in rows]
    return found[0]["speaker_name"]


# (text, the quotation's first words, its speaker, a person it must not go to)
PRONOUN_SPEAKERS = [
    pytest.param("John Smith and Mary Jones met on Monday to discuss the merger. "
                 "“The deal is done,” she said.", "The deal", "Mary Jones", "John Smith",
                 id="a man and a woman"),
    pytest.param("Maria Lopez met Anna Berg on Monday. Lopez said the talks had failed.\n"
                 "“We are not going back,” she said.", "We are not", "Maria Lopez", "Anna Berg",
                 id="she after two women: the one who spoke"),
    pytest.param("Grace Okonkwo-Tshabalala, 19, has campaigned for clean water for years. "
                 "Okonkwo-Tshabalala said the ministry had ignored her letters.\n"
                 "Minister Paul Green met her in May. “She has been heard,” Green said.\n"
                 "“Nobody listened to us until we marched,” she said.", "Nobody listened",
                 "Grace Okonkwo-Tshabalala", "Paul Green",
                 id="she after a minister quoted once: the advocate"),
    pytest.param("Kayla Wapoose spoke to reporters outside the legislature on Monday. Wapoose "
                 "said the water was unsafe.\nMinister Greg Rickford said the province was "
                 "working on it.\n“We cannot wait any longer,” she said.", "We cannot",
                 "Kayla Wapoose", "Greg Rickford", id="she after a nearer man"),
    pytest.param("The storm hit the coast on Monday, flooding hundreds of homes. "
                 "“It was terrible,” he said.", "It was terrible", None, None,
                 id="nobody in the text"),
    pytest.param("Acme Corp. announced layoffs on Tuesday. “We had no choice,” he said.",
                 "We had no choice", None, "Acme Corp.", id="an organisation is not he"),
    pytest.param("Nakuset has campaigned for clean water for years. Nakuset said the ministry "
                 "had ignored the letters. Minister Paul Green met the group in May.\n"
                 "“We cannot wait any longer,” she said.", "We cannot", "Nakuset", "Paul Green",
                 id="a person the model typed ORG"),
    pytest.param("“We will win this race,” said John Carter, the campaign manager. The rally "
                 "also drew Peter Hill, a local councillor who supports the bill.\n"
                 "“Nothing can stop us now,” he said.", "Nothing can stop", "John Carter",
                 "Peter Hill", id="the previous speaker against the nearest name"),
]


@pytest.mark.parametrize(("text", "quote", "speaker", "not_speaker"), PRONOUN_SPEAKERS)
def test_pronoun_speaker(text: str, quote: str, speaker: str | None,
                         not_speaker: str | None) -> None:
    quotes, _ = tables(text)
    got = speaker_of(quotes, quote)
    assert got == speaker
    assert not_speaker is None or got != not_speaker


SEED_LIKE = (
    "“North Korea certainly sees its own great opportunity,” Rodger Baker, executive director "
    "of the Stratford Center for Applied Geopolitics, told CNBC on Wednesday.\n\n"
    "“North Korea has long been heavily dependent on China,” he said.\n\n"
    "Teneo Consultants Vice President James Brady and Senior Advisor Victor Cha said the first "
    "order for Kim would be technology.\n\n"
    "“It’s unclear how much Putin is willing to pay,” they said in a report on Tuesday.\n\n"
    "Putin was waiting on the runway. Kim praised the “historic” moment.")


@pytest.mark.parametrize(("quote", "speaker"), [
    ("North Korea has long", "Rodger Baker"),
    ("It’s unclear", "James Brady and Victor Cha"),
])
def test_seed_like_he_and_they_said(quote: str, speaker: str) -> None:
    quotes, claims = tables(SEED_LIKE)
    assert speaker_of(quotes, quote) == speaker
    sources = [c["source_name"] for c in claims if quote in c["content_text"]]
    assert sources == [speaker]


def test_description_after_an_apposition() -> None:
    _, claims = tables("Sarah Miller, the owner of the bakery, opened the shop in 1999. She "
                       "hired her nephew, Tom Reed, in 2005.\n"
                       "The owner said business had never been better.")
    owner = [c for c in claims if c["source_text"] == "The owner"]
    assert [c["source_name"] for c in owner] == ["Sarah Miller"]


def test_description_with_nobody_named_stays_unresolved() -> None:
    quotes, claims = tables("The committee met on Monday. “I told them I would veto the "
                            "bill,” the spokesman said.")
    assert [q["speaker_name"] for q in quotes] == [None]
    assert all(c["source_name"] is None for c in claims)


@pytest.mark.parametrize("text", [row.values[0] for row in PRONOUN_SPEAKERS] + [SEED_LIKE])
def test_quotes_and_claims_agree_about_each_mention(text: str) -> None:
    quotes, claims = tables(text)
    by_quotes = {q["speaker_start"]: q["speaker_entity_id"] for q in quotes
                 if q["speaker_start"] is not None}
    by_claims = {c["source_start"]: c["source_entity_id"] for c in claims
                 if c["source_start"] is not None}
    shared = by_quotes.keys() & by_claims.keys()
    assert {k: by_quotes[k] for k in shared} == {k: by_claims[k] for k in shared}


def test_each_pronoun_is_decided_once_and_says_how() -> None:
    text = ("Mary Jones met reporters on Monday. She said the bill would pass.\n"
            "“I told them I would veto it,” Jones said.")
    sections = [Section("body", next(annotator().pipe([text])))]
    entities = canonical_entities(sections)
    people = resolved_people(sections, entities, coref_model())
    she = [r for (_, _, start), r in people.items() if text[start:start + 3] == "She"]
    assert [(r.how, next(e.name for e in entities if e.entity_id == r.entity_id))
            for r in she] == [("pronoun", "Mary Jones")]
    # "I" inside a quotation is its speaker's, never a third person's: not the ranker's case
    assert all(text[start:start + 1] != "I" for _, _, start in people)
