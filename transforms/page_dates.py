"""When a web page says its article was published, and where it says so.

Every date the page states is a candidate with its source: the date shown near the headline
and byline (labelled published or updated by the words before it), JSON-LD ``datePublished``,
published-time ``<meta>`` tags, ``<time datetime>`` in the article, the URL's path, and
htmldate's guess. Modified dates (JSON-LD ``dateModified``, ``article:modified_time``, a
visible "Updated ...") are candidates only to be recognised: they never pass as the published
date. A date is the day the page shows in its own time zone ("2019-11-18T21:24:00-05:00" is
the 18th).

Pure: a parsed tree in, dates out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from transforms.documents import parse_date
from transforms.page import outside_article, page_lines, text_of
from transforms.values import coerce_date

__all__ = ["DateCandidate", "date_candidates", "published_date", "DATE_SOURCES"]

DATE_SOURCES = ("visible", "json_ld", "meta", "time", "url", "htmldate")  # schemas.DATE_SOURCES
# Measured on the tuning halves of ../shared/corpora/wcxb-dev (302 dated pages) and
# ../shared/corpora/web (371): right where present, URL 13/13 and 43/47, <time> in the
# article 50/51 and 71/81, the date shown by the headline 182/191 and 126/147, published-time
# <meta> 157/168 and 161/184, htmldate 263/302 and 323/371, JSON-LD 200/230 and 137/153.
# Two of the page's structured statements (JSON-LD, meta, <time>, URL) agreeing decide; else
# the first source in TRUST with a date. Both halves, with no modified day passing: wcxb
# 0.868 -> 0.871, web 0.873 -> 0.868 (13 of its 371 gold dates are days the page names only
# as modified; the best order without the agreement: 0.874 and 0.857).
TRUST = ("url", "time", "visible", "meta", "htmldate", "json_ld")
AGREEING = 2
STRUCTURED = ("json_ld", "meta", "time", "url")


@dataclasses.dataclass(frozen=True)
class DateCandidate:
    day: dt.date
    source: str  # one of DATE_SOURCES
    updated: bool = False  # a modification date, never the published one


_PUBLISHED_META = ("article:published_time", "og:published_time", "og:article:published_time",
                   "datepublished", "pubdate", "publishdate", "publish-date", "publication_date",
                   "date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.date",
                   "sailthru.date", "parsely-pub-date", "citation_publication_date",
                   "article.published")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                  "last-modified", "lastmod")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d?)/(\d\d?)/")
_UPDATED = re.compile(r"\b(?:updated?|modified|revised|reviewed|refreshed|edited|"
                      r"aktualisiert|geändert|mis à jour|actualizado)\b", re.IGNORECASE)
_DATE_IN_LINE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"oct|nov|dec)[a-z]*\.?,?\s+\d{4}|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b"
    r"|\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b", re.IGNORECASE)
# "12.03.2024": day first wherever dots separate the parts (slashes are read month first)
_DOTTED = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})")
MAX_DATE_LINE_WORDS = 25
LINES_BEFORE_HEADING = 8
LINES_AFTER_HEADING = 30


def _url_day(url: str | None, today: dt.date | None) -> dt.date | None:
    found = _URL_DATE.search(url or "")
    if not found:
        return None
    try:
        return coerce_date(dt.date(int(found[1]), int(found[2]), int(found[3])), today)
    except ValueError:
        return None


def _heading_index(lines: Sequence[tuple[Any, str]]) -> int | None:
    """Where the article's h1 stands among the page's lines (the first h1 when none is inside
    the article: a headline in a header block is still the headline)."""
    headings = [i for i, (owner, _) in enumerate(lines) if owner.tag == "h1"]
    inside = [i for i in headings if not outside_article(lines[i][0])]
    return next(iter(inside or headings), None)


def _in_page_furniture(el: Any) -> bool:
    return any(a.tag in ("nav", "footer", "aside") for a in el.iterancestors())


def _written_day(text: str, today: dt.date | None) -> dt.date | None:
    dotted = _DOTTED.fullmatch(text)
    if dotted is None:
        return parse_date(text, today)
    try:
        return coerce_date(dt.date(int(dotted[3]), int(dotted[2]), int(dotted[1])), today)
    except ValueError:
        return None


def visible_dates(body: Any, today: dt.date | None) -> list[DateCandidate]:
    """Dates written on short lines near the article's headline (or at the top of the article
    when it has no h1), nearest first after the headline, each labelled updated when the words
    before it on its line (or the line before) say so."""
    lines = page_lines(body)
    at = _heading_index(lines)
    if at is None:
        return []
    window = [*range(at, min(len(lines), at + LINES_AFTER_HEADING)),
              *range(at - 1, max(-1, at - LINES_BEFORE_HEADING), -1)]
    out = []
    for i in window:
        owner, text = lines[i]
        if len(text.split()) > MAX_DATE_LINE_WORDS or _in_page_furniture(owner):
            continue
        for match in _DATE_IN_LINE.finditer(text):
            day = _written_day(match.group(0), today)
            if day is None:
                continue
            before = text[:match.start()] or (lines[i - 1][1] if i else "")
            out.append(DateCandidate(day, "visible", bool(_UPDATED.search(before[-40:]))))
    return out


def _ld_dates(articles: Sequence[Mapping[str, Any]], today: dt.date | None) -> list[DateCandidate]:
    out = []
    for obj in articles:
        for key, updated in (("datePublished", False), ("dateCreated", False),
                             ("dateModified", True)):
            if day := coerce_date(obj.get(key), today):
                out.append(DateCandidate(day, "json_ld", updated))
    return out


def _meta_dates(meta: Mapping[str, str], today: dt.date | None) -> list[DateCandidate]:
    return [DateCandidate(day, "meta", key in _MODIFIED_META)
            for key in (*_PUBLISHED_META, *_MODIFIED_META)
            if (day := coerce_date(meta.get(key), today))]


def _time_dates(tree: Any, today: dt.date | None) -> list[DateCandidate]:
    """<time datetime> elements of the article, updated when their marks or text say so."""
    out = []
    for el in tree.iter("time"):
        if not el.get("datetime") or outside_article(el):
            continue
        marks = f"{el.get('class') or ''} {el.get('itemprop') or ''} {text_of(el)}"
        parent = el.getparent()
        context = text_of(parent)[:60] if parent is not None else ""
        if day := coerce_date(el.get("datetime"), today):
            out.append(DateCandidate(day, "time", bool(re.search(r"modif|updat", marks, re.I)
                                                       or _UPDATED.search(context))))
    return out


def date_candidates(tree: Any, meta: Mapping[str, str], articles: Sequence[Mapping[str, Any]],
                    url: str | None, htmldate: dt.date | None,
                    today: dt.date | None) -> list[DateCandidate]:
    """Every date the page states, by source, in the order above."""
    body = tree.find("body")
    visible = visible_dates(body, today) if body is not None else []
    url_day = _url_day(url, today)
    return [*visible, *_ld_dates(articles, today), *_meta_dates(meta, today),
            *_time_dates(tree, today),
            *([DateCandidate(url_day, "url")] if url_day else []),
            *([DateCandidate(htmldate, "htmldate")] if htmldate else [])]


def published_date(candidates: Sequence[DateCandidate]) -> DateCandidate | None:
    """The published date among the page's candidates: the day two structured sources agree
    on, else the most trusted source's first published date; never a day that the page names
    as modified (an "Updated ..." line, JSON-LD dateModified, a modified-time tag) and its
    data does not name as published -- a byline date without a label, or htmldate's guess, is
    then the last update (without this rule the wcxb tuning half reads 0.907: its gold takes
    a day the page names only as modified on 32 of 302 pages)."""
    modified = ({c.day for c in candidates if c.updated}
                - {c.day for c in candidates if not c.updated
                   and c.source not in ("visible", "htmldate")})
    usable = [c for c in candidates if not c.updated and c.day not in modified]
    stated = [next((c for c in usable if c.source == source), None) for source in STRUCTURED]
    days = [c.day for c in stated if c is not None]
    agreed = next((c for c in stated if c is not None and days.count(c.day) >= AGREEING), None)
    chosen = agreed or next((c for source in TRUST for c in usable if c.source == source), None)
    if chosen is not None and chosen.source == "htmldate":
        # htmldate reads the same tags: name the page's source it agrees with, if any
        return next((c for c in usable if c.day == chosen.day and c.source != "htmldate"),
                    chosen)
    return chosen
