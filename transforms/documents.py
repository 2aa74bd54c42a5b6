"""Raw plain text -> a structured document: title, date, paragraphs with roles, body, captions.

Paragraphs are separated by blank lines. Every paragraph keeps its text exactly as written
(only the blank edges are trimmed), because ``body_text`` is assembled from those texts and all
downstream offsets index it. Zero-width characters are looked through when deciding what a line
*is*, never removed from what it *says*.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

import py3langid

from transforms.captions import Caption, CreditTable, is_credit_line, split_inline_credit
from transforms.names import NAME_JOINERS

__all__ = [
    "Caption", "Paragraph", "ParsedDocument", "ROLES", "BODY_ROLES", "parse_plain_text",
    "document_from_paragraphs", "detect_language", "word_count", "parse_date",
    "document_problem", "visible_text", "dateline_date", "NEWS_DATELINE", "is_boilerplate",
    "is_byline",
]

ROLES = ("title", "dateline", "body", "heading", "caption", "credit", "boilerplate")
BODY_ROLES = ("body", "heading")  # the roles whose text makes up body_text
BODY_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Paragraph:
    text: str
    role: str  # one of ROLES


@dataclass(frozen=True)
class ParsedDocument:
    title: str | None  # None when the document has none: never invented
    published_date: datetime.date | None
    body_text: str  # body + heading paragraphs joined by BODY_SEPARATOR
    paragraphs: tuple[Paragraph, ...]  # every paragraph in source order with its role
    captions: tuple[Caption, ...]
    # where published_date came from: "dateline" (a date line of the text), "metadata" (what
    # the caller knew: a JSON lines field, a crawl header), or the page's own source
    # (transforms.page_dates.DATE_SOURCES); None without a date
    date_source: str | None = None


# ---------------------------------------------------------------------------------------------
# Text helpers

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZW_TABLE = str.maketrans("", "", _ZERO_WIDTH)
_EDGE = " \t\n\r\f\v\u00a0" + _ZERO_WIDTH
_WORD = re.compile(r"\w+(?:['’\-.]\w+)*")
_OPEN_QUOTES = "\"“‘'«„"
_TRAILING_CLOSERS = "\"”’'»)]"


def word_count(text: str) -> int:
    """Words as a reader counts them: "Kim Jong Un’s" is 3, "5-10%" is 1."""
    return sum(1 for _ in _WORD.finditer(text))


def visible_text(text: str) -> str:
    """The text as the classifiers see it: zero-width characters removed."""
    return text.translate(_ZW_TABLE).strip()


def _paragraph_texts(text: str) -> list[str]:
    """Blocks separated by lines that are blank to the eye (zero-width-only lines count)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip(_EDGE):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    texts = ("\n".join(block).strip(_EDGE) for block in blocks)
    return [t for t in texts if t]


