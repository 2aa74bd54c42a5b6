"""A web page as a tree, and what every reader of it needs: visible text, JSON-LD objects,
<meta> tags and links, and where the article ends (navigation, footer, asides, comments and
related links are outside it).

Pure: strings in, new objects out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import lxml.html
from lxml import etree

__all__ = ["page_tree", "text_of", "json_ld", "ld_articles", "meta_tags", "link_href",
           "first_str", "outside_article", "norm", "squash", "page_lines"]

_NOT_ARTICLE = re.compile(r"comment|related|sidebar|promo|newsletter|advert|recirc|social|share",
                          re.IGNORECASE)




def page_tree(html: str) -> Any | None:
    if not html or not html.strip():
        return None
    try:
        # lxml refuses str input that declares an encoding; the bytes are already decoded.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def text_of(el: Any, skip: Any = None) -> str:
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


def json_ld(tree: Any) -> Iterator[Mapping[str, Any]]:
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


def ld_articles(tree: Any) -> list[Mapping[str, Any]]:
    """JSON-LD objects describing an article, articles first."""
    objects = list(json_ld(tree))
    types = [" ".join(t) if isinstance(t := o.get("@type"), list) else str(t or "")
             for o in objects]
    return ([o for o, t in zip(objects, types, strict=True) if _ARTICLE_TYPES.search(t)]
            + [o for o, t in zip(objects, types, strict=True) if not _ARTICLE_TYPES.search(t)])


def meta_tags(tree: Any) -> dict[str, str]:
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



def link_href(tree: Any, rel: str) -> str | None:
    for el in tree.iter("link"):
        if rel in (el.get("rel") or "").lower().split() and (el.get("href") or "").strip():
            return str(el.get("href")).strip()
    return None


def first_str(*values: Any) -> str | None:
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



def outside_article(el: Any) -> bool:
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


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def squash(text: str) -> str:
    """Text without any whitespace, for containment tests across markup boundaries."""
    return "".join(text.split()).casefold()


# Elements that start a new line where the page is rendered.
_BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl",
                         "dt", "dd", "section", "article", "main", "header", "footer", "aside",
                         "nav", "figure", "figcaption", "table", "tr", "td", "th", "blockquote",
                         "address", "form", "br", "hr", "pre"})


def page_lines(el: Any) -> list[tuple[Any, str]]:
    """The visible lines of an element as a reader sees them (a block element starts a new
    line), each with the element whose text opened it."""
    lines: list[tuple[Any, list[str]]] = [(el, [])]

    def walk(node: Any) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript",
                                                         "template", "svg", "button", "select"):
            return
        block = node.tag in _BLOCK_TAGS
        if block:
            lines.append((node, []))
        if node.text:
            lines[-1][1].append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
                    lines.append((node, []))
                lines[-1][1].append(child.tail)
        if block:
            lines.append((node, []))

    walk(el)
    out = [(owner, " ".join(" ".join(parts).split())) for owner, parts in lines]
    return [(owner, text) for owner, text in out if text]
