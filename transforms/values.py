"""Values any input format states: dates, authors, languages, as a JSON lines field, a WARC
header or a web page gives them. One definition for every reader: "June 19, 2024", an ISO
string and an epoch are the same day; "By Jane Doe and John Roe" is two people; a desk, an
agency or a handle is nobody.

Pure: values in, new values out.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Mapping
from typing import Any

from transforms.documents import parse_date, plausible_date
from transforms.names import NAME_PARTICLES

__all__ = ["coerce_date", "coerce_datetime", "coerce_authors", "person_names", "is_organisation",
           "language_code", "MAX_AUTHOR_WORDS"]

MAX_AUTHOR_WORDS = 6




def coerce_datetime(value: Any) -> dt.datetime | None:
    """An ISO 8601 string / datetime / epoch seconds -> tz-aware datetime (UTC when naive)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        found = value
    elif isinstance(value, dt.date):
        found = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            found = dt.datetime.fromisoformat(text)
        except ValueError:
            day = coerce_date(text)
            if day is None:
                return None
            found = dt.datetime(day.year, day.month, day.day)
    else:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def coerce_date(value: Any, today: dt.date | None = None) -> dt.date | None:
    """A publication date from an ISO string, a datetime, a date or prose ("June 19, 2024");
    None when there is none or it is implausible (``documents.plausible_date``)."""
    if value is None or value == "":
        return None
    found: dt.date | None
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            found = dt.date.fromisoformat(text[:10])
        except ValueError:
            found = parse_date(text, today)
    else:
        stamp = coerce_datetime(value)
        found = stamp.date() if stamp else None
    return plausible_date(found, today)


# Joint bylines: "A and B", "A & B", "A; B", "A | Reuters", "A, B" (a comma part is a person only
# when it reads as a name, see _is_name_part).
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||\band\b|\bund\b|\bet\b|&|,|\s[·•/]\s)\s*")
# "By", "Von", "Autor:", "Written by:" and other words that introduce a byline, in the languages
# of the pages we read, with whatever short text stands before them ("Sep 16 Written By X").
_AUTHOR_PREFIX = re.compile(
    r"^(?:\S+\s+){0,3}?(?:written|posted|reported)\s+by\s*:?\s*"
    r"|^(?:(?:text|story|interview|article|artikel|beitrag|texte?|r[ée]dig[ée]|escrito|scritto|"
    r"publicado|veröffentlicht|eingestellt|geschrieben|erstellt|verfasst)\s+)?"
    r"(?:by|von|par|por|door)\s*:?(?:\s+|(?=(?-i:[A-ZÄÖÜ])))"
    r"|^(?:autor(?:in)?|author|auteur|autore|text|texte|interview|redaktion|verfasst von)"
    r"\s*:?\s+", re.IGNORECASE)
_WEEKDAY = (r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?"
            r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
            r"|mo|di|mi|do|fr|sa|so)\.?")
_MONTH_WORD = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
               r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# What follows a name on a byline and is not part of it: a date, "Last updated ...",
# "5 Min Read", "Share", "Stand: ...", "in <category>", a role after a dash.
_AUTHOR_TAIL = re.compile(
    rf"(?:\s+(?:(?:last\s+)?(?:updated|modified|published|posted|reviewed)\b.*"
    rf"|{_MONTH_WORD}\s+\d.*|\d.*|share\b.*|sponsored\b.*|stand\b.*|(?:am|on)\s+\d.*"
    rf"|(?:on|am)\s+{_WEEKDAY}\b.*|in(?:\s+(?-i:[A-Z])\S*)+|[-–—]\s.*)"
    rf"|(?<=[a-z])\d+(?:\s.*|st|nd|rd|th))$",
    re.IGNORECASE)
# Role words: a comma part holding one is the person's job, not another person
# ("ROBERT BURNS, AP National Security Writer", "Tracy Parker, Dietitian").
_ROLE_WORD = re.compile(
    r"\b(?:writer|correspondent|editor|reporter|columnist|contributor|contributing|"
    r"director|manager|officer|president|chief|head|founder|ceo|cto|cfo|consultant|analyst|"
    r"dietitian|nutritionist|specialist|expert|strategist|producer|photographer|fellow|"
    r"professor|lecturer|researcher|scientist|engineer|developer|designer|lead|intern|"
    r"assistant|associate|senior|junior|former|representative|member|candidate|"
    r"coordinator|marketing|journalist|author)\b", re.IGNORECASE)
# A desk, a team, a wire: a byline holding one of these names no person.
_DESK_WORD = re.compile(r"\b(?:staff|team|desk|news|newsroom|press|media|bureau|editorial|"
                        r"editors|wire|agency|agencies)\b", re.IGNORECASE)
MAX_NAME_WORDS = 5


