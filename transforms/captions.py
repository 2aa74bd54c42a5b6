"""Photo credit lines -> photographer, agency and distributor; captions -> CAPTIONS rows.

A credit is read as a short list of *segments* ("Anthony Wallace | AFP | Getty Images",
"Mandel Ngan/AFP via Getty Images", "(AP Photo/Evan Vucci, File)") and each segment is
classified as a known agency or distributor, a word that names no one ("Staff", "Pool"), an
organisation, or a person. A line is a credit only when every segment classifies and there is
something that marks it as one (a known agency, a "Photo:" prefix...), so ordinary sentences that
happen to contain "|", "/" or "Photo" are not mistaken for credits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from transforms.names import NAME_JOINERS
from transforms.schemas import stable_id


@dataclass(frozen=True)
class Caption:
    position: int  # 0-based order in the article
    text: str  # caption without its credit line
    credit: str | None  # the raw credit line as written, or None


@dataclass(frozen=True)
class Credit:
    photographer: str | None
    agency: str | None
    distributor: str | None


@dataclass(frozen=True)
class CreditTable:
    """The vocabulary of credit lines, as data (models/lexicons/photo_credits.json, loaded by
    the flows layer): folded spelling -> canonical name of agencies and distributors, and the
    words that stand where a photographer's name would but name no one."""

    agencies: Mapping[str, str]
    distributors: Mapping[str, str]
    not_people: frozenset[str]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CreditTable:
        """From the file's shape: {"agencies": {canonical: [spellings]}, "distributors": ...,
        "not_people": [words]}."""
        return cls(MappingProxyType(_spellings(data.get("agencies") or {})),
                   MappingProxyType(_spellings(data.get("distributors") or {})),
                   frozenset(_key(w) for w in data.get("not_people") or ()))


def _key(text: str) -> str:
    """A spelling folded for lookup: "Shutterstock.com", "GettyImages", "getty images." ->
    one key (a web address credits its site, case, spaces and punctuation vary)."""
    text = re.sub(r"\.(?:com|net|org|de|fr|co\.uk|at|ch)$", "", text.strip().lower())
    return re.sub(r"[\W_]+", "", text)


