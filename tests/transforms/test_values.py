"""Author coercion for every input format: bylines in their many forms -> the people, without
job titles, degrees, dates, reading times, desks, agencies or handles."""

from __future__ import annotations

import pytest

from transforms.values import coerce_authors, person_names


@pytest.mark.parametrize(("byline", "people"), [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("LISA MASCARO, MARY CLARE JALONICK", ["LISA MASCARO", "MARY CLARE JALONICK"]),
    ("ROBERT BURNS, AP National Security Writer", ["ROBERT BURNS"]),
    ("Rodrigo Campos5 Min Read", ["Rodrigo Campos"]),
    ("Jane Doe, Staff Writer", ["Jane Doe"]),
    ("Jane Doe | Reuters", ["Jane Doe"]),
    ("Dylan Bailey, MS, RD, FAND", ["Dylan Bailey"]),
    ("Grant Tinsley, PhD", ["Grant Tinsley"]),
    ("Maria &amp; Katerina", ["Maria", "Katerina"]),
    ("Sep 16 Written By Alpha Apex", ["Alpha Apex"]),
    ("Written by:Elise Nass", ["Elise Nass"]),
    ("By Sofia Gonzalez December 2, 2025", ["Sofia Gonzalez"]),
    ("Cazzy Magennis Last Updated August 1", ["Cazzy Magennis"]),
    ("CM Craig McCarthy Last updated", ["Craig McCarthy"]),
    ("Liz Kenny Former McKinsey Consultant", ["Liz Kenny"]),
    ("Written By • Stephen Jesudunsin • AI Writer", ["Stephen Jesudunsin"]),
    ("BeauHD on Friday", ["BeauHD"]),
    ("von Daniela Obers", ["Daniela Obers"]),
    ("Peter Maahn Stand: 12.03.2024", ["Peter Maahn"]),
    # names that look like the furniture around them stay whole
    ("Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("Tom May", ["Tom May"]),
    ("Jan Novak", ["Jan Novak"]),
    # negatives: agencies, desks, teams, the site, handles, dates and words are nobody
    ("Associated Press", None),
    ("Reuters", None),
    ("AP", None),
    ("Great Day Editorial Team", None),
    ("TOI Lifestyle Desk", None),
    ("The Texas Newsroom", None),
    ("andrew.keaveney", None),
    ("Q Admin", None),
    ("Dec", None),
    ("Sat", None),
    ("5 mins read", None),
    ("Written By", None),
    ("https://example.test/jane", None),
    ("", None),
])
def test_bylines_give_their_people(byline: str, people: list[str] | None) -> None:
    assert person_names(byline) == people


def test_json_ld_people_and_lists() -> None:
    assert coerce_authors([{"@type": "Person", "name": "Jane Doe"}, "John Roe; Ann Poe"]) == [
        "Jane Doe", "John Roe", "Ann Poe"]
    assert person_names({"@type": "Organization", "name": "Example News"}) is None
    assert coerce_authors(None) is None
