"""Scoring of web pages against WCXB gold (body, title, date, author), the way
../shared/tools/wcxb_eval.py scores a warehouse: body by 4-word shingles, precision and
recall averaged over pages and then combined (the Zyte article benchmark's measure; a page
without a prediction scores as empty); titles equal after folding; dates to the gold day;
authors right when some gold author (split on ",", ";" and " and ") equals a predicted one.

Pure: gold and predictions in, figures out.
"""

from __future__ import annotations

import collections
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["fold", "page_body_f1", "score_pages", "FIGURES"]

FIGURES = ("pages", "pages_produced", "f1", "precision", "recall", "title_acc", "date_acc",
           "author_acc")
_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


def fold(text: Any) -> str:
    """Lower case, NFKC, every run of non-word characters one space."""
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text or "").lower()).strip()


def _shingles(text: str | None) -> collections.Counter[tuple[str, ...]]:
    words = _WORD.findall(text or "")
    return collections.Counter(tuple(words[i:i + SHINGLE])
                               for i in range(max(1, len(words) - SHINGLE + 1))
                               if words[i:i + SHINGLE])


def _page_shares(gold: str, pred: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page as shares of their sum."""
    g, p = _shingles(gold), _shingles(pred)
    tp = sum((g & p).values())
    fp, fn = sum(p.values()) - tp, sum(g.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _body_figures(shares: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(F1, precision, recall): precision and recall averaged over the pages that have them."""
    precisions, recalls = [], []
    for tp, fp, fn in shares:
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    p, r = statistics.mean(precisions or [0.0]), statistics.mean(recalls or [0.0])
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def page_body_f1(gold: str, pred: str | None) -> float:
    """One page's body F1 (what ``--show`` ranks pages by)."""
    return _body_figures([_page_shares(gold, pred)])[0]


def gold_authors(value: str | None) -> set[str]:
    return {fold(x) for x in re.split(r",|;| and ", value or "") if fold(x)}


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def score_pages(gold: Iterable[Mapping[str, Any]],
                predictions: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Figures for gold pages (each a WCXB ``ground_truth`` with its "id") given predictions
    by id ({"body", "title", "date", "authors"})."""
    pages = list(gold)
    preds = [predictions.get(g["id"]) or {} for g in pages]
    # one dev page (4893) has no main_content: ../shared/tools/wcxb_eval.py stops on it with a
    # KeyError; here it is an empty gold body
    f1, p, r = _body_figures([_page_shares(g.get("main_content") or "", x.get("body"))
                              for g, x in zip(pages, preds, strict=True)])
    title = [fold(g["title"]) == fold(x.get("title")) for g, x in zip(pages, preds, strict=True)
             if g.get("title")]
    date = [str(x.get("date") or "")[:10] == g["publish_date"][:10]
            for g, x in zip(pages, preds, strict=True) if g.get("publish_date")]
    author = [bool(gold_authors(g["author"]) & {fold(a) for a in x.get("authors") or []})
              for g, x in zip(pages, preds, strict=True) if gold_authors(g.get("author"))]
    return {"pages": len(pages), "pages_produced": sum(bool(x) for x in preds),
            "f1": round(f1, 4), "precision": round(p, 4), "recall": round(r, 4),
            "title_acc": _share(sum(title), len(title)), "date_acc": _share(sum(date), len(date)),
            "author_acc": _share(sum(author), len(author))}
