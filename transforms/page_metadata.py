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
import re
from collections.abc import Mapping, Sequence
from typing import Any

from transforms.page import (
    first_str,
    ld_articles,
    link_href,
    meta_tags,
    norm,
    outside_article,
    page_tree,
    text_of,
)
from transforms.values import (
    MAX_AUTHOR_WORDS,
    coerce_authors,
    coerce_date,
    language_code,
    person_names,
)

__all__ = ["html_metadata", "METADATA_KEYS"]

METADATA_KEYS = ("title", "published_date", "authors", "publisher", "url", "canonical_url",
                 "fetched_at", "language")


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
    headline, <title>), else the first declared title without the site's name. A multi-line
    h1 (kicker over headline) gives its longest line."""
    titles = [t for t in declared if t]
    for el in tree.iter("h1"):
        if outside_article(el):
            continue
        heading = max(_heading_lines(text_of(el)), key=len)
        if (len(heading.split()) >= 2 and not _names_site(heading, sites, labels)
                and any(_agrees(heading, t) for t in titles)):
            return heading
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
        text = " ".join(text_of(el).split())
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
        text = " ".join(text_of(el).split())
        if (not text or len(text.split()) > MAX_AUTHOR_WORDS + 2 or not _BYLINE_LINE.match(text)
                or outside_article(el)):
            continue
        names = [n for n in coerce_authors(text) or [] if n[:1].isupper()]
        if names:
            return names
    return []


def _page_authors(candidates: Sequence[Any], sites: Sequence[str],
                  labels: Sequence[str]) -> list[str] | None:
    """The first candidate that names people other than the site; else the first that names
    anyone (a blog or an institution signs with its own name)."""
    people = [n for c in candidates if (n := person_names(c))
              and not all(_names_site(x, sites, labels) for x in n)]
    named = [n for c in candidates if (n := person_names(c, organisations=True))]
    return next(iter(people or named), None)



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
