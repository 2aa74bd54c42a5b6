from __future__ import annotations

import pytest

from transforms.captions import (
    Caption,
    Credit,
    caption_records,
    is_credit_line,
    parse_credit,
    split_inline_credit,
)
from transforms.schemas import CAPTIONS, PARTITION, stable_id

CREDITS = [
    # credit line, photographer, agency, distributor
    ("Anthony Wallace | AFP | Getty Images", "Anthony Wallace", "AFP", "Getty Images"),
    ("Contributors | Getty Images News | Getty Images", None, "Getty Images News", "Getty Images"),
    ("Staff | Reuters", None, "Reuters", None),
    ("Stringer | Reuters", None, "Reuters", None),
    ("Adam Jeffery | CNBC", "Adam Jeffery", "CNBC", None),
    ("Mandel Ngan/AFP via Getty Images", "Mandel Ngan", "AFP", "Getty Images"),
    ("Jung Yeon-je/AFP via Getty Images", "Jung Yeon-je", "AFP", "Getty Images"),
    ("Pool/AFP via Getty Images", None, "AFP", "Getty Images"),
    ("Handout/Reuters", None, "Reuters", None),
    ("(AP Photo/Evan Vucci)", "Evan Vucci", "AP", None),
    ("AP Photo/Evan Vucci, File", "Evan Vucci", "AP", None),
    ("(AP Photo/Ahn Young-joon, Pool)", "Ahn Young-joon", "AP", None),
    ("REUTERS/Evelyn Hockstein", "Evelyn Hockstein", "Reuters", None),
    ("Reuters/Evelyn Hockstein/File Photo", "Evelyn Hockstein", "Reuters", None),
    ("Photo by Chip Somodevilla/Getty Images", "Chip Somodevilla", None, "Getty Images"),
    ("Photo by Anna Moneymaker/AFP", "Anna Moneymaker", "AFP", None),
    ("Photo: Jane Doe / Bloomberg", "Jane Doe", "Bloomberg", None),
    ("Photograph: Evan Vucci/AP", "Evan Vucci", "AP", None),
    ("Credit: Doug Mills for The New York Times", "Doug Mills", "The New York Times", None),
    ("Credit...Doug Mills/The New York Times", "Doug Mills", "The New York Times", None),
    ("Getty Images", None, None, "Getty Images"),
    ("Getty.", None, None, "Getty Images"),
    ("Joe Raedle/Getty Images", "Joe Raedle", None, "Getty Images"),
    ("Scott Olson via Getty Images.", "Scott Olson", None, "Getty Images"),
    ("EPA-EFE/Jim Lo Scalzo", "Jim Lo Scalzo", "EPA-EFE", None),
    ("Jim Lo Scalzo/EPA-EFE/Shutterstock", "Jim Lo Scalzo", "EPA-EFE", "Shutterstock"),
    ("MANDEL NGAN/afp", "MANDEL NGAN", "AFP", None),
    ("Courtesy of the White House", None, "the White House", None),
    ("Photo by Name Surname/SOPA Images/LightRocket via Getty Images", "Name Surname",
     "SOPA Images", "Getty Images"),
]


@pytest.mark.parametrize(("line", "photographer", "agency", "distributor"), CREDITS)
def test_credit_lines_are_recognised_and_parsed(
    line: str, photographer: str | None, agency: str | None, distributor: str | None
) -> None:
    assert is_credit_line(line)
    assert parse_credit(line) == Credit(photographer, agency, distributor)


@pytest.mark.parametrize("text", [
    "The 24/7 news cycle is relentless.",
    "He said the and/or clause was void.",
    "Trump | Clinton",
    "Either/Or",
    "Photo ID laws are contested in court.",
    "Photo by photo, the exhibit shows how the city changed.",
    "Photo: Trump speaks at a rally in Ohio",
    "Credit card debt soared to a record in June.",
    "Anthony Wallace",
    "Knack for Deals.",
    "What can North Korea get from Putin?",
    "Reuters reported that Kim met Putin. AFP said nothing.",
    "",
    "   ",
    "|||",
    "A" * 500 + " / Getty Images",
    "Courtesy of the family. They said it was taken in 1990. Nobody knows.",
])
def test_ordinary_text_is_not_a_credit_line(text: str) -> None:
    assert not is_credit_line(text)


@pytest.mark.parametrize(("caption", "expected"), [
    ("Kim greets Putin, June 19, 2024. (AP Photo/Evan Vucci)",
     ("Kim greets Putin, June 19, 2024.", "(AP Photo/Evan Vucci)")),
    ("Kim greets Putin on June 19, 2024. REUTERS/Evelyn Hockstein/File Photo",
     ("Kim greets Putin on June 19, 2024.", "REUTERS/Evelyn Hockstein/File Photo")),
    ("Kim greets Putin.\nAnthony Wallace | AFP | Getty Images",
     ("Kim greets Putin.", "Anthony Wallace | AFP | Getty Images")),
    ("Kim greets Putin — Mandel Ngan/AFP via Getty Images",
     ("Kim greets Putin", "Mandel Ngan/AFP via Getty Images")),
    ("Crowds in Pyongyang. Photo: Jane Doe / Bloomberg",
     ("Crowds in Pyongyang.", "Photo: Jane Doe / Bloomberg")),
    # negatives: a wire attribution or a sentence is not a picture credit
    ("Trade rose, he said. (Reuters)", ("Trade rose, he said. (Reuters)", None)),
    ("Trade rose. Reuters", ("Trade rose. Reuters", None)),
    ("Kim greets Putin.", ("Kim greets Putin.", None)),
    ("(AP Photo/Evan Vucci)", ("(AP Photo/Evan Vucci)", None)),
    ("", ("", None)),
])
def test_split_inline_credit(caption: str, expected: tuple[str, str | None]) -> None:
    assert split_inline_credit(caption) == expected


def test_parse_credit_of_nonsense_is_empty() -> None:
    assert parse_credit("It rained all day in the capital.") == Credit(None, None, None)


def test_caption_records_match_the_schema() -> None:
    captions = [
        Caption(0, "Kim greets Putin.", "Anthony Wallace | AFP | Getty Images"),
        Caption(1, "A crowd.", None),
    ]
    rows = caption_records("a1", captions)
    assert rows == [
        {"caption_id": stable_id("a1", "caption", 0), "article_id": "a1", "position": 0,
         "caption_text": "Kim greets Putin.", "credit_text": "Anthony Wallace | AFP | Getty Images",
         "photographer": "Anthony Wallace", "agency": "AFP", "distributor": "Getty Images"},
        {"caption_id": stable_id("a1", "caption", 1), "article_id": "a1", "position": 1,
         "caption_text": "A crowd.", "credit_text": None,
         "photographer": None, "agency": None, "distributor": None},
    ]
    glue_columns = {"source_uri", "content_sha256", PARTITION}
    assert set(rows[0]) == set(CAPTIONS.names) - glue_columns
    assert caption_records("a1", []) == []
