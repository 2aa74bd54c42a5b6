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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


# Lower-cased spelling -> canonical name. Outlets that credit their own staff ("Name | CNBC",
# "Name for The New York Times") count as agencies here.
AGENCIES: dict[str, str] = {
    name.lower(): name
    for name in (
        "AP", "AFP", "Reuters", "EPA-EFE", "EPA", "EFE", "Bloomberg", "Xinhua", "Anadolu Agency",
        "Sputnik", "KCNA", "Kyodo", "Kyodo News", "Yonhap", "TASS", "ANSA", "DPA", "Sipa",
        "Sipa USA", "NurPhoto", "SOPA Images", "LightRocket", "ZUMA Press", "ZUMA Wire", "Rex",
        "Abaca", "Bloomberg News", "UPI", "ANI", "PTI", "Kremlin", "Magnum Photos", "VII",
        "Getty Images News", "Getty Images Entertainment", "Getty Images Sport",
        "Getty Images North America", "Getty Images Europe", "Getty Images AsiaPac",
        "The New York Times", "The Washington Post", "The Wall Street Journal",
        "Los Angeles Times", "The Guardian", "Financial Times", "USA Today", "USA TODAY",
        "CNBC", "CNN", "NBC News", "BBC", "NPR", "ABC News", "CBS News", "Fox News", "Politico",
        "Yomiuri", "Jiji Press", "Chosun", "Yonhap News",
    )
}
AGENCIES.update({
    "associated press": "AP", "the associated press": "AP", "agence france-presse": "AFP",
    "agence france presse": "AFP", "epa/efe": "EPA-EFE", "anadolu": "Anadolu Agency",
    "usa today": "USA TODAY", "nyt": "The New York Times", "dpa": "DPA",
})
DISTRIBUTORS: dict[str, str] = {
    name.lower(): name
    for name in (
        "Getty Images", "Shutterstock", "Alamy", "iStock", "Imagn", "Redux", "Polaris",
        "Corbis", "Alamy Stock Photo", "Rex Features",
    )
}
DISTRIBUTORS.update({"getty": "Getty Images", "istockphoto": "iStock", "rex/shutterstock":
                     "Shutterstock"})
# Words that stand where a photographer's name would, but name no one.
NOT_PEOPLE = frozenset({
    "contributor", "contributors", "staff", "stringer", "handout", "pool", "file", "file photo",
    "photo", "photos", "photograph", "various", "various sources", "archive", "archives",
    "staff photographer", "staff photo", "pool photo", "handout photo", "illustration",
    "photo illustration", "screenshot", "screengrab", "afp contributor", "unknown",
})
_ORG_WORDS = frozenset({
    "news", "agency", "images", "photos", "pictures", "press", "times", "post", "journal",
    "service", "media", "wire", "sport", "sports", "collection", "archive", "archives",
    "library", "museum", "foundation", "department", "office", "house", "government",
    "ministry", "council", "university", "police", "army", "navy", "tribune", "herald",
    "gazette", "telegraph", "network", "studios", "studio", "group", "committee", "campaign",
})
_PARTICLES = frozenset({
    "de", "da", "das", "do", "dos", "del", "della", "di", "du", "van", "von", "der", "den", "ter",
    "ten", "bin", "ibn", "al", "el", "la", "le", "y", "and", "&", "st.", "mc", "mac",
})
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
_FOR = re.compile(r"\s+for\s+(?=[A-Z])")
_SPLIT = re.compile(r"\s*[|/]\s*|,\s+|\s+[—–]\s+")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w.'’\-]*\.?")
_X_PHOTO = re.compile(r"^(?P<agency>.+?)\s+(?:photos?|images?)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[a-z]{2}[.!?][\"”’']?\s+\S")
MAX_CREDIT_CHARS = 160
MAX_CREDIT_WORDS = 18


@dataclass(frozen=True)
class _Segment:
    kind: str  # "agency", "distributor", "none" (names no one), "org" or "person"
    value: str


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
        if token.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.fullmatch(token) or token[0].islower():
            return False
        named += 1
    return named >= 1


