"""Captions and credits of a page's pictures, read wherever the page puts them --
``figure``/``figcaption``, elements named caption or credit by class, id or itemprop (a credit
in its own element is paired with the caption beside it), an image's alt or title text ending
in a credit, JSON-LD ``ImageObject`` (caption, creditText, copyrightHolder) -- once each, with
the paragraph that followed the picture (to place the caption there) and the texts the
picture occupies on the page (to keep them out of the body).

Pure: a parsed tree in, new objects out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from transforms.captions import (
    CreditTable,
    is_credit_line,
    names_known_source,
    split_inline_credit,
)
from transforms.documents import Paragraph
from transforms.page import first_str, json_ld, outside_article, squash, text_of

__all__ = ["Figure", "page_figures", "figure_paragraphs"]

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
MAX_CAPTION_WORDS = 120


@dataclasses.dataclass(frozen=True)
class Figure:
    caption: str
    credit: str | None
    next_text: str | None  # the paragraph after the picture, to place the caption there
    page_texts: frozenset[str]  # squashed texts it occupies on the page, to keep out of the body


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
            text = text_of(p)
            if text:
                return text
    parent = el.getparent()
    return _next_paragraph_text(parent) if parent is not None and parent.tag != "body" else None


def _credit_text(el: Any) -> str | None:
    text = " ".join(text_of(el).split())
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
                 credits: CreditTable) -> Figure | None:
    if credit is None:
        caption, credit = _split_credit(caption, credits)
    caption = " ".join(caption.split())
    if not caption and not credit:
        return None
    texts = {squash(t) for t in (caption, credit or "", f"{caption} {credit or ''}",
                                  f"{credit or ''} {caption}", *occupied)}
    return Figure(caption, credit or None, _next_paragraph_text(anchor),
                   frozenset(t for t in texts if t))


def _caption_figure(cap: Any, credits: CreditTable) -> tuple[Figure | None, list[Any]]:
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
    full = text_of(cap)
    occupied = [full]
    outer = next((a for a in cap.iterancestors() if _is_caption_element(a)), None)
    if credit is None and outer is not None:  # <figcaption><span class=caption/> Photo: X
        rest = " ".join(text_of(outer, skip=cap).split())
        if rest and is_credit_line(rest, credits):
            credit = rest
            occupied.append(text_of(outer))
    caption = text_of(cap, skip=inner) if inner is not None else full
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


def _credit_figure(el: Any, credits: CreditTable) -> Figure | None:
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


def _alt_figure(img: Any, credits: CreditTable) -> Figure | None:
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


def _ld_figures(tree: Any, credits: CreditTable) -> list[Figure]:
    """JSON-LD ImageObjects with a caption or credit (caption, creditText, copyrightHolder)."""
    out = []
    for obj in json_ld(tree):
        images = obj.get("image")
        candidates = [obj] if "imageobject" in str(obj.get("@type", "")).lower() else []
        candidates += [i for i in (images if isinstance(images, list) else [images])
                       if isinstance(i, Mapping)]
        for image in candidates:
            caption = first_str(image.get("caption")) or ""
            credit = first_str(image.get("creditText"), image.get("copyrightHolder"),
                                image.get("author"))
            if caption or credit:
                found = _made_figure(tree, caption, credit, [], credits)
                if found is not None:
                    out.append(dataclasses.replace(found, next_text=None))
    return out


def page_figures(tree: Any, credits: CreditTable) -> list[Figure]:
    """Every captioned or credited picture of the article, in page order, each once."""
    found: list[Figure] = []
    used: set[Any] = set()
    # the innermost caption element that says something (an empty "reveal-caption-icon"
    # inside a figcaption does not stand for it)
    captions = [el for el in tree.iter() if _is_caption_element(el)
                and not any(_is_caption_element(d) and text_of(d) for d in el.iterdescendants())
                and not outside_article(el)]
    for cap in captions:
        figure, credit_els = _caption_figure(cap, credits)
        used.update(credit_els)
        used.add(cap)
        if figure is not None:
            found.append(figure)
    for fig in tree.iter("figure"):  # figures with a credit and no caption element
        if outside_article(fig) or any(_is_caption_element(d) for d in fig.iterdescendants()):
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
                and not outside_article(el) and (figure := _credit_figure(el, credits))):
            used.add(el)
            found.append(figure)
    for img in tree.iter("img"):
        if (not outside_article(img) and not any(a in used or a.tag == "figure"
                                                  for a in img.iterancestors())
                and (figure := _alt_figure(img, credits)) is not None):
            found.append(figure)
    found.extend(_ld_figures(tree, credits))
    return _distinct(found)


def _distinct(figures: Sequence[Figure]) -> list[Figure]:
    """The same photo twice (a lazy-loading copy, the JSON-LD lead image) is one caption."""
    out: list[Figure] = []
    for fig in figures:
        key = squash(fig.caption)
        twin = next((i for i, o in enumerate(out) if (key and key == squash(o.caption))
                     or (not key and fig.credit and squash(fig.credit) in o.page_texts)), None)
        if twin is None:
            out.append(fig)
        elif out[twin].credit is None and fig.credit is not None:
            out[twin] = dataclasses.replace(out[twin], credit=fig.credit,
                                            page_texts=out[twin].page_texts | fig.page_texts)
    return out


def figure_paragraphs(fig: Figure) -> list[Paragraph]:
    paras = [Paragraph(fig.caption, "caption")] if fig.caption else []
    if fig.credit:
        paras.append(Paragraph(fig.credit, "credit"))
    return paras

