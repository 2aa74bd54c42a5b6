from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.adapters.resources import credit_table
from tests.conftest import SEEDS
from transforms.documents import (
    BODY_ROLES,
    BODY_SEPARATOR,
    Caption,
    Paragraph,
    detect_language,
    document_from_paragraphs,
    parse_date,
    parse_plain_text,
    word_count,
)

TABLE = credit_table()


TODAY = datetime.date(2025, 1, 15)
BODY = "Kim Jong Un welcomed Vladimir Putin to Pyongyang on Wednesday, officials said."
MORE = "The two leaders signed a partnership agreement, state media reported later that day."


def roles(text: str) -> list[str]:
    return [p.role for p in parse_plain_text(text, today=TODAY, credits=TABLE).paragraphs]


# --- the seed article ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed() -> str:
    return (SEEDS / "000_8aaec8a11970715b.txt").read_text(encoding="utf-8")


def test_seed_article(seed: str) -> None:
    doc = parse_plain_text(seed, today=TODAY, credits=TABLE)
    assert doc.title is None
    assert doc.published_date == datetime.date(2024, 12, 26)
    assert [c.position for c in doc.captions] == [0, 1, 2, 3, 4]
    assert [c.credit for c in doc.captions] == [
        "Anthony Wallace | AFP | Getty Images", "Gavriel Grigorov | AFP | Getty Images",
        "Contributors | Getty Images News | Getty Images", "Gavriel Grigorov | AFP | Getty Images",
        "Gavriel Grigorov | AFP | Getty Images",
    ]
    assert doc.captions[0].text.startswith("People sit near a television")
    for absent in ("About The Author", "Leave a Reply", "Your email address", "Getty Images",
                   "People sit near a television", "December 26, 2024"):
        assert absent not in doc.body_text
    assert doc.body_text.startswith("Even the long wait for Russian President")
    assert doc.body_text.endswith("a more valuable partner for Moscow.”")
    headings = [p.text for p in doc.paragraphs if p.role == "heading"]
    assert "What can North Korea get from Putin?" in headings
    assert "Analysts say North Korea 'sees its own opportunity in Russia's isolation'" in headings
    assert "What can North Korea get from Putin?" in doc.body_text
    assert [p.role for p in doc.paragraphs][-3:] == ["boilerplate"] * 3


def test_seed_body_text_is_faithful_to_the_source(seed: str) -> None:
    doc = parse_plain_text(seed, today=TODAY, credits=TABLE)
    for paragraph in doc.body_text.split(BODY_SEPARATOR):
        assert paragraph in seed


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("December 26, 2024", datetime.date(2024, 12, 26)),
    ("Dec. 26, 2024", datetime.date(2024, 12, 26)),
    ("Sept. 3, 2024", datetime.date(2024, 9, 3)),
    ("26 December 2024", datetime.date(2024, 12, 26)),
    ("2024-12-26", datetime.date(2024, 12, 26)),
    ("2024-12-26T08:15:00Z", datetime.date(2024, 12, 26)),
    ("12/26/2024", datetime.date(2024, 12, 26)),
    ("Updated 3:15 PM ET, Thu June 20, 2024", datetime.date(2024, 6, 20)),
    ("Published 10:02 a.m. EST Wednesday, December 25, 2024", datetime.date(2024, 12, 25)),
    ("Posted on December 26, 2024 by admin", datetime.date(2024, 12, 26)),
    ("January 16, 2025", datetime.date(2025, 1, 16)),  # today + 1 (time zones) is plausible
])
def test_leading_date_line(line: str, expected: datetime.date) -> None:
    doc = parse_plain_text(f"{line}\n\n{BODY}\n\n{MORE}", today=TODAY, credits=TABLE)
    assert doc.published_date == expected
    assert doc.paragraphs[0].role == "dateline"
    assert line not in doc.body_text


@pytest.mark.parametrize("line", [
    "December 26, 1985",  # before 1990
    "January 17, 2025",  # the future
    "February 30, 2024",  # no such day
    "2024-13-01",
    "On December 26, 2024, Kim Jong Un welcomed Vladimir Putin to Pyongyang.",  # a sentence
])
def test_no_date_from_implausible_or_sentence_lines(line: str) -> None:
    doc = parse_plain_text(f"{line}\n\n{BODY}\n\n{MORE}", today=TODAY, credits=TABLE)
    assert doc.published_date is None
    assert doc.paragraphs[0].role != "dateline"


