"""Web pages -> ParsedDocument: trafilatura's main text, plus what extractors drop.

Body: trafilatura (tables included, fallbacks on) finds the article and keeps its structure:
paragraphs, table rows, list items and sub-headings, walked in order (``_blocks``). Short
paragraphs that its precision pass drops, link lists and menu items go; a page where it finds
next to nothing gets its recall pass, then its baseline.

Captions: read from the page wherever it puts them -- ``figure``/``figcaption``, elements
named caption or credit by class, id or itemprop (a credit in its own element is paired with
the caption beside it), an image's alt or title text ending in a credit, JSON-LD
``ImageObject`` (caption, creditText, copyrightHolder) -- once each, placed before the
paragraph that followed the picture, and kept out of the body.

Metadata (``html_metadata``): the article's h1 where it agrees with og:title / the JSON-LD
headline / ``<title>``, else those without segments that name the site (og:site_name, the
publisher, the page banner, the domain); htmldate's original (publication) date, else
JSON-LD, ``<meta>`` and ``<time>``; authors from JSON-LD people, byline elements and lines,
then meta tags, without "By"/"Von" or role words. Values the caller already knows (a JSON
lines field, a WARC header) win over the page's: ``with_metadata``.

Pure: strings and mappings in, new objects out; nothing here reads a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import lxml.html
from lxml import etree

from transforms.captions import (
    CreditTable,
    is_credit_line,
    names_known_source,
    split_inline_credit,
)
from transforms.documents import (
    Paragraph,
    ParsedDocument,
    document_from_paragraphs,
    parse_date,
    with_paragraphs,
    word_count,
)

# Paragraph classifiers shared with the plain-text parser (private there: one definition of
# "boilerplate", "byline" and "date line" for every format).
from transforms.documents import _dateline_date as dateline_date
from transforms.documents import _is_boilerplate as is_boilerplate
from transforms.documents import _is_byline as is_byline
from transforms.documents import _visible as visible

__all__ = [
    "parse_html", "html_metadata", "with_metadata", "coerce_date", "coerce_datetime",
    "coerce_authors", "language_code", "METADATA_KEYS",
]

METADATA_KEYS = ("title", "published_date", "authors", "publisher", "url", "canonical_url",
                 "fetched_at", "language")
EARLIEST = dt.date(1990, 1, 1)

# ---------------------------------------------------------------------------------------------
# Values: dates, authors, languages


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


# ---------------------------------------------------------------------------------------------
# The page as a tree


def _tree(html: str) -> Any | None:
    if not html or not html.strip():
        return None
    try:
        # lxml refuses str input that declares an encoding; the bytes are already decoded.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _text_of(el: Any, skip: Any = None) -> str:
    """Visible text of an element, <br> as a line break, optionally without one subtree (whose
    tail is kept)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node is skip or not isinstance(node.tag, str):
            return
        if node.tag in ("script", "style", "noscript", "template"):
            return
        if node.tag in ("br", "lb"):
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _json_ld(tree: Any) -> Iterator[Mapping[str, Any]]:
    """Every object in the page's JSON-LD blocks (through @graph and lists)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, Mapping):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


_ARTICLE_TYPES = re.compile(r"article|posting|report|blog", re.IGNORECASE)


def _ld_articles(tree: Any) -> list[Mapping[str, Any]]:
    """JSON-LD objects describing an article, articles first."""
    objects = list(_json_ld(tree))
    types = [" ".join(t) if isinstance(t := o.get("@type"), list) else str(t or "")
             for o in objects]
    return ([o for o, t in zip(objects, types, strict=True) if _ARTICLE_TYPES.search(t)]
            + [o for o, t in zip(objects, types, strict=True) if not _ARTICLE_TYPES.search(t)])


def _meta(tree: Any) -> dict[str, str]:
    """<meta> content by lower-cased property / name / itemprop / http-equiv (first wins)."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (el.get(attr) or "").strip().lower()
            if key and key not in out:
                out[key] = content.strip()
    return out


_DATE_META = ("article:published_time", "og:published_time", "og:article:published_time",
              "datepublished", "pubdate", "publishdate", "publish-date", "publication_date",
              "date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.date",
              "sailthru.date", "parsely-pub-date", "citation_publication_date", "article.published")


def _page_date(tree: Any, meta: Mapping[str, str], articles: Sequence[Mapping[str, Any]],
               today: dt.date | None) -> dt.date | None:
    for obj in articles:
        for key in ("datePublished", "dateCreated"):
            found = coerce_date(obj.get(key), today)
            if found:
                return found
    for key in _DATE_META:
        found = coerce_date(meta.get(key), today)
        if found:
            return found
    times = [t for t in tree.iter("time") if t.get("datetime")]
    preferred = [t for t in times if "publish" in (t.get("itemprop") or "").lower()
                 or re.search(r"pub|posted|date", t.get("class") or "", re.I)]
    in_article = [t for t in times if any(a.tag in ("article", "main") for a in t.iterancestors())]
    for t in (*preferred, *in_article, *times):
        found = coerce_date(t.get("datetime"), today)
        if found:
            return found
    return None


