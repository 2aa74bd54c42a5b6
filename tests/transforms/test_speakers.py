"""Speakers: source spans, roles, and resolution of names, pronouns and coordinations."""

from __future__ import annotations

import pytest
import spacy

from flows.adapters.nlp import load
from transforms.entities import canonical_entities
from transforms.quotes import subject_of
from transforms.sections import Section
from transforms.speakers import SpeakerResolver, role_of, source_span


def _nlp() -> spacy.language.Language:
    # The project's loader: one cached model for the whole test session, named by the setting.
    return load()


def subject(doc: spacy.tokens.Doc, verb: str) -> spacy.tokens.Token:
    tok = next(t for t in doc if t.text == verb)
    subj = subject_of(tok)
    assert subj is not None
    return subj


@pytest.mark.parametrize(("text", "verb", "span", "role"), [
    ("Rodger Baker, executive director of the Stratford Center for Applied Geopolitics, "
     "told CNBC on Wednesday.", "told", "Rodger Baker",
     "executive director of the Stratford Center for Applied Geopolitics"),
    ("Teneo Consultants Vice President James Brady and Senior Advisor Victor Cha said so.",
     "said", "Teneo Consultants Vice President James Brady and Senior Advisor Victor Cha",
     "Vice President and Senior Advisor"),
    ("The spokesman, who declined to be named, said so.", "said", "The spokesman", None),
    ("Mehmet Yildiz, 42, said the shop had closed.", "said", "Mehmet Yildiz", None),
])
def test_source_span_and_role(text: str, verb: str, span: str, role: str | None) -> None:
    doc = _nlp()(text)
    head = subject(doc, verb)
    assert source_span(head).text == span
    assert role_of(head) == role


def test_subject_of_participle_and_conjunct() -> None:
    doc = _nlp()("Clinton spoke in Ohio on Monday, saying that the economy was strong.")
    assert subject(doc, "saying").text == "Clinton"
    doc = _nlp()("Smith smiled and said he was ready.")
    assert subject(doc, "said").text == "Smith"


@pytest.mark.parametrize(("text", "verb", "source"), [
    ("Voters are more likely to say that Clinton is honest.", "say", "Voters"),
    ("His advisers are quick to point out that he won.", "point", "advisers"),
    ("Having announced that he would not send me to prison, Judge Berman proceeded.",
     "announced", "Berman"),
    ("12:15 p.m.:\n\nPresident Barack Obama says that he is not plotting.", "says", "Obama"),
])
def test_subject_of_more_constructions(text: str, verb: str, source: str) -> None:
    assert subject(_nlp()(text), verb).text == source


@pytest.mark.parametrize("text", [
    "Rain fell.\n\nSmith said it would stop.\nIt did not.",
    "One paragraph only, said Smith.",
    "\nLeading break.\n\n\nTrailing break.\n",
])
def test_paragraph_bounds_match_the_text(text: str) -> None:
    from transforms.speakers import paragraph_bounds

    doc = _nlp()(text)
    for tok in doc:
        p0 = text.rfind("\n", 0, tok.idx) + 1
        p1 = text.find("\n", tok.idx)
        assert paragraph_bounds(tok) == (p0, len(text) if p1 < 0 else p1), tok.text


def _said(text: str) -> tuple[list, dict[str, str]]:
    """The resolved speaker of each "say", in order, and each entity's name by its id."""
    doc = _nlp()(text)
    entities = canonical_entities([Section("body", doc)])
    resolver = SpeakerResolver(entities)
    out = []
    for tok in doc:
        if tok.lemma_ == "say":
            subj = subject_of(tok)
            assert subj is not None
            sp = resolver.resolve("body", None, subj)
            resolver.remember("body", subj.idx, sp)
            out.append(sp)
    return out, {e.entity_id: e.name for e in entities}


def _resolve_all(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(sp.text, sp.name, sp.entity_id) for sp in _said(text)[0]]


def test_pronoun_takes_previous_person_speaker() -> None:
    got = _resolve_all("Rodger Baker said the plan would work. Moscow said nothing. "
                       "Later he said it was risky.")
    assert got[0][1] == "Rodger Baker"
    assert got[2][0] == "he" and got[2][1] == "Rodger Baker"
    assert got[2][2] == got[0][2] is not None


