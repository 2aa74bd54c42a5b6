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

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flows.app.page_eval import (
    WORKERS,
    arguments,
    evaluation_main,
    predictions,
    summary_line,
    with_progress,
)
from scoring.web import score_pages

__all__ = ["evaluate_web", "main", "with_progress"]


def load_gold(folder: Path) -> list[dict[str, Any]]:
    """The gold pages whose file exists, sorted by file name."""
    gold = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = [{**g, "url": url} for url, g in gold.items()
             if (folder / "html" / f"{g['file']}.gz").exists()
             or (folder / "html" / g["file"]).exists()]
    return sorted(pages, key=lambda g: g["file"])


def predictions_for(folder: Path, pages: Sequence[Mapping[str, Any]],
                    workers: int = WORKERS) -> tuple[dict[str, dict[str, Any]], float]:
    """Predictions by file name, and the mean reader seconds per page."""
    jobs = []
    for page in pages:
        path = folder / "html" / f"{page['file']}.gz"
        jobs.append((str(path if path.exists() else folder / "html" / page["file"]),
                     page["file"]))
    return predictions(jobs, workers)


def evaluate_web(folder: str | Path, workers: int = WORKERS) -> dict[str, Any]:
    """Figures on all pages, on the tuning half and on the held-out half."""
    folder = Path(folder)
    pages = load_gold(folder)
    preds, seconds = predictions_for(folder, pages, workers)
    half = len(pages) // 2
    return {"all": score_pages(pages, preds), "tune": score_pages(pages[:half], preds),
            "held_out": score_pages(pages[half:], preds),
            "ms_per_page": round(1000 * seconds, 1), "_predictions": preds}


def main(argv: Sequence[str] | None = None) -> int:
    p = arguments("newsflow eval-web", __doc__, "folder with evaldata.json and html/",
                  "write the predictions as JSON lines (web_eval.py format)")
    args = p.parse_args(argv)
    return evaluation_main(
        args, "newsflow eval-web", "evaldata.json", lambda f: evaluate_web(f, args.workers),
        lambda figures: figures["_predictions"].values(),
        lambda figures: [*(summary_line(name, figures[name]) for name in ("tune", "held_out",
                                                                           "all")),
                         f"reader: {figures['ms_per_page']} ms CPU per page (read, decode, "
                         "parse, metadata)"])


if __name__ == "__main__":
    sys.exit(main())