_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d?)/(\d\d?)/")
AGREEING_SOURCES = 3


def _url_date(url: str | None, today: dt.date | None) -> dt.date | None:
    """The date in an article URL's path ("/2019/11/19/")."""
    found = _URL_DATE.search(url or "")
    if not found:
        return None
    try:
        return coerce_date(dt.date(int(found[1]), int(found[2]), int(found[3])), today)
    except ValueError:
        return None


def _structured_dates(tree: Any, meta: Mapping[str, str], articles: Sequence[Mapping[str, Any]],
                      url: str | None, today: dt.date | None) -> list[dt.date]:
    """The dates the page states in machine-readable form: JSON-LD datePublished,
    article:published_time, the first <time datetime> inside the article, the URL's path."""
    ld = next((d for o in articles if (d := coerce_date(o.get("datePublished"), today))), None)
    tag = coerce_date(meta.get("article:published_time"), today)
    in_article = next((d for t in tree.iter("time") if t.get("datetime")
                       and any(a.tag in ("article", "main") for a in t.iterancestors())
                       and (d := coerce_date(t.get("datetime"), today))), None)
    return [d for d in (ld, tag, in_article, _url_date(url, today)) if d is not None]


def _published_date(tree: Any, meta: Mapping[str, str], articles: Sequence[Mapping[str, Any]],
                    url: str | None, htmldate: dt.date | None,
                    today: dt.date | None) -> dt.date | None:
    """Ranked by what measures best on the tuning half of ../shared/corpora/web (right where
    present: htmldate 0.871 on every page; JSON-LD 0.894, article:published_time 0.915,
    <time> in the article 0.908, URL 0.917, each on a third of the pages or fewer): htmldate,
    unless three of the structured sources agree on another day (tuning half 0.8706 ->
    0.8733; any one of them first: 0.860), then the structured ones and the rest."""
    stated = _structured_dates(tree, meta, articles, url, today)
    agreed = next((d for d in stated if stated.count(d) >= AGREEING_SOURCES), None)
    return agreed or htmldate or _page_date(tree, meta, articles, today)


def _link(tree: Any, rel: str) -> str | None:
    for el in tree.iter("link"):
        if rel in (el.get("rel") or "").lower().split() and (el.get("href") or "").strip():
            return str(el.get("href")).strip()
    return None


def _first_str(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, list) and value:
            value = value[0]
            if isinstance(value, Mapping):
                value = value.get("name")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—:·•»/]|::)\s+")
_TLDS = frozenset({"www", "com", "org", "net", "de", "at", "ch", "co", "uk", "fr", "es", "it",
                   "pl", "br", "eu", "info", "gov", "gv", "edu", "io"})


def _host_labels(url: str | None) -> list[str]:
    """ "https://www.aerobuzz.de/x" -> ["aerobuzz"]: the parts of a domain that name a site."""
    found = re.match(r"(?:[a-z]+:)?//([^/:?#]+)", (url or "").strip().lower())
    labels = found.group(1).split(".") if found else []
    return [re.sub(r"\W", "", label) for label in labels if label not in _TLDS and len(label) > 2]


def _squashed_fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _names_site(segment: str, sites: Sequence[str], labels: Sequence[str]) -> bool:
    """A title segment that is the site's name: og:site_name or the publisher, or the domain."""
    seg = _squashed_fold(segment)
    if not seg:
        return True
    if any(site and (seg == site or (len(site) > 3 and (site in seg or seg in site)))
           for site in sites):
        return True
    return any(label in seg or (len(seg) > 3 and seg in label) for label in labels)


def _without_site(title: str, sites: Sequence[str], labels: Sequence[str]) -> str:
    """The title without leading or trailing segments that name the site ("… | Facet")."""
    parts = _TITLE_SEPARATOR.split(title)
    seps = _TITLE_SEPARATOR.findall(title)
    while len(parts) > 1 and _names_site(parts[-1], sites, labels):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and _names_site(parts[0], sites, labels):
        parts.pop(0)
        seps.pop(0)
    return parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True))


def _agrees(heading: str, title: str) -> bool:
    """An h1 and a declared title that name the same article (one holds the other, or most of
    the heading's words are in the title)."""
    h, t = _norm(heading), _norm(title)
    if not h or not t:
        return False
    if h in t or t in h:
        return True
    words = set(re.findall(r"\w+", h))
    return len(words & set(re.findall(r"\w+", t))) >= 0.6 * max(len(words), 1)


