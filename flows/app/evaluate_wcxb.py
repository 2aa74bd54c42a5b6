"""Score the web-page reader against a WCXB folder laid out like ../shared/corpora/wcxb-dev
(``ground-truth/<id>.json`` + ``html/<id>.html.gz``).

Each page goes through the reader exactly as a run reads it (``flows.app.evaluate_web.predict``:
``read_source`` -> ``parse_html`` -> the readability check; a page that would be a reject gets
no prediction) and is scored as ../shared/tools/wcxb_eval.py scores a warehouse
(``scoring.wcxb``). The pages are split once by sorted id: the first half is for tuning, the
second is held out and reported.

    uv run --frozen newsflow eval-wcxb ../shared/corpora/wcxb-dev [--bare] [--show N]
        [--write preds.jsonl] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from flows.app.evaluate_web import WORKERS, predict, with_progress
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
    with ProcessPoolExecutor(max_workers=workers) as pool:
        if bare:
            found = with_progress(pool.map(bare_prediction, paths, chunksize=8), len(paths))
            return dict(zip([p["id"] for p in pages], found, strict=True))
        results = with_progress(pool.map(predict, [(path, p["id"]) for path, p in
                                               zip(paths, pages, strict=True)], chunksize=8),
                                len(paths))
        return {name: pred for name, pred, _ in results if pred is not None}


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


def summary_line(name: str, f: Mapping[str, Any]) -> str:
    return (f"{name:<9} body F1 {f['f1']:.3f} (P {f['precision']:.3f} R {f['recall']:.3f}) "
            f"title {f['title_acc']:.3f} date {f['date_acc']:.3f} author {f['author_acc']:.3f} "
            f"pages {f['pages_produced']}/{f['pages']}")


def worst_pages(gold: Sequence[Mapping[str, Any]], preds: Mapping[str, Mapping[str, Any]],
                count: int) -> list[tuple[str, float]]:
    scored = [(g["id"], page_body_f1(g.get("main_content") or "",
                                     (preds.get(g["id"]) or {}).get("body"))) for g in gold]
    return sorted(scored, key=lambda x: x[1])[:count]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="newsflow eval-wcxb", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="folder with ground-truth/ and html/")
    p.add_argument("--bare", action="store_true", help="score bare trafilatura beside it")
    p.add_argument("--show", type=int, default=0, help="list the N tuning pages lowest in body F1")
    p.add_argument("--write", help="write the predictions as JSON lines")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--workers", type=int, default=WORKERS)
    args = p.parse_args(argv)
    folder = Path(args.dir)
    if not (folder / "ground-truth").is_dir():
        print(f"newsflow eval-wcxb: {folder} has no ground-truth/", file=sys.stderr)
        return 2
    figures = evaluate_wcxb(folder, args.workers, args.bare)
    preds, gold = figures.pop("_predictions"), figures.pop("_gold")
    if args.write:
        Path(args.write).write_text("".join(json.dumps({"id": k, **v}, ensure_ascii=False)
                                            + "\n" for k, v in preds.items()), encoding="utf-8")
    if args.json:
        print(json.dumps(figures, indent=1))
    for name in SPLITS:
        print(summary_line(name, figures[name]))
        if args.bare:
            print(summary_line("  trafil.", figures["trafilatura"][name]))
    for page, f1 in worst_pages(split(gold)["tune"], preds, args.show):
        print(f"low body: {page} {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
