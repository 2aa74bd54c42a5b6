"""Bare spaCy at its best batch size: the baseline of bench/benchmark.py.

    uv run python bench/bare_spacy.py DIR [--sizes 8,16,32,64,128,1000] [--slice 40]

Loads the model newsflow uses (stock pipeline, every component), sweeps the batch sizes of
`nlp.pipe` on a warm-up slice (the first --slice files), then runs the whole folder once at the
fastest size. BLAS threading is left as the environment sets it. Prints one JSON line: the
sweep, the chosen size, the words (whitespace-separated tokens of the files), and the wall and
CPU seconds (user+sys of this process, all threads) of the timed run. Model loading is not timed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.adapters.nlp import load  # noqa: E402

DEFAULT_SIZES = (8, 16, 32, 64, 128, 1000)  # 1000: spaCy's default


def timed(nlp, texts: list[str], batch_size: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds of one nlp.pipe pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    ap.add_argument("--slice", type=int, default=40, help="files in the warm-up slice")
    args = ap.parse_args()
    texts = [f.read_text(encoding="utf-8") for f in sorted(args.corpus.glob("*.txt"))]
    sizes = [int(s) for s in args.sizes.split(",")]
    nlp = load()
    warm = texts[:args.slice]
    timed(nlp, warm, 32)  # first pass pays one-off costs (allocations, caches)
    sweep = {size: timed(nlp, warm, size) for size in sizes}
    best = min(sweep, key=lambda s: sweep[s][0])  # fastest by wall time, as a user would see
    wall, cpu = timed(nlp, texts, best)
    print(json.dumps({"sweep": {str(s): {"wall": w, "cpu": c} for s, (w, c) in sweep.items()},
                      "batch_size": best, "words": sum(len(t.split()) for t in texts),
                      "wall": wall, "cpu": cpu}))


if __name__ == "__main__":
    main()