def _heading_lines(text: str) -> list[str]:
    """A heading's lines, a line ending in ":" or a dash joined with the next (one headline
    broken over two lines) but a kicker line kept apart from its headline."""
    out: list[str] = []
    for line in (part.strip() for part in text.split("\n")):
        if out and out[-1][-1:] in ":–—-":
            out[-1] = f"{out[-1]} {line}"
        elif line:
            out.append(line)
    return out or [""]


_SITE_NAME_MARK = re.compile(r"logo|site-?(?:title|name)|brand|blog-?(?:title|name)",
                             re.IGNORECASE)


def _site_banner_names(tree: Any) -> list[str]:
    """The site's own name as its page header shows it: an h1 or a logo / site-title element
    outside the article."""
    out = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        banner = (el.tag == "h1" and _outside_article(el)) or (
            bool(_SITE_NAME_MARK.search(f"{el.get('class') or ''} {el.get('id') or ''}"))
            and not any(a.tag in ("article", "main") for a in el.iterancestors()))
        text = _text_of(el) if banner else ""
        if text and len(text.split()) <= 6:
            out.append(_squashed_fold(text))
    return out


def _page_title(tree: Any, declared: Sequence[str | None], sites: Sequence[str],
                labels: Sequence[str]) -> str | None:
    """The article's h1 where it agrees with what the page declares (og:title, JSON-LD
    headline, <title>), else the first declared title without the site's name. A multi-line
    h1 (kicker over headline) gives its longest line."""
    titles = [t for t in declared if t]
    for el in tree.iter("h1"):
        if _outside_article(el):
            continue
        heading = max(_heading_lines(_text_of(el)), key=len)
        if (len(heading.split()) >= 2 and not _names_site(heading, sites, labels)
                and any(_agrees(heading, t) for t in titles)):
            return heading
    return _without_site(titles[0], sites, labels) if titles else None


_BYLINE_CLASS = re.compile(r"author|byline|autor|verfasser|auteur", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"@|https?:|www\.|\d{3}|\.(?:com|de|net|org)\b", re.IGNORECASE)
MAX_AUTHOR_WORDS = 6


def _byline_names(tree: Any) -> list[str]:
    """Names in the page's own byline elements: rel=author links, itemprop=author, and
    elements classed author/byline (comment sections and sidebars left out)."""
    out: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "meta", "link", "body",
                                                      "html", "article", "main"):
            continue
        marked = ("author" in (el.get("rel") or "").lower()
                  or "author" in (el.get("itemprop") or "").lower()
                  or _BYLINE_CLASS.search(f"{el.get('class') or ''}"))
        if not marked or _outside_article(el) or any(
                "comment" in f"{a.get('class') or ''} {a.get('id') or ''}".lower()
                for a in el.iterancestors()):
            continue
        text = " ".join(_text_of(el).split())
        if not text or len(text.split()) > MAX_AUTHOR_WORDS + 3:
            continue
        names = coerce_authors(text) or []
        out.extend(n for n in names if n not in out)
        if out:
            return out
    return out


_BYLINE_LINE = re.compile(
    r"^(?:(?:by|von|par|por|door)(?:\s*:\s*|\s+)"
    r"|(?:text|texte|autor(?:in)?|author|auteur|redaktion)(?:\s+von)?\s*:\s*)\S",
    re.IGNORECASE)
_BYLINE_TAGS = ("p", "div", "span", "em", "i", "strong", "b", "small", "li", "address")


def _byline_line_names(tree: Any) -> list[str]:
    """Names on a short line of the article that reads as a byline: "von Daniela Obers",
    "Text: Klausmartin Friedrich", "Autor: Peter Maahn"."""
    for el in tree.iter(*_BYLINE_TAGS):
        text = " ".join(_text_of(el).split())
        if (not text or len(text.split()) > MAX_AUTHOR_WORDS + 2 or not _BYLINE_LINE.match(text)
                or _outside_article(el)):
            continue
        names = [n for n in coerce_authors(text) or [] if n[:1].isupper()]
        if names:
            return names
    return []


def _is_organisation(value: Any) -> bool:
    return isinstance(value, Mapping) and "organization" in str(value.get("@type", "")).lower()


# Who signs but is no person: a desk, an agency, a word a byline element holds beside the name
# ("Staff", "Redaktion", "Agencies", "Veröffentlicht", "Foto: ...").
_NOT_A_PERSON = re.compile(
    r"^(?:the\s+)?(?:staff|redaktion|editorial(?:\s+(?:team|staff|board))?|newsroom|agenc(?:y|ies)|"
    r"posted|published|veröffentlicht|publiziert(?:\s+am)?|admin|administrator|pressestelle|"
    r"dpa|afp|reuters|kna|epd)\b|^(?:ap|apa|sid)$|^(?:foto|photo|bild)\s*:|\bredaktion\b|"
    r"\b(?:editorial team|staff writer)s?$", re.IGNORECASE)


