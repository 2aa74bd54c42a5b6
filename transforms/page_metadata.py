"""What a web page says about itself (``html_metadata``): title, published date, authors,
publisher, URL and language.

Title: the article's h1 where it agrees with og:title / the JSON-LD headline / ``<title>``,
else those without segments that name the site (og:site_name, the publisher, the page banner,
the domain). Date: htmldate's original (publication) date, else JSON-LD, ``<meta>`` and
``<time>``. Authors: JSON-LD people, byline elements and lines, then meta tags, without
"By"/"Von" or role words, and never the site itself.

Pure: strings and mappings in, new objects out; nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Sequence
from typing import Any

from transforms.page import (
    first_str,
    ld_articles,
    link_href,
    meta_tags,
    norm,
    outside_article,
    page_lines,
    page_tree,
    text_of,
)
from transforms.page_dates import DateCandidate, date_candidates, published_date
from transforms.values import (
    MAX_AUTHOR_WORDS,
    coerce_authors,
    coerce_date,
    language_code,
    person_names,
)

__all__ = ["html_metadata", "METADATA_KEYS"]

METADATA_KEYS = ("title", "published_date", "date_source", "authors", "publisher", "url",
                 "canonical_url", "fetched_at", "language")



MAX_TAIL_SEGMENT_WORDS = 3
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
    # a short tail after a bar is a section or a format ("| Opinion", "| Top 19 Companies"):
    # WCXB tuning half title 0.856 -> 0.862; after any separator 0.865, but the web set's
    # tuning half then falls 0.833 -> 0.811 (its "- Subtitle" tails are the headline's)
    if len(parts) > 1 and seps[-1].strip() == "|" and \
            len(parts[-1].split()) <= MAX_TAIL_SEGMENT_WORDS:
        parts.pop()
        seps.pop()
    return parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True))


def _agrees(heading: str, title: str) -> bool:
    """An h1 and a declared title that name the same article (one holds the other, or most of
    the heading's words are in the title)."""
    h, t = norm(heading), norm(title)
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
        banner = (el.tag == "h1" and outside_article(el)) or (
            bool(_SITE_NAME_MARK.search(f"{el.get('class') or ''} {el.get('id') or ''}"))
            and not any(a.tag in ("article", "main") for a in el.iterancestors()))
        text = text_of(el) if banner else ""
        if text and len(text.split()) <= 6:
            out.append(_squashed_fold(text))
    return out


def _page_title(tree: Any, declared: Sequence[str | None], sites: Sequence[str],
                labels: Sequence[str]) -> str | None:
    """The article's h1 where it agrees with what the page declares (og:title, JSON-LD
    headline, <title>) or is the article's only one, else the first declared title without
    the site's name and a short tail. A multi-line h1 (kicker over headline) gives its longest
    line."""
    titles = [html_lib.unescape(t) for t in declared if t]
    headings = [_without_site(h, sites, labels) for el in tree.iter("h1")
                if not outside_article(el)
                and len((h := max(_heading_lines(text_of(el)), key=len)).split()) >= 2
                and not _names_site(h, sites, labels)]
    agreeing = next((h for h in headings if any(_agrees(h, t) for t in titles)), None)
    if agreeing is not None:
        return agreeing
    # the article's only headline, where the declared titles say something else (an SEO
    # og:title): tuning half 0.848 -> 0.856
    if len(headings) == 1:
        return headings[0]
    return _without_site(titles[0], sites, labels) if titles else None



_BYLINE_CLASS = re.compile(r"author|byline|autor|verfasser|auteur", re.IGNORECASE)


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
        if not marked or outside_article(el) or any(
                "comment" in f"{a.get('class') or ''} {a.get('id') or ''}".lower()
                for a in el.iterancestors()):
            continue
        # its lines apart ("Written By" / "Jane Doe" / "AI Writer" in three blocks)
        text = " • ".join(line for _, line in page_lines(el))
        if not text or len(text.split()) > MAX_AUTHOR_WORDS + 3:
            continue
        names = coerce_authors(text) or []
        out.extend(n for n in names if n not in out)
        if out:
            return out
    return out


_BYLINE_LINE = re.compile(
    r"^(?:(?:(?:written|posted|reported)\s+)?(?:by|von|par|por|door)(?:\s*:\s*|\s+)"
    r"|(?:text|texte|autor(?:in)?|author|auteur|redaktion)(?:\s+von)?\s*:\s*)\S",
    re.IGNORECASE)
MAX_BYLINE_LINE_WORDS = 14
_BYLINE_TAGS = ("p", "div", "span", "em", "i", "strong", "b", "small", "li", "address")


def _byline_line_names(tree: Any) -> list[str]:
    """Names on a short line of the article that reads as a byline: "von Daniela Obers",
    "Text: Klausmartin Friedrich", "Autor: Peter Maahn"."""
    for el in tree.iter(*_BYLINE_TAGS):
        text = " ".join(text_of(el).split())
        # a byline line may end in its date and reading time ("By X December 2, 2025")
        if (not text or len(text.split()) > MAX_BYLINE_LINE_WORDS
                or not _BYLINE_LINE.match(text) or outside_article(el)):
            continue
        names = [n for n in coerce_authors(text) or [] if n[:1].isupper()]
        if names:
            return names
    return []


SITE_NAME_WORDS = 3


def _without_site_words(name: str, sites: Sequence[str]) -> str:
    """ "Brian Truitt USA TODAY" -> "Brian Truitt": a byline that runs on into the site's name
    (og:site_name, the publisher)."""
    words = name.split()
    for k in range(1, min(SITE_NAME_WORDS, len(words) - 2) + 1):
        if _squashed_fold(" ".join(words[-k:])) in sites:
            return " ".join(words[:-k])
    return name


def _page_authors(candidates: Sequence[Any], sites: Sequence[str],
                  labels: Sequence[str]) -> list[str] | None:
    """The first candidate that names people other than the site; else the first that names
    anyone (a personal blog's author is its site: "Toby Hede" on tobyhede.com)."""
    people = [n for c in candidates
              if (n := [_without_site_words(x, sites) for x in person_names(c) or []])
              and not all(_names_site(x, sites, labels) for x in n)]
    named = [n for c in candidates if (n := person_names(c, organisations=True) or [])]
    return next(iter(people or named), None)



def _dated(candidates: Sequence[DateCandidate]) -> dict[str, Any]:
    chosen = published_date(candidates)
    return {"published_date": chosen.day, "date_source": chosen.source} if chosen else {}


def html_metadata(html: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """What the page says about itself: title, published_date, authors, publisher, url,
    canonical_url, language. Keys without a value are left out.

    Title: the h1 where it agrees with og:title / the JSON-LD headline / <title>, else those
    without the site's name (og:site_name, the publisher, the domain). Date: htmldate's
    original (publication) date, else JSON-LD, meta tags and <time>. Authors: JSON-LD
    people, then the page's byline, then meta tags; never the site itself."""
    tree = page_tree(html)
    if tree is None:
        return {}
    meta = meta_tags(tree)
    articles = ld_articles(tree)
    ld = articles[0] if articles else {}
    from trafilatura.metadata import extract_metadata  # heavy import, only for web pages

    try:
        guessed = extract_metadata(html, extensive=True)
    except Exception:  # noqa: BLE001 - a metadata heuristic must not lose the article
        guessed = None
    canonical = link_href(tree, "canonical") or meta.get("og:url")
    url = first_str(meta.get("og:url"), canonical, getattr(guessed, "url", None))
    publisher = first_str(ld.get("publisher"), meta.get("og:site_name"),
                           getattr(guessed, "sitename", None))
    sites = [_squashed_fold(s) for s in (meta.get("og:site_name"), publisher,
                                         meta.get("application-name")) if s]
    sites += _site_banner_names(tree)
    labels = _host_labels(url)
    tag_title = next((t for el in tree.iter("title") if (t := text_of(el))), None)
    title = _page_title(tree, [first_str(meta.get("og:title")), first_str(ld.get("headline")),
                               tag_title, getattr(guessed, "title", None)], sites, labels)
    guessed_authors = (getattr(guessed, "author", None) or "").split(";")
    found: dict[str, Any] = {
        "title": title,
        **_dated(date_candidates(tree, meta, articles, canonical,
                                 coerce_date(getattr(guessed, "date", None), today), today)),
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
