"""What the page evaluations (``newsflow eval-web``, ``newsflow eval-wcxb``) share: each page read
as a run reads it, in worker processes with progress on stderr, and one command-line shape
(a folder, ``--write``, ``--json``, ``--workers``) around each one's own gold and scorer."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

WORKERS = 2


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


def mapped(fn: Callable[[Any], T], jobs: Sequence[Any], workers: int) -> list[T]:
    """fn over the jobs in worker processes, in order, saying the progress."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(with_progress(pool.map(fn, jobs, chunksize=8), len(jobs)))


def predictions(jobs: Sequence[tuple[str, str]], workers: int,
                ) -> tuple[dict[str, dict[str, Any]], float]:
    """Predictions by name for (path, name) jobs (``predict``; a rejected page has none), and
    the mean reader CPU seconds per page."""
    results = mapped(predict, jobs, workers)
    seconds = sum(r[2] for r in results) / max(len(results), 1)
    return {name: pred for name, pred, _ in results if pred is not None}, seconds


def summary_line(name: str, f: Mapping[str, Any]) -> str:
    return (f"{name:<9} body F1 {f['f1']:.3f} (P {f['precision']:.3f} R {f['recall']:.3f}) "
            f"title {f['title_acc']:.3f} date {f['date_acc']:.3f} author {f['author_acc']:.3f} "
            f"pages {f['pages_produced']}/{f['pages']}")


def arguments(prog: str, doc: str, folder_help: str, write_help: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    p.add_argument("dir", help=folder_help)
    p.add_argument("--write", help=write_help)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--workers", type=int, default=WORKERS)
    return p


def evaluation_main(args: argparse.Namespace, prog: str, needs: str,
                    evaluate: Callable[[Path], dict[str, Any]],
                    rows: Callable[[Mapping[str, Any]], Iterable[Mapping[str, Any]]],
                    lines: Callable[[Mapping[str, Any]], Iterable[str]]) -> int:
    """Check the folder holds ``needs``, evaluate it, write the prediction ``rows`` (--write),
    print the figures (--json) and the summary ``lines``; keys starting "_" are not figures."""
    folder = Path(args.dir)
    if not (folder / needs).exists():
        print(f"{prog}: {folder} has no {needs}", file=sys.stderr)
        return 2
    figures = evaluate(folder)
    if args.write:
        Path(args.write).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                            for r in rows(figures)), encoding="utf-8")
    if args.json:
        print(json.dumps({k: v for k, v in figures.items() if not k.startswith("_")}, indent=1))
    for line in lines(figures):
        print(line)
    return 0
