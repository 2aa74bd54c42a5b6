"""Scoring of web extraction against snippet and metadata gold, the way
../shared/tools/web_eval.py scores it (trafilatura's own evaluation): each gold ``with``
snippet found in the body is a true positive, each ``without`` snippet found a false positive;
titles compare after folding case, punctuation and spaces, dates to the day, authors as "some
gold author equals some predicted one".

Pure: gold and predictions in, figures out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["fold", "score_pages", "FIGURES"]

FIGURES = ("pages", "pages_produced", "precision", "recall", "f1", "accuracy", "title_acc",
           "date_acc", "author_acc")


def fold(text: Any) -> str:
    """Lower case, NFKC, every run of non-word characters one space."""
    folded = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"\W+", " ", folded).strip()


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _gold_authors(value: Any) -> set[str]:
    return {fold(a) for n in _as_list(value) for a in re.split(r";|,| and |\|", str(n))
            if fold(a)}


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def score_pages(gold: Iterable[Mapping[str, Any]],
                predictions: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Figures for the gold pages (each with its "file") given predictions by file name
    ({"body", "title", "date", "authors"}); a page without a prediction scores as empty."""
    tp = fn = fp = tn = pages = produced = 0
    meta = {"title": [0, 0], "date": [0, 0], "author": [0, 0]}
    for page in gold:
        pages += 1
        pred = predictions.get(page["file"]) or {}
        produced += bool(pred)
        body = fold(pred.get("body"))
        found_with = sum(fold(s) in body for s in page.get("with") or [])
        found_without = sum(fold(s) in body for s in page.get("without") or [])
        tp, fn = tp + found_with, fn + len(page.get("with") or []) - found_with
        fp, tn = fp + found_without, tn + len(page.get("without") or []) - found_without
        if page.get("title"):
            meta["title"][1] += 1
            meta["title"][0] += fold(pred.get("title")) in {fold(t) for t in
                                                            _as_list(page["title"])}
        if page.get("date"):
            meta["date"][1] += 1
            meta["date"][0] += str(pred.get("date") or "")[:10] == str(page["date"])[:10]
        if page.get("author"):
            meta["author"][1] += 1
            got = {fold(a) for a in pred.get("authors") or [] if fold(a)}
            meta["author"][0] += bool(_gold_authors(page["author"]) & got)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "pages": pages, "pages_produced": produced, "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall
        else 0.0,
        "accuracy": _ratio(tp + tn, tp + tn + fp + fn),
        **{f"{k}_acc": _ratio(*v) for k, v in meta.items()},
    }