def test_they_takes_previous_coordinated_speakers() -> None:
    got = _resolve_all("James Brady and Victor Cha said the deal was close. "
                       "Brady and Cha said it could fail. They said more talks were needed.")
    assert got[0][1] == "James Brady and Victor Cha"
    assert got[0][2] is None
    assert got[1][1] == "James Brady and Victor Cha"
    assert got[2][1] == "James Brady and Victor Cha"


def test_unresolvable_pronoun_keeps_text() -> None:
    got = _resolve_all("He said it was over.")
    assert got == [("He", None, None)]


def test_relative_pronoun_resolves_to_antecedent() -> None:
    doc = _nlp()("The group met Rodger Baker, who said the plan would work.")
    sections = [Section("body", doc)]
    resolver = SpeakerResolver(canonical_entities(sections))
    said = next(t for t in doc if t.text == "said")
    written = subject_of(said, antecedent=False)
    assert written is not None and written.text == "who"
    sp = resolver.resolve("body", None, written)
    assert sp.text == "who" and sp.name == "Rodger Baker"
    ante = subject_of(said)
    assert ante is not None and ante.text == "Baker"


@pytest.mark.parametrize(("text", "name"), [
    ("Russian President Vladimir Putin arrived on Wednesday. The Russian leader said the visit "
     "was historic.", "Vladimir Putin"),
    # two Russians who could be "the Russian leader": no guess
    ("Russian President Vladimir Putin met Russian Prime Minister Mikhail Mishustin. The Russian "
     "leader said the talks went well.", None),
    # the description does not fit the role: no guess
    ("Russian President Vladimir Putin arrived. The American leader said nothing new.", None),
])
def test_description_resolves_to_the_one_fitting_person(text: str, name: str | None) -> None:
    got = _resolve_all(text)
    leader = [g for g in got if g[0].lower().endswith("leader")]
    assert leader and leader[0][1] == name


def _resolved(text: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(source as written, the name of its entity or None, the names of every entity it names)
    of each "say"."""
    said, names = _said(text)
    return [(sp.text, names.get(sp.entity_id or ""), tuple(names[i] for i in sp.entity_ids))
            for sp in said]


# A name that only modifies the source's head is never the source; a title finds its person.
@pytest.mark.parametrize(("text", "name"), [
    ("Hillary Clinton spoke in Ohio. The Clinton campaign said the crowd was large.", None),
    ("Hillary Clinton spoke in Ohio. Clinton's communications director said it went well.",
     None),
    ("Hillary Clinton spoke in Ohio. A popular commentator and Hillary Clinton supporter said "
     "it went well.", None),
    ("Donald Trump spoke in Ohio. Trump's spokeswoman said the crowd was large.", None),
    ("Sen. Elizabeth Warren spoke in Ohio. The senator said the crowd was large.",
     "Elizabeth Warren"),
    ("Hillary Clinton spoke in Ohio. Clinton said the crowd was large.", "Hillary Clinton"),
    ("Hillary Clinton spoke in Ohio. Clinton and her aides said the crowd was large.",
     "Hillary Clinton"),
])
def test_the_source_is_the_head_not_a_name_modifying_it(text: str, name: str | None) -> None:
    assert _resolved(text)[-1][1] == name


def test_a_pronoun_agrees_in_gender_with_its_person() -> None:
    got = _resolved("Hillary Clinton spoke in Ohio on Monday. Bill Clinton, her husband, "
                    "said the crowd was large. She said the race was close. "
                    "He said it was not.")
    assert [g[1] for g in got] == ["Bill Clinton", "Hillary Clinton", "Bill Clinton"]


def test_every_person_of_a_joint_source_gets_an_id() -> None:
    got = _resolved("James Brady and Victor Cha said the deal was close. "
                    "Brady said it could fail.")
    assert got[0][1] is None  # no one entity...
    assert got[0][2] == ("James Brady", "Victor Cha")  # ...but each person's
    assert got[1][2] == ("James Brady",)
