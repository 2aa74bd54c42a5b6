"""Web pages -> ParsedDocument: trafilatura's main text, plus what extractors drop.

Body: trafilatura (tables included, fallbacks on) finds the article and keeps its structure:
paragraphs, table rows, list items and sub-headings, walked in order (``_blocks``). Short
paragraphs that its precision pass drops, link lists and menu items go; a page where it finds
next to nothing gets its recall pass, then its baseline. Captions (``transforms.figures``) are
placed before the paragraph that followed their picture and kept out of the body. Title and
date: what the caller knows (a JSON lines field, a WARC header, ``html_metadata``) wins over
the page's guesses: ``with_metadata``.

Pure: strings and mappings in, new objects out; nothing here reads a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from transforms.captions import CreditTable, is_credit_line
from transforms.documents import (
    Paragraph,
    ParsedDocument,
    dateline_date,
    document_from_paragraphs,
    is_boilerplate,
    is_byline,
    visible_text,
    with_paragraphs,
    word_count,
)
from transforms.figures import Figure, figure_paragraphs, page_figures
from transforms.page import norm, page_tree, squash, text_of
from transforms.page_metadata import html_metadata
from transforms.values import coerce_date

__all__ = ["parse_html", "with_metadata"]

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
            if isinstance(el.tag, str) and (text := text_of(el)) \
                    and len(text.split()) <= MAX_MENU_ITEM_WORDS:
                out.add(squash(text))
    return out



# Main text


def _role(text: str, today: dt.date | None, credits: CreditTable) -> str:
    seen = visible_text(text)
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
            parts.append(text_of(child))
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
            text = " ".join(t for cell in child if (t := text_of(cell)))
            if text:
                yield "p", child, text
        elif child.tag in ("head", "p") or child.tag in _BLOCK_TAGS and not _has_blocks(child):
            if (text := text_of(child)) or child.tag == "p":
                yield ("head" if child.tag == "head" else "p"), child, text
        elif child.tag in _BLOCK_TAGS:
            yield from _blocks(child)


MIN_BODY_WORDS = 25
MAX_UNCONFIRMED_WORDS = 12
MAX_LINK_LIST_WORDS = 40


def _is_link_list(el: Any, text: str) -> bool:
    """A short paragraph with much of its text in links: a teaser list, not the article
    (tuning half: body F1 0.920 -> 0.928; a share of 0.5 gives 0.927, 0.2 gives 0.925)."""
    linked = sum(len(text_of(ref)) for ref in el.iter("ref"))
    return linked >= 0.35 * len(text) and word_count(text) <= MAX_LINK_LIST_WORDS


def _body_paragraphs(body: Any | None, title: str | None, figures: Sequence[Figure],
                     menus: set[str], today: dt.date | None,
                     credits: CreditTable) -> list[Paragraph]:
    """trafilatura's blocks as paragraphs with roles, without caption and credit text (the
    captions table has them) and menu items taken for the article."""
    on_page = {t for f in figures for t in f.page_texts}
    paragraphs: list[Paragraph] = []
    for kind, el, text in _blocks(body) if body is not None else ():
        if not text or squash(text) in on_page or squash(text) in menus:
            continue
        if kind == "p" and _is_link_list(el, text):
            continue
        if kind == "head":
            is_title = (not paragraphs or all(p.role != "body" for p in paragraphs)) and (
                el.get("rend") == "h1" or (title is not None and norm(text) == norm(title)))
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
    tree = page_tree(html)
    if tree is None:
        return document_from_paragraphs((), metadata.get("title"),
                                        coerce_date(metadata.get("published_date"), today),
                                        credits=credits, date_source=_known_source(metadata))
    page = ({} if metadata.get("title") and metadata.get("published_date")
            else html_metadata(html, today=today))
    title = metadata.get("title") or page.get("title")
    figures, menus = page_figures(tree, credits), _menu_items(tree)
    paragraphs = _body_paragraphs(_main_text(html), title, figures, menus, today, credits)
    # Short paragraphs ("Auch interessant", "Lea también: ...") that trafilatura's
    # precision-oriented pass leaves out are boilerplate; its long cuts and its dropped
    # sub-headings are not trusted (measured on the tuning half: body F1 0.925 -> 0.927;
    # 8 or 20 words instead of 12: 0.926).
    precise = {squash(p.text) for p in _body_paragraphs(
        _main_text(html, favor_precision=True), title, figures, menus, today, credits)}
    if precise:
        paragraphs = [p for p in paragraphs if squash(p.text) in precise
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
                   if fig.next_text and norm(p.text) == norm(fig.next_text)),
                  0 if fig.next_text is None else len(paragraphs))
        paragraphs[at:at] = figure_paragraphs(fig)
    known = metadata if coerce_date(metadata.get("published_date"), today) else page
    return document_from_paragraphs(paragraphs, title,
                                     coerce_date(known.get("published_date"), today),
                                     credits=credits, today=today,
                                     date_source=_known_source(known))


def _known_source(metadata: Mapping[str, Any]) -> str | None:
    """Where a date the caller gives came from: the page's source when html_metadata read it,
    else the caller's own record ("metadata")."""
    if not metadata.get("published_date"):
        return None
    return str(metadata.get("date_source") or "metadata")





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
    source = _known_source(metadata) if date is not None else parsed.date_source
    paragraphs = parsed.paragraphs
    if title is not None and any(p.role == "title" and norm(p.text) != norm(title)
                                 for p in paragraphs):
        paragraphs = tuple(Paragraph(p.text, "body") if p.role == "title"
                           and norm(p.text) != norm(title) else p for p in paragraphs)
        return with_paragraphs(parsed, paragraphs, title, date or parsed.published_date, source)
    return dataclasses.replace(parsed, title=title or parsed.title,
                               published_date=date or parsed.published_date,
                               date_source=source)
