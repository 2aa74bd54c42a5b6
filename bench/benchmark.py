"""newsflow against bare spaCy at its best batch size, side by side in one run (issue 12).

    uv run python bench/benchmark.py [--repeat 3] [--files N] [--corpus DIR] [--scale 8]
                                     [--skip-scale | --memory-only]

Each repeat measures, one after the other so that they share the machine's state:
  bare    bench/bare_spacy.py: the stock pipeline's nlp.pipe, batch size swept on a warm-up
          slice, the fastest used for the timed run (model loading not timed);
  1 / 2   `newsflow run --workers 1|2`, whole process, fresh warehouse: ingest, all tables,
          near-duplicates, Great Expectations, DuckDB load, and its own Prefect server;
  rerun   the same command again over the unchanged folder;
  fixed   a fresh run on the first 20 files of the corpus (sorted by name) with no Prefect
          server running, minus the time bare spaCy needs for their words at this repeat's rate.
Then, once, peak RSS of the process tree on the corpus repeated --scale times (each copy made
unique) against the 1x runs' peak.

Every figure is given twice: wall time, and CPU time (user+sys of the whole process tree, from
wait4). On a loaded machine the wall figures are distorted (newsflow's several processes and
threads get a larger share of a contended CPU than bare spaCy's one); the CPU figures are not,
but they cannot show parallel gains. Ratios are medians of the per-repeat ratios.
Words are whitespace-separated tokens of the input files, the same count on both sides.
PREFECT_API_URL is removed from the environment, so each run boots its own local server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "polnear" / "train" / "text"
FIXED_FILES = 20
GOALS = {"1 worker": 1.0, "2 workers": 1.8, "fixed": 5.0, "rerun": 0.05, "memory": 1.2}


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user+sys seconds of the process and all its reaped descendants
    peak: int  # bytes, peak RSS of the process tree (sampled every 0.2 s)


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


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run a command to its end; wall, tree CPU (wait4) and peak tree RSS."""
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                 f"{log.read_text(errors='replace')[-3000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak)


def corpus_copy(files: list[Path], dst: Path, scale: int = 1) -> int:
    """Copy files (each of `scale` copies made unique by a marker line); their word count."""
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