def _names(value: Any, organisations: bool = False) -> list[str] | None:
    """Author names without handles, URLs, over-long strings and (unless ``organisations``)
    JSON-LD organisations."""
    if not organisations and _is_organisation(value):
        return None
    if not organisations and isinstance(value, list):
        value = [v for v in value if not _is_organisation(v)]
    names = [n for n in coerce_authors(value) or []
             if not _NOT_A_NAME.search(n) and not _NOT_A_PERSON.search(n)
             and re.search(r"[^\W\d_]", n) and len(n.split()) <= MAX_AUTHOR_WORDS]
    return names or None


def _page_authors(candidates: Sequence[Any], sites: Sequence[str],
                  labels: Sequence[str]) -> list[str] | None:
    """The first candidate that names people other than the site; else the first that names
    anyone (a blog or an institution signs with its own name)."""
    people = [n for c in candidates if (n := _names(c))
              and not all(_names_site(x, sites, labels) for x in n)]
    named = [n for c in candidates if (n := _names(c, organisations=True))]
    return next(iter(people or named), None)


def html_metadata(html: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """What the page says about itself: title, published_date, authors, publisher, url,
    canonical_url, language. Keys without a value are left out.

    Title: the h1 where it agrees with og:title / the JSON-LD headline / <title>, else those
    without the site's name (og:site_name, the publisher, the domain). Date: htmldate's
    original (publication) date, else JSON-LD, meta tags and <time>. Authors: JSON-LD
    people, then the page's byline, then meta tags; never the site itself."""
    tree = _tree(html)
    if tree is None:
        return {}
    meta = _meta(tree)
    articles = _ld_articles(tree)
    ld = articles[0] if articles else {}
    from trafilatura.metadata import extract_metadata  # heavy import, only for web pages

    try:
        guessed = extract_metadata(html, extensive=True)
    except Exception:  # noqa: BLE001 - a metadata heuristic must not lose the article
        guessed = None
    canonical = _link(tree, "canonical") or meta.get("og:url")
    url = _first_str(meta.get("og:url"), canonical, getattr(guessed, "url", None))
    publisher = _first_str(ld.get("publisher"), meta.get("og:site_name"),
                           getattr(guessed, "sitename", None))
    sites = [_squashed_fold(s) for s in (meta.get("og:site_name"), publisher,
                                         meta.get("application-name")) if s]
    sites += _site_banner_names(tree)
    labels = _host_labels(url)
    tag_title = next((t for el in tree.iter("title") if (t := _text_of(el))), None)
    title = _page_title(tree, [_first_str(meta.get("og:title")), _first_str(ld.get("headline")),
                               tag_title, getattr(guessed, "title", None)], sites, labels)
    guessed_authors = (getattr(guessed, "author", None) or "").split(";")
    found: dict[str, Any] = {
        "title": title,
        "published_date": _published_date(tree, meta, articles, canonical,
                                          coerce_date(getattr(guessed, "date", None), today),
                                          today),
        "authors": _page_authors([ld.get("author"), _byline_names(tree),
                                  _byline_line_names(tree), guessed_authors, meta.get("author")],
                                 sites, labels),
        "publisher": publisher,
        "url": url,
        "canonical_url": canonical,
        "language": (language_code(tree.get("lang")) or language_code(tree.get("xml:lang"))
                     or language_code(meta.get("content-language"))
                     or language_code(meta.get("og:locale"))
                     or language_code(ld.get("inLanguage"))),
    }
    return {k: v for k, v in found.items() if v not in (None, "", [])}


# ---------------------------------------------------------------------------------------------
# Figures

# Where pages put a picture's caption and its credit: class, id or itemprop names.
_CAPTION_MARK = re.compile(r"caption|legende|legend\b|bildunterschrift|bildtext|"
                           r"(?:image|photo|img|picture|media)-?(?:desc|text|info)", re.IGNORECASE)
_CREDIT_MARK = re.compile(r"credit|copyright|photographer|urheber|bildnachweis|bildquelle|"
                          r"attribution|rights|source|byline", re.IGNORECASE)
# Outside a figure or caption only these name a photo credit ("source" and "byline" name the
# article's own).
_STANDALONE_CREDIT = re.compile(r"credit|photographer|urheber|bildnachweis|bildquelle|"
                                r"(?:image|photo|img|picture|media)-?copyright", re.IGNORECASE)
_DECORATIVE = re.compile(r"logo|avatar|icon|sprite|gravatar|emoji|badge|banner|pixel|spacer|"
                         r"profile|author|thumb", re.IGNORECASE)
_NOT_ARTICLE = re.compile(r"comment|related|sidebar|promo|newsletter|advert|recirc|social|share",
                          re.IGNORECASE)
MAX_CAPTION_WORDS = 120


@dataclasses.dataclass(frozen=True)
class _Figure:
    caption: str
    credit: str | None
    next_text: str | None  # the paragraph after the picture, to place the caption there
    page_texts: frozenset[str]  # squashed texts it occupies on the page, to keep out of the body


def _outside_article(el: Any) -> bool:
    """In the page's navigation, footer, an aside, or a region classed as comments, related
    links, a sidebar, promotion or sharing -- below the article itself: class names around
    the article that holds the page's h1 are layout ("with-sidebar-right",
    "docked-sharebar-content-container"), not a region beside it."""
    in_main_article = False
    for anc in el.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag in ("nav", "footer", "aside"):
            return True
        if tag == "header" and not any(a.tag in ("article", "main") for a in anc.iterancestors()):
            return True
        if tag in ("article", "main") and any(True for _ in anc.iter("h1")):
            in_main_article = True
        if not in_main_article and tag not in ("article", "main") and _NOT_ARTICLE.search(
                f"{anc.get('class') or ''} {anc.get('id') or ''}"):
            return True
    return False


def _marks(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''}"


def _is_caption_element(el: Any) -> bool:
    return isinstance(el.tag, str) and (el.tag == "figcaption" or (
        el.tag not in ("figure", "img", "html", "body", "article", "main")
        and bool(_CAPTION_MARK.search(_marks(el)))))


def _is_credit_element(el: Any, standalone: bool = False) -> bool:
    if not isinstance(el.tag, str) or el.tag in ("img", "figure", "html", "body"):
        return False
    marks = _marks(el)
    return bool((_STANDALONE_CREDIT if standalone else _CREDIT_MARK).search(marks))


def _next_paragraph_text(el: Any) -> str | None:
    for sibling in el.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        ps = [sibling] if sibling.tag == "p" else list(sibling.iter("p"))
        for p in ps:
            text = _text_of(p)
            if text:
                return text
    parent = el.getparent()
    return _next_paragraph_text(parent) if parent is not None and parent.tag != "body" else None


def _credit_text(el: Any) -> str | None:
    text = " ".join(_text_of(el).split())
    return text if text and len(text) <= 200 else None


def _split_credit(caption: str, credits: CreditTable) -> tuple[str, str | None]:
    """A credit on the caption's last line, else at its end; a caption element that holds
    only a credit ("Photo by Name / AFP", "AP Photo/Uncredited") is that credit."""
    lines = caption.split("\n")
    if len(lines) > 1 and is_credit_line(lines[-1], credits):
        return "\n".join(lines[:-1]), lines[-1]
    if is_credit_line(" ".join(caption.split()), credits):
        return "", " ".join(caption.split())
    return split_inline_credit(caption, credits, picture=True)


def _made_figure(anchor: Any, caption: str, credit: str | None, occupied: Sequence[str],
                 credits: CreditTable) -> _Figure | None:
    if credit is None:
        caption, credit = _split_credit(caption, credits)
    caption = " ".join(caption.split())
    if not caption and not credit:
        return None
    texts = {_squash(t) for t in (caption, credit or "", f"{caption} {credit or ''}",
                                  f"{credit or ''} {caption}", *occupied)}
    return _Figure(caption, credit or None, _next_paragraph_text(anchor),
                   frozenset(t for t in texts if t))


def _caption_figure(cap: Any, credits: CreditTable) -> tuple[_Figure | None, list[Any]]:
    """A caption element (figcaption, class "caption"...) with the credit inside it or beside
    it in the same figure; the figure and the credit elements it used."""
    group = next((a for a in cap.iterancestors("figure")), None)
    group = group if group is not None else cap.getparent()
    inner = next((el for el in cap.iterdescendants() if _is_credit_element(el)), None)
    beside = None if group is None else next(
        (el for el in group.iter() if el is not cap and _is_credit_element(el)
         and cap not in el.iterancestors() and el not in cap.iterancestors()), None)
    credit_el = inner if inner is not None else beside
    credit = _credit_text(credit_el) if credit_el is not None else None
    full = _text_of(cap)
    occupied = [full]
    outer = next((a for a in cap.iterancestors() if _is_caption_element(a)), None)
    if credit is None and outer is not None:  # <figcaption><span class=caption/> Photo: X
        rest = " ".join(_text_of(outer, skip=cap).split())
        if rest and is_credit_line(rest, credits):
            credit = rest
            occupied.append(_text_of(outer))
    caption = _text_of(cap, skip=inner) if inner is not None else full
    if len(caption.split()) > MAX_CAPTION_WORDS:
        return None, []
    anchor = group if group is not None and group.tag == "figure" else cap
    used = [e for e in (credit_el,) if e is not None]
    return _made_figure(anchor, caption, credit, occupied, credits), used


PICTURE_LEVELS = 3


def _near_picture(el: Any) -> bool:
    """A picture within a few levels up of the element (a credit under the photo's wrapper)."""
    for level, anc in enumerate(el.iterancestors()):
        if level >= PICTURE_LEVELS or anc.tag in ("body", "article", "main"):
            return False
        if any(True for _ in anc.iter("img", "picture", "amp-img", "figure")):
            return True
    return False


def _credit_figure(el: Any, credits: CreditTable) -> _Figure | None:
    """A credit element on its own ("div.image-credit"), holding a credit or a caption ending
    in one ("Rep. Mark Meadows. | Alex Wong/Getty Images"); next to a picture, unless the
    credit names an agency or picture library of the table (then the class and the credit
    both say what it is, wherever the page put it)."""
    text = _credit_text(el)
    if text is None:
        return None
    caption, credit = ("", text) if is_credit_line(text, credits) else split_inline_credit(
        text, credits, picture=True)
    if credit is None or not (_near_picture(el) or names_known_source(credit, credits)):
        return None
    return _made_figure(el, caption, credit, [text], credits)


def _alt_figure(img: Any, credits: CreditTable) -> _Figure | None:
    """An image whose alt or title text ends in a credit ("... harbour (Shutterstock)")."""
    if _DECORATIVE.search(f"{_marks(img)} {img.get('src') or ''}"):
        return None
    for attr in ("alt", "title"):
        text = " ".join((img.get(attr) or "").split())
        if len(text.split()) < 3 or len(text.split()) > MAX_CAPTION_WORDS:
            continue
        caption, credit = _split_credit(text, credits)
        if credit is not None:
            return _made_figure(img, caption, credit, [], credits)
    return None


def _ld_figures(tree: Any, credits: CreditTable) -> list[_Figure]:
    """JSON-LD ImageObjects with a caption or credit (caption, creditText, copyrightHolder)."""
    out = []
    for obj in _json_ld(tree):
        images = obj.get("image")
        candidates = [obj] if "imageobject" in str(obj.get("@type", "")).lower() else []
        candidates += [i for i in (images if isinstance(images, list) else [images])
                       if isinstance(i, Mapping)]
        for image in candidates:
            caption = _first_str(image.get("caption")) or ""
            credit = _first_str(image.get("creditText"), image.get("copyrightHolder"),
                                image.get("author"))
            if caption or credit:
                found = _made_figure(tree, caption, credit, [], credits)
                if found is not None:
                    out.append(dataclasses.replace(found, next_text=None))
    return out


def _figures(tree: Any, credits: CreditTable) -> list[_Figure]:
    """Every captioned or credited picture of the article, in page order, each once."""
    found: list[_Figure] = []
    used: set[Any] = set()
    # the innermost caption element that says something (an empty "reveal-caption-icon"
    # inside a figcaption does not stand for it)
    captions = [el for el in tree.iter() if _is_caption_element(el)
                and not any(_is_caption_element(d) and _text_of(d) for d in el.iterdescendants())
                and not _outside_article(el)]
    for cap in captions:
        figure, credit_els = _caption_figure(cap, credits)
        used.update(credit_els)
        used.add(cap)
        if figure is not None:
            found.append(figure)
    for fig in tree.iter("figure"):  # figures with a credit and no caption element
        if _outside_article(fig) or any(_is_caption_element(d) for d in fig.iterdescendants()):
            continue
        credit_el = next((el for el in fig.iter() if _is_credit_element(el)), None)
        if credit_el is not None and credit_el not in used:
            used.add(credit_el)
            credit = _credit_text(credit_el)
            if credit and (figure := _made_figure(fig, "", credit, [credit], credits)):
                found.append(figure)
    for el in tree.iter():
        if (el not in used and _is_credit_element(el, standalone=True)
                and not any(a in used for a in el.iterancestors())
                and not _outside_article(el) and (figure := _credit_figure(el, credits))):
            used.add(el)
            found.append(figure)
    for img in tree.iter("img"):
        if (not _outside_article(img) and not any(a in used or a.tag == "figure"
                                                  for a in img.iterancestors())
                and (figure := _alt_figure(img, credits)) is not None):
            found.append(figure)
    found.extend(_ld_figures(tree, credits))
    return _distinct(found)


def _distinct(figures: Sequence[_Figure]) -> list[_Figure]:
    """The same photo twice (a lazy-loading copy, the JSON-LD lead image) is one caption."""
    out: list[_Figure] = []
    for fig in figures:
        key = _squash(fig.caption)
        twin = next((i for i, o in enumerate(out) if (key and key == _squash(o.caption))
                     or (not key and fig.credit and _squash(fig.credit) in o.page_texts)), None)
        if twin is None:
            out.append(fig)
        elif out[twin].credit is None and fig.credit is not None:
            out[twin] = dataclasses.replace(out[twin], credit=fig.credit,
                                            page_texts=out[twin].page_texts | fig.page_texts)
    return out


def _figure_paragraphs(fig: _Figure) -> list[Paragraph]:
    paras = [Paragraph(fig.caption, "caption")] if fig.caption else []
    if fig.credit:
        paras.append(Paragraph(fig.credit, "credit"))
    return paras


MAX_MENU_ITEM_WORDS = 10


def _menu_items(tree: Any) -> set[str]:
    """Squashed texts of the short items of the page's navigation, page header, footer and
    asides: what a paragraph is when trafilatura took a menu for the article."""
    out = set()
    for region in tree.iter("nav", "footer", "aside", "header"):
        if region.tag == "header" and any(a.tag in ("article", "main")
                                          for a in region.iterancestors()):
            continue
        for el in region.iter():
            if isinstance(el.tag, str) and (text := _text_of(el)) \
                    and len(text.split()) <= MAX_MENU_ITEM_WORDS:
                out.add(_squash(text))
    return out


# ---------------------------------------------------------------------------------------------
# Main text


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _squash(text: str) -> str:
    """Text without any whitespace, for containment tests across markup boundaries."""
    return "".join(text.split()).casefold()


def _role(text: str, today: dt.date | None, credits: CreditTable) -> str:
    seen = visible(text)
    if is_boilerplate(seen) or is_byline(seen):
        return "boilerplate"
    if is_credit_line(seen, credits):
        return "credit"
    if dateline_date(seen, today) is not None:
        return "dateline"
    return "body"


_BLOCK_TAGS = frozenset({"p", "head", "list", "item", "table", "row", "cell", "quote", "div",
                         "code"})


def _has_blocks(el: Any) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants())


