"""Throughput and memory of newsflow against bare spaCy, measured in one run.

    uv run python bench/benchmark.py [--corpus DIR] [--limit N] [--repeat R] [--scale 8]

Prints, as medians over --repeat runs (these machines are noisy):
  1. bare spaCy nlp.pipe (full pipeline, same model, one process) words/s, newsflow end to end
     (fresh warehouse: ingest, all five tables, validation, DuckDB load) words/s with one
     worker, and their ratio;
  2. the same with two workers, against the one-process bare baseline;
  3. a second run over the unchanged corpus, as a fraction of the first run's time;
  4. peak RSS of the whole process tree on the corpus and on the corpus repeated --scale times
     (each copy made unique), and their ratio.
Words are whitespace-separated tokens of the input files, the same count for both sides.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "polnear" / "train" / "text"


def tree_rss(pid: int) -> int:
    """Resident bytes of pid and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = int(statm[1]) * page
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak process-tree RSS of a command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{out.decode()}"
                 f"\n{err.decode()[-3000:]}")
    return seconds, peak


def corpus_copy(src: Path, dst: Path, limit: int | None, scale: int) -> int:
    """Copy the corpus (each of `scale` copies made unique by a marker line); word count."""
    files = sorted(src.glob("*.txt"))[:limit]
    dst.mkdir(parents=True)
    words = 0
    for k in range(scale):
        for f in files:
            text = f.read_text(encoding="utf-8")
            if k:
                text = f"{text}\n\nCopy {k} of this article was made for the benchmark.\n"
            (dst / f"{k:02d}_{f.name}").write_text(text, encoding="utf-8")
            words += len(text.split())
    return words


def bare_spacy_words_per_s(corpus: Path) -> float:
    code = (
        "import sys, time, glob\n"
        "from flows.adapters.nlp import load\n"
        "files=sorted(glob.glob(sys.argv[1]+'/*.txt'))\n"
        "texts=[open(f, encoding='utf-8').read() for f in files]\n"
        "nlp=load()\n"
        "t=time.perf_counter()\n"
        "for _ in nlp.pipe(texts): pass\n"
        "print(sum(len(t.split()) for t in texts)/(time.perf_counter()-t))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(corpus)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def newsflow_cmd(seeds: Path, warehouse: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "flows.app.cli", "run", "--seeds", str(seeds), "--warehouse",
            str(warehouse), "--workers", str(workers)]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def print_throughput(bare: list[float], one: list[float], two: list[float],
                     again: list[float]) -> None:
    print(f"1. bare spaCy {median(bare):,.0f} words/s; newsflow (1 worker) "
          f"{median(one):,.0f} words/s; ratio {median(one) / median(bare):.2f}")
    print(f"2. newsflow (2 workers) {median(two):,.0f} words/s; ratio to bare one-process "
          f"{median(two) / median(bare):.2f}")
    print(f"3. unchanged rerun: {median(again):.1%} of the first run's time")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="use the first N files")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=int, default=8)
    ap.add_argument("--skip-scale", action="store_true", help="skip the memory scaling run")
    ap.add_argument("--memory-only", action="store_true",
                    help="only item 4: one run on the corpus, one on the scaled corpus")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tmp = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    try:
        seeds = tmp / "corpus"
        words = corpus_copy(args.corpus, seeds, args.limit, 1)
        n_files = len(list(seeds.iterdir()))
        print(f"machine: {os.cpu_count()} cores; corpus: {n_files} files, {words:,} words; "
              f"repeat {args.repeat}", flush=True)
        if not n_files:
            sys.exit(f"no .txt files in {args.corpus}")
        bare, one, two, again, peaks = [], [], [], [], []
        if args.memory_only:
            peaks.append(run_measured(newsflow_cmd(seeds, tmp / "wh-base", 1), env)[1])
        for r in range(0 if args.memory_only else args.repeat):
            bare.append(bare_spacy_words_per_s(seeds))
            wh = tmp / f"wh1-{r}"
            secs, peak = run_measured(newsflow_cmd(seeds, wh, 1), env)
            one.append(words / secs)
            peaks.append(peak)
            secs2, _ = run_measured(newsflow_cmd(seeds, wh, 1), env)
            again.append(secs2 / secs)
            secs_two, _ = run_measured(newsflow_cmd(seeds, tmp / f"wh2-{r}", 2), env)
            two.append(words / secs_two)
            print(f"  run {r + 1}: bare {bare[-1]:,.0f} w/s, newsflow 1 worker {one[-1]:,.0f} "
                  f"w/s, 2 workers {two[-1]:,.0f} w/s, rerun {again[-1]:.1%} of first, "
                  f"peak RSS {peak / 2**20:,.0f} MiB", flush=True)
        if not args.memory_only:
            print_throughput(bare, one, two, again)
        if not args.skip_scale:
            big = tmp / "corpus-x"
            corpus_copy(args.corpus, big, args.limit, args.scale)
            _, big_peak = run_measured(newsflow_cmd(big, tmp / "whx", 1), env)
            base = median(peaks)
            print(f"4. peak RSS: corpus {base / 2**20:,.0f} MiB; corpus x{args.scale} "
                  f"{big_peak / 2**20:,.0f} MiB; ratio {big_peak / base:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
