"""Score the web-page reader against a WCXB folder laid out like ../shared/corpora/wcxb-dev
(``ground-truth/<id>.json`` + ``html/<id>.html.gz``).

Each page goes through the reader exactly as a run reads it (``flows.app.page_eval.predict``:
``read_source`` -> ``parse_html`` -> the readability check; a page that would be a reject gets
no prediction) and is scored as ../shared/tools/wcxb_eval.py scores a warehouse
(``scoring.wcxb``). The pages are split once by sorted id: the first half is for tuning, the
second is held out and reported.

    uv run --frozen newsflow eval-wcxb ../shared/corpora/wcxb-dev [--bare] [--show N]
        [--write preds.jsonl] [--json]
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flows.app.page_eval import (
    WORKERS,
    arguments,
    evaluation_main,
    mapped,
    predictions,
    summary_line,
)
from scoring.wcxb import page_body_f1, score_pages

SPLITS = ("tune", "held_out", "all")


def load_gold(folder: Path) -> list[dict[str, Any]]:
    """Gold pages whose html exists, sorted by id, each its ``ground_truth`` with "id"."""
    pages = []
    for path in sorted((folder / "ground-truth").glob("*.json")):
        if (folder / "html" / f"{path.stem}.html.gz").exists():
            truth = json.loads(path.read_text(encoding="utf-8"))["ground_truth"]
            pages.append({**truth, "id": path.stem})
    return pages


def split(pages: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """tune = the first half by sorted id, held_out = the rest."""
    half = len(pages) // 2
    return {"tune": list(pages[:half]), "held_out": list(pages[half:]), "all": list(pages)}


def bare_prediction(path: str) -> dict[str, Any]:
    """What bare trafilatura finds on the page, read as ../shared/tools/wcxb_eval.py reads it."""
    import trafilatura

    html = gzip.decompress(Path(path).read_bytes()).decode("utf-8", "replace")
    found = trafilatura.bare_extraction(html, with_metadata=True)
    r: Mapping[str, Any] = (found.as_dict() if found is not None and hasattr(found, "as_dict")
                            else found or {})
    return {"body": r.get("text") or "", "title": r.get("title"), "date": r.get("date"),
            "authors": [x.strip() for x in re.split(r";", r["author"])] if r.get("author")
            else []}


def predictions_for(folder: Path, pages: Sequence[Mapping[str, Any]], workers: int,
                    bare: bool = False) -> dict[str, dict[str, Any]]:
    paths = [str(folder / "html" / f"{p['id']}.html.gz") for p in pages]
    if bare:
        found = mapped(bare_prediction, paths, workers)
        return dict(zip([p["id"] for p in pages], found, strict=True))
    return predictions([(path, p["id"]) for path, p in zip(paths, pages, strict=True)],
                       workers)[0]


def evaluate_wcxb(folder: str | Path, workers: int = WORKERS,
                  bare: bool = False) -> dict[str, Any]:
    """Figures per split for newsflow (and for bare trafilatura when asked)."""
    folder = Path(folder)
    pages = load_gold(folder)
    parts = split(pages)
    preds = predictions_for(folder, pages, workers)
    out: dict[str, Any] = {name: score_pages(part, preds) for name, part in parts.items()}
    if bare:
        ref = predictions_for(folder, pages, workers, bare=True)
        out["trafilatura"] = {name: score_pages(part, ref) for name, part in parts.items()}
    out["_predictions"], out["_gold"] = preds, pages
    return out


def worst_pages(gold: Sequence[Mapping[str, Any]], preds: Mapping[str, Mapping[str, Any]],
                count: int) -> list[tuple[str, float]]:
    scored = [(g["id"], page_body_f1(g.get("main_content") or "",
                                     (preds.get(g["id"]) or {}).get("body"))) for g in gold]
    return sorted(scored, key=lambda x: x[1])[:count]


def main(argv: Sequence[str] | None = None) -> int:
    p = arguments("newsflow eval-wcxb", __doc__, "folder with ground-truth/ and html/",
                  "write the predictions as JSON lines")
    p.add_argument("--bare", action="store_true", help="score bare trafilatura beside it")
    p.add_argument("--show", type=int, default=0, help="list the N tuning pages lowest in body F1")
    args = p.parse_args(argv)
    return evaluation_main(
        args, "newsflow eval-wcxb", "ground-truth", lambda f: evaluate_wcxb(f, args.workers,
                                                                            args.bare),
        lambda figures: ({"id": k, **v} for k, v in figures["_predictions"].items()),
        lambda figures: figure_lines(figures, args.bare, args.show))


def figure_lines(figures: Mapping[str, Any], bare: bool, show: int) -> list[str]:
    lines = []
    for name in SPLITS:
        lines.append(summary_line(name, figures[name]))
        if bare:
            lines.append(summary_line("  trafil.", figures["trafilatura"][name]))
    worst = worst_pages(split(figures["_gold"])["tune"], figures["_predictions"], show)
    return lines + [f"low body: {page} {f1:.3f}" for page, f1 in worst]


if __name__ == "__main__":
    sys.exit(main())