def _loose_text(el: Any) -> str:
    """The text of a container outside its block children (mixed content)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS:
            parts.append(_text_of(child))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _blocks(el: Any) -> Iterator[tuple[str, Any, str]]:
    """(kind, element, text) of trafilatura's output in reading order, kind "head" or "p".
    Containers (div, quote, list item, table cell)
    are walked into when they hold blocks; a table row of plain cells is one paragraph."""
    if loose := _loose_text(el):
        yield "p", el, loose
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "row" and not any(_has_blocks(cell) for cell in child):
            text = " ".join(t for cell in child if (t := _text_of(cell)))
            if text:
                yield "p", child, text
        elif child.tag in ("head", "p") or child.tag in _BLOCK_TAGS and not _has_blocks(child):
            if (text := _text_of(child)) or child.tag == "p":
                yield ("head" if child.tag == "head" else "p"), child, text
        elif child.tag in _BLOCK_TAGS:
            yield from _blocks(child)


MIN_BODY_WORDS = 25
MAX_UNCONFIRMED_WORDS = 12
MAX_LINK_LIST_WORDS = 40


def _is_link_list(el: Any, text: str) -> bool:
    """A short paragraph with much of its text in links: a teaser list, not the article
    (tuning half: body F1 0.920 -> 0.928; a share of 0.5 gives 0.927, 0.2 gives 0.925)."""
    linked = sum(len(_text_of(ref)) for ref in el.iter("ref"))
    return linked >= 0.35 * len(text) and word_count(text) <= MAX_LINK_LIST_WORDS


def _body_paragraphs(body: Any | None, title: str | None, figures: Sequence[_Figure],
                     menus: set[str], today: dt.date | None,
                     credits: CreditTable) -> list[Paragraph]:
    """trafilatura's blocks as paragraphs with roles, without caption and credit text (the
    captions table has them) and menu items taken for the article."""
    on_page = {t for f in figures for t in f.page_texts}
    paragraphs: list[Paragraph] = []
    for kind, el, text in _blocks(body) if body is not None else ():
        if not text or _squash(text) in on_page or _squash(text) in menus:
            continue
        if kind == "p" and _is_link_list(el, text):
            continue
        if kind == "head":
            is_title = (not paragraphs or all(p.role != "body" for p in paragraphs)) and (
                el.get("rend") == "h1" or (title is not None and _norm(text) == _norm(title)))
            paragraphs.append(Paragraph(text, "title" if is_title else "heading"))
        else:
            paragraphs.append(Paragraph(text, _role(text, today, credits)))
    return paragraphs


def _main_text(html: str, favor_recall: bool = False, favor_precision: bool = False) -> Any | None:
    from trafilatura import bare_extraction  # heavy import, only for web pages

    # Tables hold running text on many pages; image markers are left out because with them
    # trafilatura keeps image-adjacent text (alt and caption lines) in the body
    # (measured on ../shared/corpora/web: body precision 0.881 -> 0.896, recall unchanged).
    doc = bare_extraction(html, include_comments=False, include_images=False,
                          include_tables=True, include_formatting=True, with_metadata=False,
                          include_links=True, output_format="python", deduplicate=False,
                          favor_recall=favor_recall, favor_precision=favor_precision)
    return getattr(doc, "body", None) if doc is not None else None


def _baseline(html: str) -> Any | None:
    from trafilatura import baseline

    return baseline(html)[0]


def _body_words(paragraphs: Sequence[Paragraph]) -> int:
    return word_count(" ".join(p.text for p in paragraphs if p.role == "body"))


def parse_html(html: str, metadata: Mapping[str, Any] | None = None, *, credits: CreditTable,
               today: dt.date | None = None) -> ParsedDocument:
    """The article in a web page: body paragraphs and sub-headings in order, captions with
    their credits where the pictures stood. Title and date come from ``metadata`` when it has
    them (a caller's values win), else from the page (``html_metadata``)."""
    metadata = metadata or {}
    tree = _tree(html)
    if tree is None:
        return document_from_paragraphs((), metadata.get("title"),
                                        coerce_date(metadata.get("published_date"), today),
                                        credits=credits)
    page = ({} if metadata.get("title") and metadata.get("published_date")
            else html_metadata(html, today=today))
    title = metadata.get("title") or page.get("title")
    figures, menus = _figures(tree, credits), _menu_items(tree)
    paragraphs = _body_paragraphs(_main_text(html), title, figures, menus, today, credits)
    # Short paragraphs ("Auch interessant", "Lea también: ...") that trafilatura's
    # precision-oriented pass leaves out are boilerplate; its long cuts and its dropped
    # sub-headings are not trusted (measured on the tuning half: body F1 0.925 -> 0.927;
    # 8 or 20 words instead of 12: 0.926).
    precise = {_squash(p.text) for p in _body_paragraphs(
        _main_text(html, favor_precision=True), title, figures, menus, today, credits)}
    if precise:
        paragraphs = [p for p in paragraphs if _squash(p.text) in precise
                      or word_count(p.text) > MAX_UNCONFIRMED_WORDS or p.role == "heading"]
    # When trafilatura found next to nothing (a tagline, a menu, only a caption), its
    # recall-oriented pass, then its baseline (JSON-LD articleBody, <article>, all <p>), find
    # the article on such pages.
    for fallback in (lambda: _main_text(html, favor_recall=True), lambda: _baseline(html)):
        if _body_words(paragraphs) >= MIN_BODY_WORDS:
            break
        found = _body_paragraphs(fallback(), title, figures, menus, today, credits)
        if _body_words(found) > _body_words(paragraphs):
            paragraphs = found
    for fig in figures:  # captions before the paragraph that followed their picture
        at = next((i for i, p in enumerate(paragraphs)
                   if fig.next_text and _norm(p.text) == _norm(fig.next_text)),
                  0 if fig.next_text is None else len(paragraphs))
        paragraphs[at:at] = _figure_paragraphs(fig)
    date = (coerce_date(metadata.get("published_date"), today) or page.get("published_date")
            or next((d for p in paragraphs if p.role == "dateline"
                     for d in [coerce_date(p.text, today)] if d), None))
    return document_from_paragraphs(paragraphs, title, date, credits=credits, today=today)


# ---------------------------------------------------------------------------------------------
# Known metadata over guesses


def with_metadata(parsed: ParsedDocument, metadata: Mapping[str, Any],
                  *, today: dt.date | None = None) -> ParsedDocument:
    """The document with the title and published date a reader knows (a JSON lines field, the
    page's own metadata) instead of what parsing guessed; a new object, ``parsed`` untouched.

    A paragraph the text parser took for the title but that is not the known title goes back
    into the body: with the real title known, it was the article's first line.
    """
    title = metadata.get("title")
    title = " ".join(title.split()) if isinstance(title, str) and title.strip() else None
    date = coerce_date(metadata.get("published_date"), today)
    if title is None and date is None:
        return parsed
    paragraphs = parsed.paragraphs
    if title is not None and any(p.role == "title" and _norm(p.text) != _norm(title)
                                 for p in paragraphs):
        paragraphs = tuple(Paragraph(p.text, "body") if p.role == "title"
                           and _norm(p.text) != _norm(title) else p for p in paragraphs)
        return with_paragraphs(parsed, paragraphs, title, date or parsed.published_date)
    return dataclasses.replace(parsed, title=title or parsed.title,
                               published_date=date or parsed.published_date)