def _spellings(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {_key(spelling): canonical for canonical, others in table.items()
            for spelling in (canonical, *others)}


_ORG_WORDS = frozenset({
    "news", "agency", "images", "photos", "pictures", "press", "times", "post", "journal",
    "service", "media", "wire", "sport", "sports", "collection", "archive", "archives",
    "library", "museum", "foundation", "department", "office", "house", "government",
    "ministry", "council", "university", "police", "army", "navy", "tribune", "herald",
    "gazette", "telegraph", "network", "studios", "studio", "group", "committee", "campaign",
    "inc", "ltd", "llc", "gmbh", "ag", "corp", "co",
})
# what a credited name may hold besides capitalised words: "St. John", "Mc Donald"
_NAME_WORDS = NAME_JOINERS | {"st.", "mc", "mac"}
_PREFIX = re.compile(
    r"^(?:(?:photo(?:graph)?s?|images?|pictures?|pic|photo\s+illustration|illustration|"
    r"photographer|(?:photo|image|picture)\s+credit|credits?|"
    # the same words in the other languages of the pages we read
    r"fotos?|bild(?:er|quelle|nachweis)?|quelle|cr[ée]dits?|cr[ée]dito|fotograf[ií]a|"
    r"zdj[eę]cie|fot\.)\s*(?:by\b|:|\.{3}|…|-)"
    r"|(?:photos?|images?|pictures?)\s+by\b|credit\b|©|\(c\)|copyright\b)\s*",
    re.IGNORECASE,
)
_COURTESY = re.compile(r"^(?:(?:photo|image|picture)\s+)?courtesy(?:\s+of)?\b\s*", re.I)
_VIA = re.compile(r"\s+via\s+", re.IGNORECASE)
# "Name for The New York Times", "Name for the Guardian"
_FOR = re.compile(r"\s+for\s+(?=(?:the\s+)?[A-Z])")
_SPLIT = re.compile(r"\s*[|/]\s*|,\s+|\s+[—–]\s+")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w.'’\-]*\.?")
_X_PHOTO = re.compile(r"^(?P<agency>.+?)\s+(?:photos?|images?)$", re.IGNORECASE)
# "APA (dpa)": a picture of the agency in brackets, passed on by the one before them.
_CARRIED = re.compile(r"^(?P<carrier>[^()]+?)\s*\((?P<origin>[^()]+)\)$")
# A photographer's handle on a stock library ("marcogarrincha/Shutterstock.com"): one
# lower-case token, accepted only beside a known agency or distributor.
_HANDLE = re.compile(r"[a-z0-9][\w.\-]{1,40}")
# "File 2013", "2019": a file picture's year, naming no one.
_YEAR = re.compile(r"(?:(?:file|archive|archiv)\s*(?:photo\s*)?)?(?:19|20)\d\d", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[a-z]{2}[.!?][\"”’']?\s+\S")
MAX_CREDIT_CHARS = 160
MAX_CREDIT_WORDS = 18


@dataclass(frozen=True)
class _Segment:
    kind: str  # "agency", "origin" (the agency in "APA (dpa)"), "distributor", "none" (names
    # no one), "org", "person" or "handle"
    value: str


_KNOWN = ("agency", "origin", "distributor")


@dataclass(frozen=True)
class _Reading:
    segments: tuple[_Segment, ...]
    marked: bool  # a prefix ("Photo:"), a known agency or distributor says it is a credit
    separated: bool  # the line had |, /, via, for or a prefix: more than a bare name


def _unwrapped(credit: str) -> str:
    text = credit.strip().rstrip(".").strip()
    while len(text) > 1 and text[0] in "([" and text[-1] in ")]":
        text = text[1:-1].strip()
    return text


def _is_name_like(segment: str) -> bool:
    tokens = segment.split()
    if not 1 <= len(tokens) <= 6:
        return False
    named = 0
    for token in tokens:
        if token.lower() in _NAME_WORDS:
            continue
        if not _NAME_TOKEN.fullmatch(token) or token[0].islower():
            return False
        named += 1
    return named >= 1


def _known(text: str, table: CreditTable) -> _Segment | None:
    key = _key(text)
    if key in table.agencies:
        return _Segment("agency", table.agencies[key])
    if key in table.distributors:
        return _Segment("distributor", table.distributors[key])
    if key in table.not_people or _YEAR.fullmatch(text.strip(" .")):
        return _Segment("none", text)
    x_photo = _X_PHOTO.match(text.strip(" ."))
    if x_photo and _key(x_photo["agency"]) in table.agencies:  # "AP Photo", "AFP Photo"
        return _Segment("agency", table.agencies[_key(x_photo["agency"])])
    return None


def _segment(text: str, table: CreditTable) -> _Segment | None:
    known = _known(text, table)
    if known is not None:
        return known
    if not _is_name_like(text):
        return _Segment("handle", text) if _HANDLE.fullmatch(text) else None
    tokens = text.split()
    is_org = (tokens[0] == "The" or tokens[-1].lower().strip(".") in _ORG_WORDS
              or (len(tokens) == 1 and text.isupper() and len(text) > 1))
    return _Segment("org" if is_org else "person", text)


def _part_segments(part: str, table: CreditTable, first: bool) -> list[_Segment | None]:
    """One part between separators: "for Outlet" (after a name) is the outlet, "APA (dpa)"
    two agencies."""
    if part.lower().startswith("for ") and not first:
        found = _segment(part[4:].strip(), table)
        return [_Segment("agency", found.value) if found and found.kind in ("org", "person")
                else found]
    carried = _CARRIED.match(part)
    if carried:
        carrier, origin = _known(carried["carrier"], table), _known(carried["origin"], table)
        if carrier and origin and carrier.kind == origin.kind == "agency":
            return [_Segment("origin", origin.value), _Segment("distributor", carrier.value)]
    return [_segment(part, table)]


def _segments(text: str, table: CreditTable) -> list[_Segment] | None:
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    found = [s for i, p in enumerate(parts) for s in _part_segments(p, table, i == 0)]
    if not found or any(s is None for s in found):
        return None
    segments = [s for s in found if s is not None]
    if any(s.kind == "handle" for s in segments):
        if not any(s.kind in _KNOWN for s in segments):
            return None
        segments = [_Segment("person", s.value) if s.kind == "handle" else s for s in segments]
    return segments


def _without_prefixes(text: str, table: CreditTable) -> tuple[str, bool]:
    """The credit after its introducing words, which may stack ("© Foto:", "Credit: Photo:"),
    but not a known name that starts like one ("picture-alliance/dpa")."""
    prefixed = False
    while ((prefix := _PREFIX.match(text)) and prefix.end() > 0
           and _known(_SPLIT.split(text, maxsplit=1)[0], table) is None):
        text, prefixed = text[prefix.end():].strip(), True
    return text, prefixed


def _reading(credit: str, table: CreditTable) -> _Reading | None:
    """The credit's segments, or None when the line cannot be a credit."""
    if len(credit) > MAX_CREDIT_CHARS or "\n" in credit.strip():
        return None
    text = _unwrapped(credit)
    if not text or len(text.split()) > MAX_CREDIT_WORDS or _SENTENCE_END.search(text):
        return None
    courtesy = _COURTESY.match(text)
    if courtesy:
        # "Courtesy of the Smith family": whoever supplied the picture, kept as written.
        rest = text[courtesy.end():].strip()
        ok = 0 < len(rest.split()) <= 8 and not re.search(r"[.!?;:]\s", rest)
        return _Reading((_Segment("org", rest),), True, True) if ok else None
    body, prefixed = _without_prefixes(text, table)
    via = _VIA.split(body, maxsplit=1)
    main, distributor = (via[0], via[1]) if len(via) == 2 else (body, None)
    outlet_split = _FOR.split(main, maxsplit=1)
    main, outlet = (outlet_split[0], outlet_split[1]) if len(outlet_split) == 2 else (main, None)
    segments = _segments(main, table)
    if segments is None:
        return None
    known = any(s.kind in _KNOWN for s in segments)
    for extra, kind in ((outlet, "agency"), (distributor, "distributor")):
        if extra is None:
            continue
        more = _segments(extra, table)
        if more is None:
            return None
        # "for The New York Times", "via Getty Images": an organisation vouches for the line,
        # a person's name there ("Knack for Deals") does not.
        known = known or any(s.kind != "person" for s in more)
        segments += [s if s.kind in ("agency", "distributor", "none") else _Segment(kind, s.value)
                     for s in more]
    separated = prefixed or len(segments) > 1
    return _Reading(tuple(segments), prefixed or known, separated)


def is_credit_line(text: str, table: CreditTable) -> bool:
    """A photo credit standing on its own line ("Anthony Wallace | AFP | Getty Images")."""
    reading = _reading(text, table)
    if reading is None or not reading.marked:
        return False
    # A bare "Getty Images" is a credit; a bare person's name is not.
    return reading.separated or all(s.kind in _KNOWN for s in reading.segments)


# Where a credit may start inside a caption: after a sentence, a line break, a dash or a bar,
# before a bracket or a "©", and where a credit word is glued to the sentence before it
# ("... phenomenon.Credit: Name/Xinhua").
_CREDIT_START = re.compile(
    r"(?:(?<=[.!?\"'”’)\]])\s+|\n\s*|\s+[—–|]\s+|\s+(?=[(©])"
    r"|(?<=[.!?])(?=(?-i:Credit|Photo|Foto|Image|Bild)s?\s*:))")
# Text known to describe a picture may also end in a credit after a hyphen ("... at home -
# Name/Getty Images"), or in known names glued to its last word ("... in LondonAFP via Getty").
_PICTURE_START = re.compile(r"\s+-\s+|\s+(?=\S)|(?<=[a-z])(?=[A-Z])")
MAX_INLINE_LOOKBACK = 200


def _all_known(reading: _Reading) -> bool:
    return all(s.kind in (*_KNOWN, "none") for s in reading.segments) and any(
        s.kind == "distributor" for s in reading.segments)


def split_inline_credit(caption: str, table: CreditTable, *,
                        picture: bool = False) -> tuple[str, str | None]:
    """(caption text, trailing credit as written) -- e.g. "... 2024. (AP Photo/Evan Vucci)".

    Only marked, separated credits count ("REUTERS/Name", "(AP Photo/Name)", "Photo: Name"):
    a body sentence ending "... (Reuters)" is attribution of the text, not a picture credit.
    Text known to describe a picture (``picture``: a caption element, an image's alt text)
    also gives up a bare agency or distributor at its end ("... harbour (Shutterstock)"), and
    known names that end it without punctuation, as long as a picture library is among them
    ("Dee Dee Myers Getty Images", "... in LondonAFP via Getty"): an agency alone after a
    word ("... an interview with Reuters") may be the caption's own.
    """
    stripped = caption.rstrip()
    window_start = max(0, len(stripped) - MAX_INLINE_LOOKBACK)
    for match in _CREDIT_START.finditer(stripped, window_start):
        head, tail = stripped[:match.start()].rstrip(), stripped[match.end():].lstrip("|—– ")
        reading = _reading(tail, table) if head and tail else None
        if reading is not None and reading.marked and (reading.separated or picture):
            return head, tail
    if picture:
        for match in _PICTURE_START.finditer(stripped, window_start):
            head, tail = stripped[:match.start()].rstrip(), stripped[match.end():]
            reading = _reading(tail, table) if head and tail else None
            if reading is not None and reading.marked and (
                    _all_known(reading) or match.group().strip() == "-" and reading.separated):
                return head, tail
    return caption, None


def names_known_source(credit: str, table: CreditTable) -> bool:
    """The credit line names an agency or distributor of the table."""
    reading = _reading(credit, table)
    return reading is not None and any(s.kind in _KNOWN for s in reading.segments)


def parse_credit(credit: str, table: CreditTable) -> Credit:
    """Photographer, agency and distributor named by a credit line; None for what it lacks.

    A distributor with no agency beside it ("Joe Raedle/Getty Images", "Getty Images") is the
    one that supplied the picture: the agency; the distributor column is for a library that
    passes on another agency's picture ("AFP via Getty Images")."""
    reading = _reading(credit, table)
    if reading is None:
        return Credit(None, None, None)
    photographer = agency = distributor = None
    for seg in reading.segments:
        if seg.kind == "person" and photographer is None:
            photographer = seg.value
        elif seg.kind == "distributor" and distributor is None:
            distributor = seg.value
        elif seg.kind in ("agency", "org", "person") and agency is None:
            agency = seg.value
    # "APA/APA (dpa)/Name": the picture is dpa's, whoever passed it on
    agency = next((s.value for s in reading.segments if s.kind == "origin"), agency)
    if agency is None and distributor is not None:
        agency, distributor = distributor, None
    return Credit(photographer, agency, distributor)


def caption_records(article_id: str, captions: Sequence[Caption],
                    table: CreditTable) -> list[dict[str, Any]]:
    """CAPTIONS rows (without source_uri, content_sha256 and published_month, added by glue)."""
    rows = []
    for caption in captions:
        credit = (parse_credit(caption.credit, table) if caption.credit
                  else Credit(None, None, None))
        rows.append({
            "caption_id": stable_id(article_id, "caption", caption.position),
            "article_id": article_id,
            "position": caption.position,
            "caption_text": caption.text,
            "credit_text": caption.credit,
            "photographer": credit.photographer,
            "agency": credit.agency,
            "distributor": credit.distributor,
        })
    return rows
