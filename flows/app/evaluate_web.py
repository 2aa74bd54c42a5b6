"""Score the web-page reader against a folder laid out like ../shared/corpora/web
(``evaldata.json`` + ``html/<file>.gz``).

Each page goes through the reader exactly as a run reads it:
``flows.adapters.sources.read_source``
(the ``.html.gz`` file as stored, decoded and sniffed) -> ``transforms.html.parse_html`` ->
the readability check of ``transforms.documents.document_problem``. A page that would be a
reject gets no prediction. Scoring is ``scoring.web`` (agrees with
../shared/tools/web_eval.py). The pages are split once by sorted file name: the first half is
for tuning, the second for reporting.

    uv run --frozen newsflow eval-web ../shared/corpora/web [--write preds.jsonl] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from scoring.web import score_pages

T = TypeVar("T")

WORKERS = 2


def load_gold(folder: Path) -> list[dict[str, Any]]:
    """The gold pages whose file exists, sorted by file name."""
    gold = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = [{**g, "url": url} for url, g in gold.items()
             if (folder / "html" / f"{g['file']}.gz").exists()
             or (folder / "html" / g["file"]).exists()]
    return sorted(pages, key=lambda g: g["file"])


def predict(path_and_name: tuple[str, str]) -> tuple[str, dict[str, Any] | None, float]:
    """(file, prediction or None when the page would be rejected, CPU seconds spent)."""
    from flows.adapters.resources import credit_table
    from flows.adapters.sources import RawDocument, SourceFile, read_source
    from transforms.documents import document_problem
    from transforms.html import parse_html

    path, name = Path(path_and_name[0]), path_and_name[1]
    t0 = time.process_time()
    prediction = None
    for raw in read_source(SourceFile(path, path.name, path.stat().st_size)):
        if not isinstance(raw, RawDocument) or raw.html is None:
            continue
        parsed = parse_html(raw.html, raw.metadata, credits=credit_table())
        if document_problem(parsed) is None:
            date = parsed.published_date
            prediction = {"file": name, "body": parsed.body_text, "title": parsed.title,
                          "date": date.isoformat() if date else None,
                          "date_source": parsed.date_source,
                          "authors": raw.metadata.get("authors")}
    return name, prediction, time.process_time() - t0


def with_progress(results: Iterator[T], total: int, every: float = 5.0) -> Iterator[T]:
    """The results as they come, saying on stderr how many of total are read (at most every
    few seconds: reading hundreds of pages takes minutes)."""
    last = time.monotonic()
    for done, result in enumerate(results, 1):
        if done == total or time.monotonic() - last >= every:
            print(f"progress: {done}/{total} pages read", file=sys.stderr, flush=True)
            last = time.monotonic()
        yield result


def predictions_for(folder: Path, pages: Sequence[Mapping[str, Any]],
                    workers: int = WORKERS) -> tuple[dict[str, dict[str, Any]], float]:
    """Predictions by file name, and the mean reader seconds per page."""
    jobs = []
    for page in pages:
        path = folder / "html" / f"{page['file']}.gz"
        jobs.append((str(path if path.exists() else folder / "html" / page["file"]),
                     page["file"]))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(with_progress(pool.map(predict, jobs, chunksize=8), len(jobs)))
    seconds = sum(r[2] for r in results) / max(len(results), 1)
    return {name: pred for name, pred, _ in results if pred is not None}, seconds


def evaluate_web(folder: str | Path, workers: int = WORKERS) -> dict[str, Any]:
    """Figures on all pages, on the tuning half and on the held-out half."""
    folder = Path(folder)
    pages = load_gold(folder)
    preds, seconds = predictions_for(folder, pages, workers)
    half = len(pages) // 2
    return {"all": score_pages(pages, preds), "tune": score_pages(pages[:half], preds),
            "held_out": score_pages(pages[half:], preds),
            "ms_per_page": round(1000 * seconds, 1), "_predictions": preds}


def summary_line(name: str, f: Mapping[str, Any]) -> str:
    return (f"{name:<9} body F1 {f['f1']:.3f} (P {f['precision']:.3f} R {f['recall']:.3f}) "
            f"title {f['title_acc']:.3f} date {f['date_acc']:.3f} author {f['author_acc']:.3f} "
            f"pages {f['pages_produced']}/{f['pages']}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="newsflow eval-web", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="folder with evaldata.json and html/")
    p.add_argument("--write", help="write the predictions as JSON lines (web_eval.py format)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--workers", type=int, default=WORKERS)
    args = p.parse_args(argv)
    folder = Path(args.dir)
    if not (folder / "evaldata.json").is_file():
        print(f"newsflow eval-web: {folder} has no evaldata.json", file=sys.stderr)
        return 2
    figures = evaluate_web(folder, args.workers)
    preds = figures.pop("_predictions")
    if args.write:
        Path(args.write).write_text("".join(json.dumps(v, ensure_ascii=False) + "\n"
                                            for v in preds.values()), encoding="utf-8")
    if args.json:
        print(json.dumps(figures, indent=1))
    for name in ("tune", "held_out", "all"):
        print(summary_line(name, figures[name]))
    print(f"reader: {figures['ms_per_page']} ms CPU per page (read, decode, parse, metadata)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