def _segment(text: str) -> _Segment | None:
    key = text.lower().strip(" .")
    if key in AGENCIES:
        return _Segment("agency", AGENCIES[key])
    if key in DISTRIBUTORS:
        return _Segment("distributor", DISTRIBUTORS[key])
    if key in NOT_PEOPLE:
        return _Segment("none", text)
    x_photo = _X_PHOTO.match(key)
    if x_photo and x_photo["agency"] in AGENCIES:  # "AP Photo", "AFP Photo"
        return _Segment("agency", AGENCIES[x_photo["agency"]])
    if not _is_name_like(text):
        return None
    tokens = text.split()
    is_org = (tokens[0] == "The" or tokens[-1].lower() in _ORG_WORDS
              or (len(tokens) == 1 and text.isupper() and len(text) > 1))
    return _Segment("org" if is_org else "person", text)


def _segments(text: str) -> list[_Segment] | None:
    parts = [p for p in _SPLIT.split(text) if p.strip()]
    found = [_segment(p.strip()) for p in parts]
    if not found or any(s is None for s in found):
        return None
    return [s for s in found if s is not None]


def _reading(credit: str) -> _Reading | None:
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
    prefix = _PREFIX.match(text)
    body = text[prefix.end():].strip() if prefix else text
    via = _VIA.split(body, maxsplit=1)
    main, distributor = (via[0], via[1]) if len(via) == 2 else (body, None)
    outlet_split = _FOR.split(main, maxsplit=1)
    main, outlet = (outlet_split[0], outlet_split[1]) if len(outlet_split) == 2 else (main, None)
    segments = _segments(main)
    if segments is None:
        return None
    known = any(s.kind in ("agency", "distributor") for s in segments)
    for extra, kind in ((outlet, "agency"), (distributor, "distributor")):
        if extra is None:
            continue
        more = _segments(extra)
        if more is None:
            return None
        # "for The New York Times", "via Getty Images": an organisation vouches for the line,
        # a person's name there ("Knack for Deals") does not.
        known = known or any(s.kind != "person" for s in more)
        segments += [s if s.kind in ("agency", "distributor", "none") else _Segment(kind, s.value)
                     for s in more]
    separated = bool(prefix) or len(segments) > 1
    return _Reading(tuple(segments), bool(prefix) or known, separated)


def is_credit_line(text: str) -> bool:
    """A photo credit standing on its own line ("Anthony Wallace | AFP | Getty Images")."""
    reading = _reading(text)
    if reading is None or not reading.marked:
        return False
    # A bare "Getty Images" is a credit; a bare person's name is not.
    return reading.separated or all(s.kind in ("agency", "distributor") for s in reading.segments)


# Where a credit may start inside a caption: after a sentence, a line break or a dash.
_CREDIT_START = re.compile(r"(?:(?<=[.!?\"”’)\]])\s+|\n\s*|\s+[—–]\s+|\s+(?=\())")
MAX_INLINE_LOOKBACK = 200


def split_inline_credit(caption: str, *, picture: bool = False) -> tuple[str, str | None]:
    """(caption text, trailing credit as written) -- e.g. "... 2024. (AP Photo/Evan Vucci)".

    Only marked, separated credits count ("REUTERS/Name", "(AP Photo/Name)", "Photo: Name"):
    a body sentence ending "... (Reuters)" is attribution of the text, not a picture credit.
    Text known to describe a picture (``picture``: a caption element, an image's alt text)
    also gives up a bare agency or distributor at its end: "... harbour (Shutterstock)".
    """
    stripped = caption.rstrip()
    window_start = max(0, len(stripped) - MAX_INLINE_LOOKBACK)
    for match in _CREDIT_START.finditer(stripped, window_start):
        tail = stripped[match.end():]
        head = stripped[:match.start()].rstrip()
        if not head or not tail:
            continue
        reading = _reading(tail)
        if reading is not None and reading.marked and (reading.separated or picture):
            return head, tail
    return caption, None


def parse_credit(credit: str) -> Credit:
    """Photographer, agency and distributor named by a credit line; None for what it lacks."""
    reading = _reading(credit)
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
    return Credit(photographer, agency, distributor)


def caption_records(article_id: str, captions: Sequence[Caption]) -> list[dict[str, Any]]:
    """CAPTIONS rows (without source_uri, content_sha256 and published_month, added by glue)."""
    rows = []
    for caption in captions:
        credit = parse_credit(caption.credit) if caption.credit else Credit(None, None, None)
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
