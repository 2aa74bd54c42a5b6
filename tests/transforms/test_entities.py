"""Entities: merging rules on hand-labelled Docs (no model noise), then the real model on short
texts and on the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from transforms.entities import (
    Entity,
    Mention,
    canonical_entities,
    entity_for_span,
    entity_id,
    entity_records,
)
from transforms.schemas import ENTITIES, PARTITION, stable_id, to_table
from transforms.sections import Section

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_8aaec8a11970715b.txt"


def labelled(nlp: Language, text: str, ents: list[tuple[str, str]], split: bool = False) -> Doc:
    """A Doc (spaCy's tokenizer, or whitespace ``split``) with exactly the given (surface, label)
    entities, each found left to right in the text: merging is tested without model noise."""
    doc = Doc(nlp.vocab, words=text.split(" ")) if split else nlp.make_doc(text)
    spans, pos = [], 0
    for surface, label in ents:
        start = doc.text.index(surface, pos)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
        pos = start + len(surface)
    doc.set_ents(spans)
    return doc


def names(entities: tuple[Entity, ...]) -> set[tuple[str, str]]:
    return {(e.name, e.label) for e in entities}


# --- merging on hand-labelled Docs ------------------------------------------------------------

P, ORG, G, F = "PERSON", "ORG", "GPE", "FAC"

MERGES = [
    pytest.param("Vladimir Putin came . Putin left", [("Vladimir Putin", P), ("Putin", P)],
                 {("Vladimir Putin", P)}, id="surname-joins-full-name"),
    pytest.param("Putin’s visit . Vladimir Putin came", [("Putin’s", P), ("Vladimir Putin", P)],
                 {("Vladimir Putin", P)}, id="possessive-before-full-name"),
    pytest.param("Victor Cha said . Cha added", [("Victor Cha", P), ("Cha", P)],
                 {("Victor Cha", P)}, id="short-surname"),
    pytest.param("Kim Jong Un came . Kim smiled", [("Kim Jong Un", P), ("Kim", P)],
                 {("Kim Jong Un", P)}, id="family-name-first"),
    pytest.param("Kim Jong Un met Kim Yo Jong . Kim smiled",
                 [("Kim Jong Un", P), ("Kim Yo Jong", P), ("Kim", P)],
                 {("Kim Jong Un", P), ("Kim Yo Jong", P)}, id="shared-family-name-by-context"),
    pytest.param("James Brady met Tom Brady . Brady won",
                 [("James Brady", P), ("Tom Brady", P), ("Brady", P)],
                 {("James Brady", P), ("Tom Brady", P)}, id="two-full-names-never-merge"),
    pytest.param("Debbie Wasserman Schultz spoke . Wasserman Schultz said",
                 [("Debbie Wasserman Schultz", P), ("Wasserman Schultz", P)],
                 {("Debbie Wasserman Schultz", P)}, id="two-word-surname"),
    pytest.param("Kim Jong Un at Kim Il Sung Square . Kim smiled",
                 [("Kim Jong Un", P), ("Kim Il Sung Square", F), ("Kim", P)],
                 {("Kim Jong Un", P), ("Kim Il Sung Square", F)}, id="square-is-not-kim"),
    pytest.param("Kim Jong Un at Kim Il Sung Square", [("Kim Jong Un", P),
                                                       ("Kim Il Sung Square", P)],
                 {("Kim Jong Un", P), ("Kim Il Sung Square", F)}, id="square-mislabelled-person"),
    pytest.param("George Washington flew to Washington", [("George Washington", P),
                                                          ("Washington", G)],
                 {("George Washington", P), ("Washington", G)}, id="place-after-preposition"),
    pytest.param("Donald Trump spoke . Trump said", [("Donald Trump", P), ("Trump", ORG)],
                 {("Donald Trump", P)}, id="surname-tagged-org-is-the-person"),
    pytest.param("Christine Lagarde spoke . Lagarde said", [("Christine Lagarde", P),
                                                            ("Lagarde", G)],
                 {("Christine Lagarde", P)}, id="surname-tagged-gpe-is-the-person"),
    pytest.param("Melania Trump spoke . Melania smiled", [("Melania Trump", P), ("Melania", G)],
                 {("Melania Trump", P)}, id="first-name-tagged-gpe"),
    pytest.param("Trump Tower rose . Donald Trump came", [("Trump Tower", ORG),
                                                         ("Donald Trump", P)],
                 {("Trump Tower", ORG), ("Donald Trump", P)}, id="trump-tower-is-not-trump"),
    pytest.param("Donald J. Trump spoke . Donald Trump said", [("Donald J. Trump", P),
                                                               ("Donald Trump", P)],
                 {("Donald J. Trump", P)}, id="middle-initial"),
    pytest.param("George W. Bush met George H.W. Bush . George Bush said",
                 [("George W. Bush", P), ("George H.W. Bush", P), ("George Bush", P)],
                 {("George W. Bush", P), ("George H.W. Bush", P), ("George Bush", P)},
                 id="differing-middles-stay-apart"),
    pytest.param("Bernie Sanders spoke . Bernie Sanders said", [("Bernie Sanders", ORG),
                                                               ("Bernie Sanders", P)],
                 {("Bernie Sanders", P)}, id="full-person-name-wins-tie"),
    pytest.param("Kim Jong Un spoke . Kim Jong Un left . Kim Jong Un waved",
                 [("Kim Jong Un", P), ("Kim Jong Un", ORG), ("Kim Jong Un", P)],
                 {("Kim Jong Un", P)}, id="label-majority"),
    pytest.param("Vladimir Putin came . Putin said . friend in Putin",
                 [("Vladimir Putin", P), ("Putin", P), ("Putin", G)],
                 {("Vladimir Putin", P)}, id="tie-goes-to-person-when-anchored"),
    pytest.param("agency Sputnik said . Sputnik reported", [("Sputnik", P), ("Sputnik", ORG)],
                 {("Sputnik", ORG)}, id="tie-not-person-when-unanchored"),
    pytest.param("the Kremlin said", [("the Kremlin", ORG)], {("Kremlin", ORG)}, id="leading-the"),
    pytest.param("in North Korea ' s", [("North Korea '", G)], {("North Korea", G)},
                 id="trailing-quote"),
    pytest.param("President Joe Biden spoke", [("President Joe Biden", P)],
                 {("Joe Biden", P)}, id="title-inside-span"),
    pytest.param("on June 19 , 5 people — spoke", [("June 19", "DATE"), ("5", "CARDINAL"),
                                                   ("—", P)],
                 set(), id="junk-labels-and-punctuation"),
    pytest.param("Vladimir Putin and Kim Jong Un at the Putin-Kim summit",
                 [("Vladimir Putin", P), ("Kim Jong Un", P), ("Putin-Kim", P)],
                 {("Vladimir Putin", P), ("Kim Jong Un", P)}, id="hyphenated-pair-split"),
    pytest.param("Jean-Pierre spoke", [("Jean-Pierre", P)], {("Jean-Pierre", P)},
                 id="hyphenated-name-kept"),
    pytest.param("Barack Obama and Hillary Clinton spoke . the Obama-Clinton ticket",
                 [("Barack Obama", P), ("Hillary Clinton", P), ("Obama-Clinton", P)],
                 {("Barack Obama", P), ("Hillary Clinton", P)}, id="hyphenated-pair-person"),
    pytest.param("Barack Obama and Hillary Clinton spoke . Obama, Clinton agreed",
                 [("Barack Obama", P), ("Hillary Clinton", P), ("Obama, Clinton", ORG)],
                 {("Barack Obama", P), ("Hillary Clinton", P)}, id="comma-pair-tagged-org"),
    pytest.param("Smith, Jones and Co said", [("Smith, Jones and Co", ORG)],
                 {("Smith, Jones and Co", ORG)}, id="comma-company-kept"),
    pytest.param("George Washington spoke in Washington, D.C.",
                 [("George Washington", P), ("Washington, D.C.", G)],
                 {("George Washington", P), ("Washington, D.C.", G)},
                 id="comma-place-kept"),
    pytest.param("Vladimir Putin came . “ [Vladimir] Putin said no , ” he said",
                 [("Vladimir Putin", P), ("Vladimir] Putin", P)],
                 {("Vladimir Putin", P)}, id="editorial-brackets"),
    pytest.param("“ [Putin] said no , ” he said", [("Putin]", P)], {("Putin", P)},
                 id="editorial-brackets-alone"),
    # labels from context, and organisation variants
    pytest.param("a rally in Antalya on Monday", [("Antalya", P)], {("Antalya", G)},
                 id="person-after-in-is-a-place"),
    pytest.param("Jim Brady spoke . a rally in Brady on Monday",
                 [("Jim Brady", P), ("Brady", P)], {("Jim Brady", P)},
                 id="a-person-s-word-after-in-stays"),
    pytest.param("in Brady’s view", [("Brady", P)], {("Brady", P)},
                 id="possessive-after-in-stays-a-person"),
    pytest.param("a Frankfurt-based bank", [("Frankfurt", P)], {("Frankfurt", G)},
                 id="x-based-is-a-place"),
    pytest.param("a Trump-based bank", [("Trump", ORG)], {("Trump", G)},
                 id="x-based-even-for-an-org-label"),
    pytest.param("he told Spiegel on Monday", [("Spiegel", G)], {("Spiegel", ORG)},
                 id="told-x-is-not-a-place"),
    pytest.param("he told Brady on Monday", [("Brady", P)], {("Brady", P)},
                 id="told-a-person-stays"),
    pytest.param("the Federal Reserve met . the Fed said", [("Federal Reserve", ORG),
                                                          ("Fed", ORG)],
                 {("Federal Reserve", ORG)}, id="clipped-org-joins-its-long-form"),
    pytest.param("the Federal Reserve met . the Federal Election Commission too . the Fed said",
                 [("Federal Reserve", ORG), ("Federal Election Commission", ORG), ("Fed", ORG)],
                 {("Federal Reserve", ORG), ("Federal Election Commission", ORG), ("Fed", ORG)},
                 id="clipped-org-two-long-forms-stays"),
    pytest.param("the State Department said . State Department officials",
                 [("the State Department", ORG), ("State Department", ORG)],
                 {("State Department", ORG)}, id="leading-the-org-variant"),
    pytest.param("Center for Strategic and International Studies (CSIS) experts . CSIS said",
                 [("CSIS", ORG), ("CSIS", ORG)],
                 {("Center for Strategic and International Studies", ORG)}, id="acronym-long-form"),
    pytest.param("Center for Strategic and International Studies (CSIS) said",
                 [("Center for Strategic and International Studies", ORG), ("CSIS", ORG)],
                 {("Center for Strategic and International Studies", ORG)},
                 id="acronym-both-tagged"),
    pytest.param("Acme Widgets (CSIS) said", [("CSIS", ORG)], {("CSIS", ORG)},
                 id="acronym-initials-mismatch"),
    # a generational suffix is part of the name, never its surname
    pytest.param("Robert F. Kennedy Jr. spoke . Kennedy said",
                 [("Robert F. Kennedy Jr.", P), ("Kennedy", P)],
                 {("Robert F. Kennedy Jr.", P)}, id="surname-of-a-junior"),
    pytest.param("John Smith Jr. spoke . John Smith said",
                 [("John Smith Jr.", P), ("John Smith", P)],
                 {("John Smith Jr.", P)}, id="junior-without-his-suffix"),
    pytest.param("Ken Griffey Jr. and Ken Griffey Sr played . Griffey said",
                 [("Ken Griffey Jr.", P), ("Ken Griffey Sr", P), ("Griffey", P)],
                 {("Ken Griffey Jr.", P), ("Ken Griffey Sr", P), ("Griffey", P)},
                 id="father-and-son-kept-apart"),
    pytest.param("Ken Griffey Jr. and Ken Griffey Sr played . Ken Griffey said",
                 [("Ken Griffey Jr.", P), ("Ken Griffey Sr", P), ("Ken Griffey", P)],
                 {("Ken Griffey Jr.", P), ("Ken Griffey Sr", P), ("Ken Griffey", P)},
                 id="father-and-son-full-name-kept-apart"),
]


@pytest.mark.parametrize(("text", "ents", "expected"), MERGES)
def test_merging(nlp: Language, text: str, ents: list[tuple[str, str]],
                 expected: set[tuple[str, str]]) -> None:
    assert names(canonical_entities([Section("body", labelled(nlp, text, ents))])) == expected


def test_shared_surname_goes_to_the_person_its_paragraph_names(nlp: Language) -> None:
    text = ("Hillary Clinton spoke . Clinton said\nBill Clinton came . Clinton laughed\n"
            "Clinton left . Hillary Clinton won")
    doc = labelled(nlp, text, [("Hillary Clinton", P), ("Clinton", P), ("Bill Clinton", P),
                               ("Clinton", P), ("Clinton", P), ("Hillary Clinton", P)])
    by_name = {e.name: [m.start for m in e.mentions if m.text == "Clinton"]
               for e in canonical_entities([Section("body", doc)])}
    bill_line = text.index("Bill")
    assert set(by_name) == {"Hillary Clinton", "Bill Clinton"}
    assert by_name["Bill Clinton"] == [text.index("Clinton laughed")]
    # the third paragraph names nobody in full before it: the person named most
    assert text.index("Clinton left") in by_name["Hillary Clinton"]
    laughed = text.index("Clinton laughed")
    assert all(s < bill_line or s > laughed for s in by_name["Hillary Clinton"])


TITLES = [
    pytest.param("Donald Trump Claims Victory", [("Donald Trump Claims", P)],
                 "Donald Trump spoke", [("Donald Trump", P)], {("Donald Trump", P)},
                 id="title-case-soup-trimmed-to-known-name"),
    pytest.param("Hammering Hillary Clinton", [("Hammering Hillary Clinton", P)],
                 "Hillary Clinton spoke . Clinton said", [("Hillary Clinton", P), ("Clinton", P)],
                 {("Hillary Clinton", P)}, id="leading-verb-dropped"),
    pytest.param("Eric Garner Blasts Clinton", [("Eric Garner Blasts Clinton", P)],
                 "the senator spoke", [], set(), id="unknown-headline-name-dropped"),
    pytest.param("Trump Warns Clinton", [("Trump Warns Clinton", P)],
                 "Donald Trump and Hillary Clinton", [("Donald Trump", P), ("Hillary Clinton", P)],
                 {("Donald Trump", P), ("Hillary Clinton", P)}, id="longest-known-part"),
]


@pytest.mark.parametrize(("title", "title_ents", "body", "body_ents", "expected"), TITLES)
def test_headline_names_must_be_known_to_the_body(
        nlp: Language, title: str, title_ents: list[tuple[str, str]], body: str,
        body_ents: list[tuple[str, str]], expected: set[tuple[str, str]]) -> None:
    sections = [Section("title", labelled(nlp, title, title_ents)),
                Section("body", labelled(nlp, body, body_ents))]
    assert names(canonical_entities(sections)) == expected


DATELINES = [
    pytest.param("FRANKFURT (Reuters) - The bank said", [("FRANKFURT", G), ("Reuters", ORG)],
                 {("Reuters", ORG)}, id="reuters-dateline"),
    pytest.param("FORT MYERS, Fla. — Police said", [("FORT MYERS", P)], set(),
                 id="dateline-with-state"),
    pytest.param("WASHINGTON — The senator said", [("WASHINGTON", G)], set(), id="bare-dateline"),
    pytest.param("He flew to FRANKFURT yesterday", [("FRANKFURT", G)], {("FRANKFURT", G)},
                 id="capitals-inside-a-sentence-kept"),
    pytest.param("NATO - the alliance - met", [("NATO", ORG)], set(),
                 id="acronym-opening-a-dash-aside-counts-as-dateline"),
    pytest.param("Washington — The senator said", [("Washington", G)], {("Washington", G)},
                 id="not-capitals-kept"),
]


@pytest.mark.parametrize(("text", "ents", "expected"), DATELINES)
def test_datelines_are_not_entities(nlp: Language, text: str, ents: list[tuple[str, str]],
                                    expected: set[tuple[str, str]]) -> None:
    assert names(canonical_entities([Section("body", labelled(nlp, text, ents))])) == expected


def test_canonical_name_is_never_the_capitals_of_a_headline(nlp: Language) -> None:
    sections = [Section("title", labelled(nlp, "KIM JONG UN VISITS", [("KIM JONG UN", P)])),
                Section("body", labelled(nlp, "Kim Jong Un came", [("Kim Jong Un", P)]))]
    (kim,) = canonical_entities(sections)
    assert kim.name == "Kim Jong Un" and kim.key == "kim jong un" and kim.kind == "person"


@pytest.mark.parametrize("split", [False, True])  # True: "Putin’s" is one token
def test_merged_entity_keeps_every_mention_with_clean_offsets(nlp: Language, split: bool) -> None:
    doc = labelled(nlp, "Putin’s visit . Vladimir Putin came", [("Putin’s", P),
                                                                ("Vladimir Putin", P)], split)
    (putin,) = canonical_entities([Section("body", doc)])
    assert putin.aliases == ("Putin", "Vladimir Putin")
    assert [(m.start, m.end, m.text) for m in putin.mentions] == [
        (0, 5, "Putin"), (16, 30, "Vladimir Putin")]
    assert all(doc.text[m.start:m.end] == m.text for m in putin.mentions)


def test_hyphen_parts_are_mentions_of_each_person(nlp: Language) -> None:
    text = "Vladimir Putin and Kim Jong Un at the Putin-Kim summit"
    doc = labelled(nlp, text, [("Vladimir Putin", P), ("Kim Jong Un", P), ("Putin-Kim", P)])
    by_name = {e.name: e for e in canonical_entities([Section("body", doc)])}
    assert by_name["Vladimir Putin"].mentions[-1].text == "Putin"
    kim = by_name["Kim Jong Un"].mentions[-1]
    assert (kim.text, text[kim.start:kim.end]) == ("Kim", "Kim")


def test_mentions_across_sections_keep_their_section(nlp: Language) -> None:
    sections = [
        Section("title", labelled(nlp, "Putin visits Pyongyang", [("Putin", P),
                                                                   ("Pyongyang", G)])),
        Section("body", labelled(nlp, "Vladimir Putin arrived in Pyongyang",
                                 [("Vladimir Putin", P), ("Pyongyang", G)])),
        Section("caption", labelled(nlp, "Putin waves", [("Putin", P)]), caption_id="c1"),
    ]
    entities = canonical_entities(sections)
    assert [e.name for e in entities] == ["Vladimir Putin", "Pyongyang"]
    assert [(m.section, m.caption_id) for m in entities[0].mentions] == [
        ("title", None), ("body", None), ("caption", "c1")]
    assert [m.section for m in entities[1].mentions] == ["title", "body"]


@pytest.mark.parametrize("texts", [[], [""], ["no names here at all"]])
def test_odd_input_gives_no_entities(nlp: Language, texts: list[str]) -> None:
    assert canonical_entities([Section("body", nlp(t)) for t in texts]) == ()


def test_docs_are_not_mutated(nlp: Language) -> None:
    doc = labelled(nlp, "Putin’s visit . Vladimir Putin came", [("Putin’s", P),
                                                                ("Vladimir Putin", P)])
    before = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    canonical_entities([Section("body", doc)])
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == before


# --- ids --------------------------------------------------------------------------------------


def test_same_entity_same_id_in_every_article(nlp: Language) -> None:
    one = canonical_entities([Section("body", labelled(
        nlp, "Russian President Vladimir Putin came", [("Vladimir Putin", P)]))])
    two = canonical_entities([Section("body", labelled(
        nlp, "Putin’s visit . Vladimir Putin came", [("Putin’s", P), ("Vladimir Putin", P)]))])
    assert one[0].entity_id == two[0].entity_id == stable_id("entity", "person", "vladimir putin")


@pytest.mark.parametrize(("a", "b", "same"), [
    (("GPE", "Jordan"), ("GPE", "JORDAN"), True),
    (("GPE", "West"), ("LOC", "West"), True),
    (("FAC", "Kim Il Sung Square"), ("GPE", "Kim Il Sung Square"), True),
    (("PERSON", "Jordan"), ("GPE", "Jordan"), False),
    (("ORG", "Sputnik"), ("PERSON", "Sputnik"), False),
    (("NORP", "Russian"), ("GPE", "Russian"), False),
    (("PERSON", "Kim Jong Un"), ("PERSON", "Kim Il Sung Square"), False),
])
def test_entity_id_label_groups(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    assert (entity_id(*a) == entity_id(*b)) is same


# --- lookup and records -----------------------------------------------------------------------


def _entity(name: str, *mentions: Mention) -> Entity:
    return Entity(entity_id(P, name), name, P, (name,), mentions, ())


PUTIN = _entity("Vladimir Putin", Mention("body", None, 10, 24, "Vladimir Putin"),
                Mention("caption", "c1", 0, 5, "Putin"))
KIM = _entity("Kim Jong Un", Mention("body", None, 20, 40, "Kim Jong Un and more"))


@pytest.mark.parametrize(("section", "caption_id", "start", "end", "expected"), [
    ("body", None, 10, 24, "Vladimir Putin"),
    ("body", None, 19, 22, "Vladimir Putin"),  # overlaps Putin by 3 (19-22) and Kim by 2 (20-22)
    ("body", None, 22, 30, "Kim Jong Un"),  # overlaps Kim more
    ("caption", "c1", 2, 3, "Vladimir Putin"),
    ("caption", "c2", 0, 5, None),  # another caption
    ("title", None, 10, 24, None),  # another section
    ("body", None, 0, 10, None),  # touches but does not overlap
    ("body", None, 50, 60, None),
])
def test_entity_for_span(section: str, caption_id: str | None, start: int, end: int,
                         expected: str | None) -> None:
    found = entity_for_span([PUTIN, KIM], section, caption_id, start, end)
    assert (found.name if found else None) == expected


def test_entity_for_span_with_no_entities() -> None:
    assert entity_for_span([], "body", None, 0, 5) is None


def test_entity_records_fit_the_entities_schema() -> None:
    rows = entity_records("a1", [PUTIN, KIM])
    assert rows[0]["mention_count"] == 2
    assert rows[0]["mentions"][1] == {"section": "caption", "caption_id": "c1", "start": 0,
                                      "end": 5, "text": "Putin"}
    glue = {"source_uri": "file:///x", "content_sha256": "0" * 64, PARTITION: "2024-06"}
    table = to_table("entities", [row | glue for row in rows])
    assert table.num_rows == 2
    assert set(rows[0]) | set(glue) == set(ENTITIES.names)


def test_entity_records_of_nothing() -> None:
    assert entity_records("a1", []) == []


# --- the real model ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name", "role"), [
    ("Russian President Vladimir Putin arrived in Pyongyang.", "Vladimir Putin",
     "Russian President"),
    ("Rodger Baker, executive director of the Stratford Center for Applied Geopolitics, told "
     "CNBC on Wednesday.", "Rodger Baker",
     "executive director of the Stratford Center for Applied Geopolitics"),
    ("Teneo Consultants Vice President James Brady and Senior Advisor Victor Cha said it.",
     "Victor Cha", "Senior Advisor"),
])
def test_roles_from_model(nlp: Language, text: str, name: str, role: str) -> None:
    by_name = {e.name: e for e in canonical_entities([Section("body", nlp(text))])}
    assert role in by_name[name].roles


@pytest.mark.parametrize("text", [
    "North Korean leader Kim Jong Un, right, and Vladimir Putin meet in Pyongyang.",
    "Workers in Pyongyang met Vladimir Putin.",
])
def test_no_positional_or_empty_roles(nlp: Language, text: str) -> None:
    for entity in canonical_entities([Section("body", nlp(text))]):
        assert not {"right", "left", ""} & set(entity.roles)


@pytest.fixture(scope="module")
def seed_entities(nlp: Language) -> dict[str, list[Entity]]:
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    by_name: dict[str, list[Entity]] = {}
    for e in canonical_entities([Section("body", d) for d in nlp.pipe(paragraphs)]):
        by_name.setdefault(e.name, []).append(e)
    return by_name


@pytest.mark.parametrize(("name", "label"), [
    ("Vladimir Putin", P), ("Kim Jong Un", P), ("James Brady", P), ("Victor Cha", P),
    ("Rodger Baker", P), ("Kim Il Sung Square", F),
    ("Center for Strategic and International Studies", ORG),
])
def test_seed_entities(seed_entities: dict[str, list[Entity]], name: str, label: str) -> None:
    (entity,) = seed_entities[name]
    assert entity.label == label


@pytest.mark.parametrize("alias", ["Putin", "Kim", "Brady", "Cha", "CSIS", "Putin’s",
                                   "Kim Jong Un’s", "Teneo’s Brady", "Putin-Kim"])
def test_seed_aliases_belong_to_one_entity_or_none(
        seed_entities: dict[str, list[Entity]], alias: str) -> None:
    holders = [e.name for es in seed_entities.values() for e in es if alias in e.aliases]
    if "’" in alias or "-" in alias:
        assert holders == []  # cleaned away: possessives and pairs are not surface forms
    else:
        assert len(holders) == 1


def test_seed_full_names_absorb_short_forms(seed_entities: dict[str, list[Entity]]) -> None:
    for short in ("Putin", "Kim", "Brady", "Cha", "CSIS", "Kim Jong Un’s"):
        assert short not in seed_entities
    assert "Russian President" in seed_entities["Vladimir Putin"][0].roles
    assert "Kim" in seed_entities["Kim Jong Un"][0].aliases


def test_seed_as_one_section(nlp: Language) -> None:
    doc = nlp(SEED.read_text(encoding="utf-8"))
    entities = canonical_entities([Section("body", doc)])
    persons = {e.name for e in entities if e.label == P}
    assert {"Vladimir Putin", "Kim Jong Un", "James Brady", "Victor Cha",
            "Rodger Baker"} <= persons
    assert not {"Putin", "Kim", "Brady", "Cha", "Kim Il Sung Square"} & persons
    assert len({e.entity_id for e in entities}) == len(entities)