def test_parse_date_without_a_date() -> None:
    assert parse_date("no date here", TODAY) is None


# --- titles -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "title"), [
    (f"Putin arrives in Pyongyang\n\n{BODY}\n\n{MORE}", "Putin arrives in Pyongyang"),
    (f"O’Malley campaign to shift staff, resources to Iowa.\n\n{BODY}",
     "O’Malley campaign to shift staff, resources to Iowa."),
    (f"Jobs report gives Democrats a lift; \nSolid upturn could blunt Republican claims.\n\n{BODY}",
     "Jobs report gives Democrats a lift; \nSolid upturn could blunt Republican claims."),
    (f"Bernie Sanders Suffered A Big Blow. Here’s His Plan Going Forward.\n\n{BODY}",
     "Bernie Sanders Suffered A Big Blow. Here’s His Plan Going Forward."),
    (f"December 26, 2024\n\nPutin arrives in Pyongyang\n\n{BODY}", "Putin arrives in Pyongyang"),
    (f"Putin arrives in Pyongyang\n\nDecember 26, 2024\n\n{BODY}", "Putin arrives in Pyongyang"),
    (f"Putin arrives in Pyongyang\n\nBy Jane Doe and John Roe\n\n{BODY}",
     "Putin arrives in Pyongyang"),
    # negatives: never invent a title
    (f"{BODY}\n\n{MORE}", None),  # a lead sentence is not a headline
    ("Putin arrives in Pyongyang", None),  # nothing follows
    (f"Putin arrives in Pyongyang\n\nAnthony Wallace | AFP | Getty Images\n\n{BODY}", None),
    (f"WASHINGTON (AP) — Putin arrived.\n\n{BODY}", None),
    (f"“We will win,” he said. “They will lose,” he added at the rally.\n\n{BODY}", None),
    (f"Putin arrived late.\nthe plane was delayed by hours\n\n{BODY}", None),  # hard-wrapped
    (f"Putin arrived late in Pyongyang on\nWednesday after a long delay\n\n{BODY}", None),
    (f"Putin, the Russian leader,\n\n{BODY}", None),
    ("", None),
])
def test_title(text: str, title: str | None) -> None:
    doc = parse_plain_text(text, today=TODAY, credits=TABLE)
    assert doc.title == title
    if title is not None:
        assert title not in doc.body_text


# --- captions, credits, headings, boilerplate -------------------------------------------------

@pytest.mark.parametrize(("text", "expected_roles"), [
    (f"{BODY}\n\nKim greets Putin.\n\nAnthony Wallace | AFP | Getty Images\n\n{MORE}",
     ["body", "caption", "credit", "body"]),
    (f"{BODY}\n\nKim greets Putin, June 19, 2024. (AP Photo/Evan Vucci)\n\n{MORE}",
     ["body", "caption", "body"]),
    (f"{BODY}\n\nWhat can North Korea get from Putin?\n\n{MORE}", ["body", "heading", "body"]),
    (f"{BODY}\n\nAdvertisement\n\n{MORE}\n\nShare this:", ["body", "boilerplate", "body",
                                                          "boilerplate"]),
    (f"{BODY}\n\nWe use cookies to improve your experience. Accept cookies\n\n{MORE}",
     ["body", "boilerplate", "body"]),
    (f"{BODY}\n\nAbout The Author\n\nJane writes about Asia.\n\n{MORE}",
     ["body", "boilerplate", "boilerplate", "boilerplate"]),
    (f"{BODY}\n\nRelated posts\n\nClick here to subscribe\n\nLeave a Reply",
     ["body", "boilerplate", "boilerplate", "boilerplate"]),
    # negatives: sentences that mention furniture words stay in the body
    (f"{BODY}\n\nRead more about the summit in the official report, officials said.\n\n{MORE}",
     ["body", "body", "body"]),
    (f"{BODY}\n\nThe 24/7 news cycle | a photo op, he said.\n\n{MORE}", ["body", "body", "body"]),
    (f"{BODY}\n\nTrade rose last year, he said. (Reuters)\n\n{MORE}", ["body", "body", "body"]),
    (f"{BODY}\n\n“Comrades!” he shouted.\n\n{MORE}", ["body", "body", "body"]),
    (f"{BODY}\n\nBy the time they arrived, it was over.\n\n{MORE}", ["body", "body", "body"]),
    (f"{BODY}\n\nComments from the mayor were harsh.\n\n{MORE}", ["body", "body", "body"]),
    (f"{BODY}\n\nAbout the author of the plan, little is known.\n\n{MORE}",
     ["body", "body", "body"]),
    (f"{BODY}\n\nCopyright law was not discussed.\n\n{MORE}", ["body", "body", "body"]),
])
def test_roles(text: str, expected_roles: list[str]) -> None:
    assert roles(text) == expected_roles


