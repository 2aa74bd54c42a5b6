"""Values any input format states: dates, authors, languages, as a JSON lines field, a WARC
header or a web page gives them. One definition for every reader: "June 19, 2024", an ISO
string and an epoch are the same day; "By Jane Doe and John Roe" is two people; a desk, an
agency or a handle is nobody.

Pure: values in, new values out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from transforms.documents import parse_date

__all__ = ["coerce_date", "coerce_datetime", "coerce_authors", "person_names", "is_organisation",
           "language_code", "EARLIEST", "MAX_AUTHOR_WORDS"]

EARLIEST = dt.date(1990, 1, 1)
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
    None when there is none or it is implausible (before 1990, after tomorrow)."""
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
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    return found if found is not None and EARLIEST <= found <= latest else None


_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||\band\b|\bund\b|\bet\b|&|,(?=\s*[A-Z][a-z]+\s+[A-Z]))\s*")
# "By", "Von", "Autor:", "Interview:" and other words that introduce a byline, in the languages
# of the pages we read; degrees after a name ("Grant Tinsley, PhD") are not part of it.
_AUTHOR_PREFIX = re.compile(
    r"^(?:(?:written|posted|reported|text|story|interview|article|artikel|beitrag|texte?|"
    r"r[ée]dig[ée]|escrito|scritto|publicado|veröffentlicht|eingestellt|geschrieben|erstellt|"
    r"verfasst)\s+)?(?:by|von|par|por|door)\s*:?(?:\s+|(?=(?-i:[A-ZÄÖÜ])))"
    r"|^(?:autor(?:in)?|author|auteur|autore|text|texte|interview|redaktion|verfasst von)"
    r"\s*:?\s+", re.IGNORECASE)
_AUTHOR_SUFFIX = re.compile(r",?\s+(?:ph\.?d\.?|m\.?d\.?|mba|msc|stand\b.*|am\s+\d.*|on\s+\d.*)$",
                            re.IGNORECASE)


def coerce_authors(value: Any) -> list[str] | None:
    """Author names from a string ("Jane Doe and John Roe", "A; B"), a list, or JSON-LD person
    objects; None when there are none."""
    items: list[Any] = list(value) if isinstance(value, list | tuple) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name")
        if not isinstance(item, str):
            continue
        text = _AUTHOR_PREFIX.sub("", " ".join(item.split()))
        for part in _AUTHOR_SPLIT.split(text):
            part = _AUTHOR_SUFFIX.sub("", _AUTHOR_PREFIX.sub("", part.strip(" ,.:"))).strip(" ,.")
            if part and not part.startswith(("http://", "https://")) and part not in names:
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
    r"dpa|afp|reuters|kna|epd)\b|^(?:ap|apa|sid)$|^(?:foto|photo|bild)\s*:|\bredaktion\b|"
    r"\b(?:editorial team|staff writer)s?$", re.IGNORECASE)


def person_names(value: Any, organisations: bool = False) -> list[str] | None:
    """Author names without handles, URLs, over-long strings and (unless ``organisations``)
    JSON-LD organisations."""
    if not organisations and is_organisation(value):
        return None
    if not organisations and isinstance(value, list):
        value = [v for v in value if not is_organisation(v)]
    names = [n for n in coerce_authors(value) or []
             if not _NOT_A_NAME.search(n) and not _NOT_A_PERSON.search(n)
             and re.search(r"[^\W\d_]", n) and len(n.split()) <= MAX_AUTHOR_WORDS]
    return names or None
