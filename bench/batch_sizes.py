"""Measure the best nlp.pipe batch size of each pipeline component; write models/batch_sizes.json.

    uv run python bench/batch_sizes.py [--corpus DIR] [--files 100] [--sizes 4,8,...,256]

The sections are made as the pipeline makes them (parse_plain_text -> section_texts) from the
first --files files (sorted by name). Each component of the annotator
(flows.adapters.nlp.FastAnnotator) runs on the output of the ones before it, at every size,
in two rounds; the least CPU time wins (the default, 64, unless another size is over 3 %
+ 20 ms faster) (CPU, not wall: it is what a busy machine
distorts least). The sizes are stored under the model's name and version, so another model,
or a component added later (a learned attribution model), runs at the default until this is
run again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.adapters import nlp  # noqa: E402
from flows.adapters.resources import (
    credit_table,  # noqa: E402
    model_file,  # noqa: E402
)
from transforms.documents import parse_plain_text  # noqa: E402
from transforms.extract import article_id_for, section_texts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "polnear" / "train" / "text"
SIZES = (4, 8, 16, 32, 64, 128, 256)


def sections(files: list[Path]) -> list[str]:
    out = []
    for f in files:
        parsed = parse_plain_text(f.read_text(encoding="utf-8"), credits=credit_table())
        out.extend(t for _, _, t in section_texts(article_id_for(f.as_uri()), parsed))
    return out


def cpu_seconds(proc, docs, size: int) -> float:  # type: ignore[no-untyped-def]
    copies = [d.copy() for d in docs]
    t0 = time.process_time()
    for _ in proc.pipe(copies, batch_size=size):
        pass
    return time.process_time() - t0


def chosen(seconds: dict[int, float]) -> int:
    """The fastest size, unless the default is within 3 % + 20 ms of it (noise, not
    evidence)."""
    fastest = min(seconds, key=lambda s: seconds[s])
    default = seconds.get(nlp.DEFAULT_BATCH_SIZE)
    if default is not None and default <= 1.03 * seconds[fastest] + 0.02:
        return nlp.DEFAULT_BATCH_SIZE
    return fastest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    ann = nlp.annotator()
    docs = [ann.nlp.make_doc(t) for t in sections(sorted(args.corpus.glob("*.txt"))[:args.files])]
    best: dict[str, int] = {}
    timings: dict[str, dict[str, float]] = {}
    for name, proc in ann.models:
        if not hasattr(proc, "pipe"):
            docs = [proc(d) for d in docs]
            continue
        seconds = {s: min(cpu_seconds(proc, docs, s) for _ in range(2)) for s in sizes}
        best[name] = chosen(seconds)
        timings[name] = {str(s): round(t, 3) for s, t in seconds.items()}
        print(f"{name:12s} best {best[name]:4d}  " +
              " ".join(f"{s}:{t:.2f}s" for s, t in seconds.items()), flush=True)
        docs = list(proc.pipe(docs, batch_size=best[name]))
    path = model_file(nlp.BATCH_SIZES_FILE)
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    stored.setdefault("models", {})[nlp.model_version(ann.nlp)] = {
        "batch_sizes": best, "cpu_seconds": timings,
        "measured": {"command": "uv run python bench/batch_sizes.py " + " ".join(sys.argv[1:]),
                     "files": len(list(args.corpus.glob("*.txt"))[:args.files]),
                     "date": dt.date.today().isoformat(), "cores": os.cpu_count(),
                     "load_average": round(os.getloadavg()[0], 1)}}
    path.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