def test_captions_and_body_text() -> None:
    text = (f"{BODY}\n\nKim greets Putin.\n\nAnthony Wallace | AFP | Getty Images\n\n"
            f"Crowds cheer, June 19, 2024. (AP Photo/Evan Vucci)\n\nGetty Images\n\n{MORE}")
    doc = parse_plain_text(text, today=TODAY, credits=TABLE)
    assert doc.captions == (
        Caption(0, "Kim greets Putin.", "Anthony Wallace | AFP | Getty Images"),
        Caption(1, "Crowds cheer, June 19, 2024. (AP Photo/Evan Vucci)", "Getty Images"),
    )
    assert doc.body_text == f"{BODY}{BODY_SEPARATOR}{MORE}"


def test_inline_credit_caption() -> None:
    doc = parse_plain_text(f"{BODY}\n\nKim greets Putin. REUTERS/Evelyn Hockstein\n\n{MORE}",
                           credits=TABLE)
    assert doc.captions == (Caption(0, "Kim greets Putin.", "REUTERS/Evelyn Hockstein"),)


# --- text hygiene -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "body_text"), [
    (f"{BODY}\r\n\r\n{MORE}\r\n", f"{BODY}\n\n{MORE}"),
    (f"{BODY}\n\u200b\n{MORE}", f"{BODY}\n\n{MORE}"),  # a zero-width-only line is blank
    (f"\ufeff{BODY}\n\n \t\n\n{MORE}", f"{BODY}\n\n{MORE}"),
    (f"{BODY}\nstill the same paragraph.", f"{BODY}\nstill the same paragraph."),
    ("", ""),
    ("\n\n\n", ""),
])
def test_paragraph_splitting(text: str, body_text: str) -> None:
    assert parse_plain_text(text, today=TODAY, credits=TABLE).body_text == body_text


@pytest.mark.parametrize("text", [
    "", " ", "“”", "\"\"\"", "\u200b\u200b", "مرحبا بالعالم\n\nهذا نص عربي", "|||\n\n///",
    "Photo:\n\nCredit:", "(\n\n)", "." * 100_000, "a\n" * 50_000, "December 26, 2024",
    "Getty Images", "About The Author",
])
def test_never_raises(text: str) -> None:
    doc = parse_plain_text(text, credits=TABLE)
    assert doc.body_text == BODY_SEPARATOR.join(
        p.text for p in doc.paragraphs if p.role in BODY_ROLES)


FRAGMENTS = ["\n", "\n\n", "\r\n", "\r", "\u200b", " | ", "/", "Getty Images", "AP Photo/",
             "December 26, 2024", "About The Author", "Advertisement", "“", "”", ". ", "?", "By "]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.text(max_size=30) | st.sampled_from(FRAGMENTS)).map("".join))
def test_property_body_text_is_made_of_paragraphs(text: str) -> None:
    doc = parse_plain_text(text, today=TODAY, credits=TABLE)
    assert doc.body_text == BODY_SEPARATOR.join(
        p.text for p in doc.paragraphs if p.role in BODY_ROLES)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert all(p.text and p.text in normalised for p in doc.paragraphs)


# --- assembling from known roles (HTML / JSON readers) ----------------------------------------

def test_document_from_paragraphs() -> None:
    paragraphs = [
        Paragraph("Putin arrives", "title"),
        Paragraph("December 26, 2024", "dateline"),
        Paragraph(BODY, "body"),
        Paragraph("Kim greets Putin.", "caption"),
        Paragraph("Getty Images", "credit"),
        Paragraph("What next?", "heading"),
        Paragraph("Crowds cheer. (AP Photo/Evan Vucci)", "caption"),
        Paragraph("Share this:", "boilerplate"),
    ]
    doc = document_from_paragraphs(paragraphs, credits=TABLE, today=TODAY)
    assert doc.title == "Putin arrives"
    assert doc.published_date == datetime.date(2024, 12, 26)
    assert doc.body_text == f"{BODY}\n\nWhat next?"
    assert doc.captions == (Caption(0, "Kim greets Putin.", "Getty Images"),
                            Caption(1, "Crowds cheer.", "(AP Photo/Evan Vucci)"))
    assert doc.paragraphs == tuple(paragraphs)

    given_meta = document_from_paragraphs(paragraphs, "Given", datetime.date(2020, 1, 1),
                                          credits=TABLE)
    assert (given_meta.title, given_meta.published_date) == ("Given", datetime.date(2020, 1, 1))
    assert document_from_paragraphs([], credits=TABLE).title is None