def bare_spacy(corpus: Path, env: dict[str, str]) -> dict:
    n = len(list(corpus.glob("*.txt")))
    warm_slice = max(10, min(40, n // 4))  # a quick subset should not spend its time sweeping
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bare_spacy.py"), str(corpus),
                          "--slice", str(warm_slice)],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode:
        sys.exit(f"bare spaCy failed:\n{out.stderr[-3000:]}")
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def newsflow(seeds: Path, warehouse: Path, workers: int, env: dict[str, str],
             logs: Path) -> Measured:
    cmd = [sys.executable, "-m", "flows.app.cli", "run", "--seeds", str(seeds), "--warehouse",
           str(warehouse), "--workers", str(workers)]
    return run_measured(cmd, env, logs / f"{warehouse.name}.log")


def median(xs: list[float]) -> float:
    return statistics.median(xs)


@dataclass
class Repeat:
    bare: dict
    one: Measured
    rerun: Measured
    two: Measured
    fixed: Measured

    def bare_wall(self, words: int) -> float:  # bare seconds for `words` at this repeat's rate
        return words * self.bare["wall"] / self.bare["words"]

    def bare_cpu(self, words: int) -> float:
        return words * self.bare["cpu"] / self.bare["words"]


def one_repeat(seeds: Path, fixed_seeds: Path, fixed_words: int, tmp: Path, r: int,
               env: dict[str, str]) -> Repeat:
    bare = bare_spacy(seeds, env)
    wh1 = tmp / f"wh1-{r}"
    one = newsflow(seeds, wh1, 1, env, tmp)
    rerun = newsflow(seeds, wh1, 1, env, tmp / "rerun")
    two = newsflow(seeds, tmp / f"wh2-{r}", 2, env, tmp)
    fixed = newsflow(fixed_seeds, tmp / f"wh20-{r}", 1, env, tmp)
    return Repeat(bare, one, rerun, two, fixed)


def describe(rep: Repeat, words: int, fixed_words: int) -> str:
    b = rep.bare
    return (f"bare {b['words'] / b['wall']:,.0f} w/s at batch {b['batch_size']} "
            f"({b['wall']:.1f} s wall / {b['cpu']:.1f} s CPU); "
            f"1 worker {rep.one.wall:.1f} s / {rep.one.cpu:.1f} s; "
            f"2 workers {rep.two.wall:.1f} s / {rep.two.cpu:.1f} s; rerun {rep.rerun.wall:.1f} s; "
            f"{FIXED_FILES} files {rep.fixed.wall:.1f} s / {rep.fixed.cpu:.1f} s; "
            f"peak RSS {rep.one.peak / 2**20:,.0f} MiB")


def report(reps: list[Repeat], words: int, fixed_words: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) medians of each goal's measure."""
    def both(fn_wall, fn_cpu) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        return median([fn_wall(r) for r in reps]), median([fn_cpu(r) for r in reps])

    return {
        "1 worker": both(lambda r: r.bare_wall(words) / r.one.wall,
                         lambda r: r.bare_cpu(words) / r.one.cpu),
        "2 workers": both(lambda r: r.bare_wall(words) / r.two.wall,
                          lambda r: r.bare_cpu(words) / r.two.cpu),
        "fixed": both(lambda r: r.fixed.wall - r.bare_wall(fixed_words),
                      lambda r: r.fixed.cpu - r.bare_cpu(fixed_words)),
        "rerun": both(lambda r: r.rerun.wall / r.one.wall, lambda r: r.rerun.cpu / r.one.cpu),
    }


def print_table(figures: dict[str, tuple[float, float]], reps: list[Repeat], words: int) -> None:
    bare_rates = [r.bare["words"] / r.bare["wall"] for r in reps]
    sizes = sorted({r.bare["batch_size"] for r in reps})
    print(f"\nbare spaCy: median {median(bare_rates):,.0f} words/s (wall) at its best batch size "
          f"(chosen per repeat: {', '.join(map(str, sizes))})")
    print(f"newsflow 1 worker: median {median([words / r.one.wall for r in reps]):,.0f} words/s; "
          f"2 workers: {median([words / r.two.wall for r in reps]):,.0f} words/s (wall)")
    labels = {
        "1 worker": "end to end, 1 worker / bare spaCy",
        "2 workers": "end to end, 2 workers / bare spaCy (1 process)",
        "fixed": f"fixed overhead, {FIXED_FILES} files (s)",
        "rerun": "rerun on the unchanged folder / first run",
    }
    print(f"\n{'measure (median of ' + str(len(reps)) + ')':52s} {'wall':>8s} {'CPU':>8s}  goal")
    for key, label in labels.items():
        wall, cpu = figures[key]
        fmt = "{:8.1%}" if key == "rerun" else ("{:8.1f}" if key == "fixed" else "{:8.2f}")
        goal = GOALS[key]
        goal_text = (f"<= {goal:.0%}" if key == "rerun" else f"<= {goal:.1f} s" if key == "fixed"
                     else f">= {goal:.1f}")
        print(f"{label:52s} {fmt.format(wall)} {fmt.format(cpu)}  {goal_text}")
    print("(CPU: bare spaCy's CPU seconds for the words / newsflow's process-tree CPU seconds; "
          "for 2 workers it shows the cost of parallelism, the wall ratio its gain)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--files", type=int, default=None,
                    help="use only the first N files (sorted by name): a quick subset")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=int, default=8)
    ap.add_argument("--skip-scale", action="store_true", help="skip the memory scaling run")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the memory ratio: one 1x run and one scaled run")
    args = ap.parse_args()
    files = sorted(args.corpus.glob("*.txt"))
    if not files:
        sys.exit(f"no .txt files in {args.corpus}")
    files = files[:args.files]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PYTHONPATH"] = str(ROOT)
    tmp = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    (tmp / "rerun").mkdir()
    try:
        words = corpus_copy(files, tmp / "corpus")
        fixed_words = corpus_copy(sorted(args.corpus.glob("*.txt"))[:FIXED_FILES], tmp / "first20")
        load = os.getloadavg()
        print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at start; "
              f"corpus: {len(files)} files, {words:,} words; "
              + ("memory only" if args.memory_only else f"repeat {args.repeat}"), flush=True)
        reps, peaks = [], []
        for r in range(0 if args.memory_only else args.repeat):
            reps.append(one_repeat(tmp / "corpus", tmp / "first20", fixed_words, tmp, r, env))
            peaks.append(reps[-1].one.peak)
            print(f"  repeat {r + 1}: {describe(reps[-1], words, fixed_words)}", flush=True)
        if reps:
            print_table(report(reps, words, fixed_words), reps, words)
        else:
            peaks.append(newsflow(tmp / "corpus", tmp / "wh1", 1, env, tmp).peak)
        if not args.skip_scale:
            corpus_copy(files, tmp / "corpus-x", args.scale)
            big = newsflow(tmp / "corpus-x", tmp / "whx", 1, env, tmp)
            base = median(peaks)
            print(f"{'peak RSS, corpus x' + str(args.scale) + ' / corpus':52s} "
                  f"{big.peak / base:8.2f} {'':8s}  <= {GOALS['memory']:.1f}   "
                  f"({base / 2**20:,.0f} MiB -> {big.peak / 2**20:,.0f} MiB)")
        print(f"load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
              + (" - a loaded machine: the wall column is distorted, the CPU column is not"
                 if load[0] > 0.5 else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