def _is_name_part(part: str) -> bool:
    """A comma part that names a person: two to five capitalised words (particles allowed),
    no digits, no role word. Degrees ("MS", "RD", "PhD"), titles and places are not."""
    words = part.replace(".", ". ").split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or re.search(r"\d|®|™", part):
        return False
    if _ROLE_WORD.search(part) or _DESK_WORD.search(part):
        return False
    return all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in words)


def _without_initials(name: str) -> str:
    """ "CM Craig McCarthy" -> "Craig McCarthy": an avatar's initials before the name."""
    words = name.split()
    if len(words) >= 3 and words[0].isupper() and 2 <= len(words[0]) <= 3 and \
            words[0] == "".join(w[0] for w in words[1:len(words[0]) + 1]).upper():
        return " ".join(words[1:])
    return name


def _without_trailing_words(name: str) -> str:
    """ "Liz Kenny Former McKinsey Consultant" -> "Liz Kenny", "Luke Kim December" -> "Luke
    Kim": a role or a month after a two-word name (a two-word "Tom May" stays)."""
    words = name.split()
    for i in range(2, len(words)):
        if _ROLE_WORD.fullmatch(words[i]) or (i == len(words) - 1 and re.fullmatch(
                f"{_MONTH_WORD}|{_WEEKDAY}", words[i].rstrip(","), re.IGNORECASE)):
            return " ".join(words[:i])
    return name


def _byline_people(text: str) -> list[str]:
    """The people of one byline string, in order."""
    text = _AUTHOR_PREFIX.sub("", html_lib.unescape(" ".join(text.split())))
    out: list[str] = []
    for i, raw in enumerate(re.split(r"(\s*,\s*)", text)[::2]):
        for part in _AUTHOR_SPLIT.split(raw):
            part = _AUTHOR_PREFIX.sub("", part.strip(" ,.:•·"))
            part = _without_initials(_AUTHOR_TAIL.sub("", part).strip(" ,.:|-•·"))
            # after the first, a comma part must read as a name (else it is a degree or a job)
            if part and (i == 0 or _is_name_part(part)):
                out.append(_without_trailing_words(part))
    return out


def coerce_authors(value: Any) -> list[str] | None:
    """Author names from a string ("By Jane Doe and John Roe", "A; B", "LISA MASCARO, MARY
    CLARE JALONICK"), a list, or JSON-LD person objects, without job titles, degrees, dates
    and "5 Min Read" tails; None when there are none."""
    items: list[Any] = list(value) if isinstance(value, list | tuple) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name")
        if not isinstance(item, str):
            continue
        for part in _byline_people(item):
            if not part.startswith(("http://", "https://")) and part not in names:
                names.append(part)
    return names or None


def language_code(value: Any) -> str | None:
    """"en-US", "en_GB", "EN" -> "en"; None for anything else."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None



_NOT_A_NAME = re.compile(r"@|https?:|www\.|\d{3}|\.(?:com|de|net|org)\b", re.IGNORECASE)


def is_organisation(value: Any) -> bool:
    return isinstance(value, Mapping) and "organization" in str(value.get("@type", "")).lower()


# Who signs but is no person: a desk, an agency, a word a byline element holds beside the name
# ("Staff", "Redaktion", "Agencies", "Veröffentlicht", "Foto: ...").
_NOT_A_PERSON = re.compile(
    r"^(?:the\s+)?(?:staff|redaktion|editorial(?:\s+(?:team|staff|board))?|newsroom|agenc(?:y|ies)|"
    r"posted|published|veröffentlicht|publiziert(?:\s+am)?|admin|administrator|pressestelle|"
    r"dpa|afp|reuters|kna|epd|associated press|press association|united press|bloomberg|"
    r"the canadian press|agence france)\b|^(?:ap|apa|sid|upi|pa|cnn|bbc)$|"
    r"^(?:foto|photo|bild)\s*:|\bredaktion\b|\b(?:editorial team|staff writer)s?$|"
    r"^(?:the\s+)?(?:author|by|guest|contributor|unknown|anonymous)$|\badmin\b|"
    r"^(?:written|posted|reported)\s+by\s*:?$|^" + _WEEKDAY + "$|\\bmins?\\.?\\s+read\\b|"
    r"\b(?:newsroom|news desk|desk|wire|news service)$|"
    r"(?-i:^[a-z0-9]+[._][a-z0-9._]+$)|^\d|^" + _MONTH_WORD + "$", re.IGNORECASE)


def person_names(value: Any, organisations: bool = False) -> list[str] | None:
    """Author names without handles, URLs, over-long strings and (unless ``organisations``)
    JSON-LD organisations."""
    if not organisations and is_organisation(value):
        return None
    if not organisations and isinstance(value, list):
        value = [v for v in value if not is_organisation(v)]
    names = [n for n in coerce_authors(value) or []
             if not _NOT_A_NAME.search(n) and not _NOT_A_PERSON.search(n)
             and not _ROLE_WORD.search(n) and not _DESK_WORD.search(n)
             and re.search(r"[^\W\d_]", n) and len(n.split()) <= MAX_AUTHOR_WORDS]
    return names or None