# --- language and words -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "language"), [
    (BODY + " " + MORE, "en"),
    ("Der russische Präsident ist am Mittwoch in Pjöngjang eingetroffen, berichten Medien.", "de"),
    ("Le président russe est arrivé mercredi à Pyongyang, selon les médias d'État.", "fr"),
    ("Hi.", "und"),
    ("", "und"),
    ("12345 !!! ???", "und"),
])
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(("text", "count"), [
    ("Kim Jong Un’s visit", 4),
    ("5-10% of trade", 3),
    ("U.S. officials", 2),
    ("", 0),
    ("— “ ” …", 0),
])
def test_word_count(text: str, count: int) -> None:
    assert word_count(text) == count


# --- PolNeAR: every article's first line is its headline --------------------------------------

@pytest.mark.corpus
def test_polnear_titles(polnear_dir: Path) -> None:
    files = sorted((polnear_dir / "train" / "text").glob("*.txt"))
    assert files
    missing = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        doc = parse_plain_text(text, credits=TABLE)
        if doc.title != text.split("\n\n")[0].strip():
            missing.append(path.name)
    assert missing == []


# The one dateline pattern keeps every dateline the three it replaced matched (the title and
# heading test of documents.py, the claim content trim of claims.py, the place-is-no-entity
# test of entities.py); the end of the match is where what follows starts.
@pytest.mark.parametrize(("line", "dateline"), [
    ("ANKARA, Feb 6 (AP) — Turkish officials said", "ANKARA, Feb 6 (AP) — "),
    ("WASHINGTON (AP) — The senator said", "WASHINGTON (AP) — "),
    ("FRANKFURT (Reuters) - The bank said", "FRANKFURT (Reuters) - "),
    ("FORT MYERS, Fla. — Police said", "FORT MYERS, Fla. — "),
    ("WASHINGTON, D.C. (Reuters) - The", "WASHINGTON, D.C. (Reuters) - "),
    ("LOS ANGELES, Calif. —", "LOS ANGELES, Calif. —"),
    ("SEOUL, South Korea (AP) — North Korea said", "SEOUL, South Korea (AP) — "),
    ("ST. LOUIS -- Voters went", "ST. LOUIS -- "),
    ("NEW YORK—Stocks fell", "NEW YORK—"),
    ("BEIJING, March 3 (Xinhua) – China said", "BEIJING, March 3 (Xinhua) – "),
    ("O’HARE ― Flights resumed", "O’HARE ― "),
    ("NATO - the alliance - met", "NATO - "),  # an acronym opening a dash aside, as before
    # not datelines
    ("Washington — The senator said", None),  # not capitals
    ("EXCLUSIVE — Officials said", None),
    ("BREAKING - Markets fell", None),
    ("He flew to FRANKFURT yesterday — then left", None),
    ("WASHINGTON said on Monday", None),
    ("KIM JONG UN AND JOHN SMITH WERE THERE WHEN THE CAMPAIGN STARTED", None),
    ("WASHINGTON-BASED GROUP SUES", None),
    ("COVID-19 — what we know", None),
    ("A — the first letter", None),
    ("WASHINGTON (AP) The senator said", None),  # no dash
])
def test_one_news_dateline_pattern(line: str, dateline: str | None) -> None:
    from transforms.documents import NEWS_DATELINE

    found = NEWS_DATELINE.match(line)
    assert (found and found.group(0)) == dateline


def test_the_dateline_pattern_is_linear_on_long_capitals() -> None:
    import time

    from transforms.documents import NEWS_DATELINE

    line = "THE " * 2_000 + "end"
    t0 = time.perf_counter()
    assert NEWS_DATELINE.match(line) is None
    assert time.perf_counter() - t0 < 1.0