# ---------------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
          r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_DATE_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"\b{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})\b",  # December 26, 2024 / Dec. 26 2024
    rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b",  # 26 December 2024
    r"\b(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)",  # 2024-12-26
    r"(?<!\d)(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})\b",  # 12/26/2024 (US order)
))
# What may surround a date on a date line: "Updated 3:15 PM ET, Thu June 20, 2024".
_DATE_FURNITURE = re.compile(
    r"\b(?:\d{1,2}(?::\d{2}){1,2}\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
    r"|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?"
    r"|updated|published|posted|last|first|modified|date|on|at|am|pm"
    r"|[ecmp][sd]?t|gmt|utc|bst|cet|cest|kst|jst|ist|hkt|sgt|aest)\b"
    r"|T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
MAX_DATELINE_WORDS = 16
MAX_DATELINE_CHARS = 200
# A publication date is plausible from here to tomorrow (a time zone ahead of the clock):
# the one home of that rule, for text, page metadata and the articles suite alike.
EARLIEST_DATE = datetime.date(1990, 1, 1)


def latest_date(today: datetime.date | None = None) -> datetime.date:
    return (today or datetime.date.today()) + datetime.timedelta(days=1)


def plausible_date(found: datetime.date | None,
                   today: datetime.date | None = None) -> datetime.date | None:
    """found, when it can be a publication date (EARLIEST_DATE .. tomorrow), else None."""
    return found if found is not None and EARLIEST_DATE <= found <= latest_date(today) else None


def parse_date(text: str, today: datetime.date | None = None) -> datetime.date | None:
    """The first plausible calendar date written in text (``plausible_date``), or None."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = plausible_date(_date_of(match), today)
            if found is not None:
                return found
    return None


def _date_of(match: re.Match[str]) -> datetime.date | None:
    parts = match.groupdict()
    name = (parts.get("mon") or "").lower()
    month = _MONTHS.get(name[:4]) or _MONTHS.get(name[:3]) if name else int(parts["month"])
    try:
        return datetime.date(int(parts["year"]), month or 0, int(parts["day"]))
    except ValueError:
        return None


def dateline_date(text: str, today: datetime.date | None) -> datetime.date | None:
    """The date of a paragraph that is *only* a date line, else None."""
    if len(text) > MAX_DATELINE_CHARS or "\n" in text or word_count(text) > MAX_DATELINE_WORDS:
        return None
    found = parse_date(text, today)
    if found is None:
        return None
    rest = text
    for pattern in _DATE_PATTERNS:
        rest = pattern.sub(" ", rest)
    rest = _DATE_FURNITURE.sub(" ", rest)
    leftover = _WORD.findall(rest)
    # "Posted on December 26, 2024 by admin" leaves a short byline, which is still a date line.
    byline = bool(leftover) and leftover[0].lower() == "by" and len(leftover) <= 4
    return found if not leftover or byline else None


# ---------------------------------------------------------------------------------------------
# Boilerplate

_BOILERPLATE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|ad|share this(?: article| story)?:?"
    r"|share(?: on (?:facebook|twitter|x|linkedin|whatsapp))+|related(?: posts| articles| stories"
    r"| content| coverage| reading)?:?|read more(?::.*|\.{0,3}| here[^.]*| at [^.]*)"
    r"|see also:.*|recommended(?: for you)?"
    r"|click here to (?:subscribe|sign up|read more|download).*"
    r"|subscribe(?: now| today| here)?[.!]?|subscribe to (?:our|the) .*newsletter.*"
    r"|sign up for .*newsletter.*|follow us on [^.]*|skip to (?:main )?content|print(?: this)?"
    r"|email(?: this)?|tweet|pin it|all rights reserved.*|(?:copyright\s*)?©?\s*\d{4}\b.*reserved.*"
    r"|(?:copyright|©)\s*(?:©\s*)?\d{4}[^.]*|tags?:.*|posted in:? [^.]*|filed under:? [^.]*"
    r"|previous (?:post|article)|next (?:post|article)"
    r"|your email address will not be published.*|required fields are marked.*"
    r"|leave a (?:reply|comment).*|about the author|comments?|\d+ comments?|reply"
    r"|we use cookies.*|this (?:web)?site uses cookies.*|.*\baccept (?:all )?cookies\b.*"
    r"|by using this (?:web)?site.*cookies.*|loading\.*|view comments?|show comments?"
    r"|continue reading.*|story continues below.*|scroll to continue.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Everything after these is comment forms and author blurbs, not the article.
_TRAILING_BOILERPLATE = re.compile(
    r"^(?:about the author(?::.*)?|leave a (?:reply|comment)(?: cancel reply)?|\d* ?comments?"
    r"|related posts|you may also like|more stories)[:.]?$", re.IGNORECASE,
)
MAX_BOILERPLATE_WORDS = 25
MAX_BOILERPLATE_CHARS = 400
_NAME_TOKEN = re.compile(r"[^\W\d_][\w.'’\-]*,?")


def is_boilerplate(visible: str) -> bool:
    return (len(visible) <= MAX_BOILERPLATE_CHARS and word_count(visible) <= MAX_BOILERPLATE_WORDS
            and bool(_BOILERPLATE.match(visible)))


def _starts_trailing_boilerplate(visible: str) -> bool:
    return word_count(visible) <= 6 and bool(_TRAILING_BOILERPLATE.match(visible))


def is_byline(visible: str) -> bool:
    """ "By Jane Doe and John Roe": "By" and then only capitalised names."""
    words = visible[:200].split()
    if not 2 <= len(words) <= 10 or words[0].lower() != "by" or "\n" in visible:
        return False
    return all(w.lower() in NAME_JOINERS or (_NAME_TOKEN.fullmatch(w) and not w[0].islower())
               for w in words[1:])


# ---------------------------------------------------------------------------------------------
# Titles and headings

MAX_HEADLINE_WORDS = 25
MAX_TERSE_HEADLINE_WORDS = 12
MAX_TITLE_WORDS = 60  # a headline plus its deck ("Jobs report gives Democrats a lift; \n...")
MAX_HEADING_WORDS = 20
MAX_TITLE_CHARS = 600
MAX_HEADING_CHARS = 300
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt", "st", "jr",
    "sr", "inc", "co", "corp", "ltd", "vs", "no", "pres", "prof", "rev", "mt", "ft", "ave", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    "d.c", "a.m", "p.m", "e.g", "i.e", "etc", "est", "adm", "atty", "supt", "cmdr", "maj",
})
_SENTENCE_BREAK = re.compile(r"([\w.]+)[.!?][\"”’']?\s+[\"“‘'(]?[A-Z]")
# A news dateline, opening a story's first paragraph: where it was filed, its first word in
# capitals ("WASHINGTON", "FORT MYERS, Fla.", "SEOUL, South Korea"), maybe the day (", Feb 6")
# and the agency ("(AP)"), then a dash: "ANKARA, Feb 6 (AP) — ". The one home of the pattern:
# it keeps such a line from passing for a title or heading (here), a claim's content from
# starting with it (claims.py), and the place from being an entity (entities.py). Match it
# where the line starts (``match(text, pos)``). Each word of the place starts after a space or
# a comma, so a run of capitals splits one way only: optional separators backtracked
# exponentially on long ALL-CAPS lines.
NEWS_DATELINE = re.compile(
    r"(?!(?:EXCLUSIVE|BREAKING|WATCH|VIDEO|UPDATE|UPDATED|LIVE|OPINION|ANALYSIS)\b)"
    r"[A-Z][A-Z.'’\-]+(?:(?:\s+|,\s*)[A-Z][\w.'’\-]*)*"  # the place
    r"(?:,\s*[A-Z][A-Za-z.]*\s\d{1,2})?"  # the day
    r"\s*(?:\([^)\n]{1,40}\))?"  # the agency
    r"\s*(?:[—–―]\s*|--?\s+)")


_REPORTED_SPEECH = re.compile(r"\b(?:said|told|added|according to)\b", re.IGNORECASE)


def _core(text: str) -> str:
    """Text without trailing quotes and brackets, to see its real final punctuation."""
    return text.rstrip(_TRAILING_CLOSERS + " ")


def _has_sentence_break(line: str) -> bool:
    return any(m.group(1).lower().rstrip(".") not in _ABBREVIATIONS and len(m.group(1)) > 1
               for m in _SENTENCE_BREAK.finditer(line))


def _is_quotation(visible: str) -> bool:
    return visible[:1] in _OPEN_QUOTES and visible.rstrip()[-2:-1] in ".,!?"


def _title_lines_join(lines: list[str]) -> bool:
    """A headline and its deck, not one sentence hard-wrapped over two lines."""
    return all(prev[-1:] in ";:|—–" or (_core(prev)[-1:] in ".!?" and nxt[:1].isupper())
               for prev, nxt in zip(lines, lines[1:], strict=False))


def _is_title_case(line: str) -> bool:
    """ "Bernie Sanders Suffered A Big Blow": most longer words capitalised."""
    words = [w for w in _WORD.findall(line) if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _looks_like_headline(visible: str) -> bool:
    if len(visible) > MAX_TITLE_CHARS:
        return False
    lines = [line.strip() for line in visible.split("\n")]
    first = lines[0]
    return (
        len(lines) <= 2
        and word_count(first) <= MAX_HEADLINE_WORDS
        and word_count(visible) <= MAX_TITLE_WORDS
        and any(ch.isalpha() for ch in first)
        and _core(first)[-1:] not in ",:"
        # A short or title-cased line may still be two sentences ("Game over. Will Sanders...")
        # or a quotation; a longer sentence-cased one is a lead paragraph.
        and (word_count(first) <= MAX_TERSE_HEADLINE_WORDS or _is_title_case(first)
             or not (_has_sentence_break(first) or _is_quotation(visible)))
        and not NEWS_DATELINE.match(first)
        # Headlines report speech in the present ("analysts say"); a lead sentence in the past.
        and (_is_title_case(first) or not _REPORTED_SPEECH.search(first))
        and _title_lines_join(lines)
    )


def _looks_like_heading(visible: str) -> bool:
    if len(visible) > MAX_HEADING_CHARS:
        return False
    core = _core(visible)
    return (
        "\n" not in visible
        and 0 < word_count(visible) <= MAX_HEADING_WORDS
        and any(ch.isalpha() for ch in visible)
        and (core[-1:] == "?" or core[-1:] not in ".,;:!—–-…")
        and visible[:1] not in "([" + _OPEN_QUOTES
        and not _has_sentence_break(visible)
        and not NEWS_DATELINE.match(visible)
    )


# ---------------------------------------------------------------------------------------------
# Roles

def _furniture_roles(visibles: Sequence[str], credits: CreditTable) -> list[str | None]:
    """Boilerplate, credit and caption roles; None where the paragraph is still undecided."""
    roles: list[str | None] = [None] * len(visibles)
    for i, visible in enumerate(visibles):
        if i > 0 and _starts_trailing_boilerplate(visible):
            roles[i:] = ["boilerplate"] * (len(visibles) - i)
            break
        if is_boilerplate(visible):
            roles[i] = "boilerplate"
        elif is_credit_line(visible, credits):
            roles[i] = "credit"
            if i > 0 and roles[i - 1] is None:
                roles[i - 1] = "caption"
        elif split_inline_credit(visible, credits)[1] is not None:
            roles[i] = "caption"
    return roles


def _leading_roles(visibles: Sequence[str], roles: list[str | None],
                   today: datetime.date | None) -> list[str | None]:
    """Date lines, bylines and the title at the top, before the first body paragraph."""
    roles = list(roles)
    title_seen = False
    for i, visible in enumerate(visibles):
        if roles[i] is not None:
            if roles[i] == "boilerplate":
                continue
            break
        if dateline_date(visible, today) is not None:
            roles[i] = "dateline"
        elif is_byline(visible):
            roles[i] = "boilerplate"
        elif not title_seen and _looks_like_headline(visible) and None in roles[i + 1:]:
            roles[i] = "title"
            title_seen = True
        else:
            break
    return roles


def _paragraph_roles(visibles: Sequence[str], today: datetime.date | None,
                     credits: CreditTable) -> list[str]:
    roles = _leading_roles(visibles, _furniture_roles(visibles, credits), today)
    return [role or ("heading" if _looks_like_heading(v) else "body")
            for v, role in zip(visibles, roles, strict=True)]


# ---------------------------------------------------------------------------------------------
# Assembly

def _captions(paragraphs: Sequence[Paragraph], credits: CreditTable) -> tuple[Caption, ...]:
    """A caption takes the credit paragraph that follows it, else a credit at its own end.

    A credit with no caption before it still records a picture, with empty caption text.
    """
    captions: list[Caption] = []
    for i, para in enumerate(paragraphs):
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        previous = paragraphs[i - 1] if i > 0 else None
        if para.role == "caption":
            if following is not None and following.role == "credit":
                captions.append(Caption(len(captions), para.text, following.text))
            else:
                text, credit = split_inline_credit(para.text, credits)
                captions.append(Caption(len(captions), text, credit))
        elif para.role == "credit" and (previous is None or previous.role != "caption"):
            captions.append(Caption(len(captions), "", para.text))
    return tuple(captions)


def document_from_paragraphs(
    paragraphs: Sequence[Paragraph],
    title: str | None = None,
    published_date: datetime.date | None = None,
    *,
    credits: CreditTable,
    today: datetime.date | None = None,
    date_source: str | None = None,
) -> ParsedDocument:
    """Assemble a document from paragraphs whose roles are known (by a reader or by parsing).

    Title and date default to the first title and dateline paragraphs (``date_source`` says
    where a given date came from).
    """
    paragraphs = tuple(paragraphs)
    if title is None:
        title = next((p.text for p in paragraphs if p.role == "title"), None)
    if published_date is None:
        published_date = next((d for p in paragraphs if p.role == "dateline"
                               for d in [parse_date(visible_text(p.text), today)] if d), None)
        date_source = "dateline"
    body_text = BODY_SEPARATOR.join(p.text for p in paragraphs if p.role in BODY_ROLES)
    return ParsedDocument(title, published_date, body_text, paragraphs,
                          _captions(paragraphs, credits),
                          date_source if published_date is not None else None)


def with_paragraphs(parsed: ParsedDocument, paragraphs: Sequence[Paragraph], title: str | None,
                    published_date: datetime.date | None,
                    date_source: str | None = None) -> ParsedDocument:
    """The document with new paragraph roles, title and date, and the same captions (a
    paragraph moved between title and body is never a caption)."""
    paragraphs = tuple(paragraphs)
    body_text = BODY_SEPARATOR.join(p.text for p in paragraphs if p.role in BODY_ROLES)
    source = date_source or (parsed.date_source if published_date == parsed.published_date
                             else None)
    return ParsedDocument(title, published_date, body_text, paragraphs, parsed.captions,
                          source if published_date is not None else None)


def parse_plain_text(text: str, *, credits: CreditTable,
                     today: datetime.date | None = None) -> ParsedDocument:
    """Structure a plain-text article. ``credits``: the vocabulary of photo credit lines;
    ``today`` bounds plausible dates (default: the clock)."""
    texts = _paragraph_texts(text)
    roles = _paragraph_roles([visible_text(t) for t in texts], today, credits)
    paragraphs = [Paragraph(t, role) for t, role in zip(texts, roles, strict=True)]
    return document_from_paragraphs(paragraphs, credits=credits, today=today)


# ---------------------------------------------------------------------------------------------
# Language

MIN_LANGUAGE_LETTERS = 20
LANGUAGE_SAMPLE_CHARS = 10_000  # plenty for a confident guess; keeps huge inputs cheap
UNDETERMINED = "und"


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there is too little text to tell."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LANGUAGE_LETTERS:
        return UNDETERMINED
    language, _score = py3langid.classify(sample)
    return str(language) if language else UNDETERMINED


# ---------------------------------------------------------------------------------------------
# Readability

MAX_BODY_CHARS = 1_000_000


def document_problem(parsed: ParsedDocument,
                     max_chars: int = MAX_BODY_CHARS) -> tuple[str, str] | None:
    """(reason, detail) when a parsed document cannot become an article, else None. Language
    is never a reason: an article in any language is kept."""
    if len(parsed.body_text) > max_chars:
        return "too_long", f"{len(parsed.body_text):,} characters of body text is over the limit"
    if not parsed.body_text.strip():
        return "no_text", "no article body found after removing captions and boilerplate"
    if word_count(parsed.body_text) == 0:  # e.g. only punctuation: articles need words
        return "no_text", "the article body has no words (only punctuation or symbols)"
    return None
