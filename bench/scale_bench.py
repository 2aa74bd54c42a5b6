"""What a run costs as the warehouse grows (issue 19: each run costs what is new, not what is
stored). One command, every figure, stage by stage:

    uv run --frozen python bench/scale_bench.py [--sizes 10k,100k,1M] [--repeat 3]
        [--work build/scale] [--json OUT] [--skip-synthetic] [--skip-real] [--skip-per-doc]

synthetic  for each size N: a base warehouse of N synthetic extracted articles
           (bench/synthetic.py; shards written with write_shard, then bulk_publish: a run's
           publish steps minus Great Expectations), then `newsflow run` adding 5 real PolNeAR
           dev texts, each repeat on a fresh copy of the base (cp -a): whole-process wall time
           and the stage seconds the run prints. Base bases are kept in --work and reused.
real       PolNeAR train 1x (840 texts) and 4x (3,360: four editions, each copy made unique as
           bench/benchmark.py does), each built once with `newsflow run --workers 2`, then the
           same 5 dev texts added, median of --repeat fresh copies; the ratio 4x/1x.
per-doc    bench/benchmark.py (newsflow against bare spaCy), its figures included.

Goals printed beside: adding 5 texts 4x/1x <= 1.10 and <= 10 s; the synthetic publish stages
(all but discover and extract) at the largest size <= 2x those at the smallest.
PREFECT_API_URL is removed from the environment, so each run boots its own local server.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmark import corpus_copy  # noqa: E402
from bench.synthetic import synthetic_shards  # noqa: E402
from flows.adapters.release import Warehouse, open_warehouse, write_shard  # noqa: E402

POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear"
DEFAULT_WORK = ROOT / "build" / "scale"
DEV_TEXTS = 5
EXTRACTION_STAGES = ("discover", "extract")
GOALS = {"ratio 4x/1x": 1.10, "seconds cold": 10.0, "publish largest/smallest": 2.0}
PUBLISH_SHARDS = 20  # synthetic shards (of 5,000 articles) per bulk publish of a base
_SECONDS = re.compile(r"^\s*seconds: (.*)$", re.MULTILINE)


# -- measuring ------------------------------------------------------------------------------

@dataclass
class Timed:
    wall: float  # seconds, the whole process
    stages: dict[str, float]  # the "seconds:" line of the run summary


@dataclass
class Figures:
    """One base warehouse and the runs that added the dev texts to copies of it."""

    label: str
    articles: int
    build_seconds: float
    disk_bytes: int
    runs: list[Timed] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    def stage(self, name: str) -> float:
        return statistics.median(r.stages.get(name, 0.0) for r in self.runs)

    def stage_names(self) -> list[str]:
        return list(dict.fromkeys(s for r in self.runs for s in r.stages))

    def publish(self) -> float:
        return sum(self.stage(s) for s in self.stage_names() if s not in EXTRACTION_STAGES)


def run_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def stage_seconds(output: str) -> dict[str, float]:
    """{stage: seconds} from the run summary's "  seconds: discover 0.1, extract 2.3" line."""
    found = _SECONDS.search(output)
    if not found:
        return {}
    pairs = (item.rsplit(" ", 1) for item in found.group(1).split(", "))
    return {name: float(value) for name, value in pairs}


def newsflow_run(seeds: Path, warehouse: Path, workers: int = 1) -> Timed:
    cmd = [sys.executable, "-m", "flows.app.cli", "run", "--seeds", str(seeds),
           "--warehouse", str(warehouse), "--workers", str(workers)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=run_env(), cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"command failed ({out.returncode}): {' '.join(cmd)}\n"
                 f"{(out.stdout + out.stderr)[-3000:]}")
    return Timed(wall, stage_seconds(out.stdout))


def disk_bytes(root: Path) -> int:
    """Bytes of the files under root, a file hard-linked several times counted once."""
    seen, total = set(), 0
    for p in root.rglob("*"):
        st = p.lstat()
        if p.is_file() and not p.is_symlink() and (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


def runs_on_copies(base: Path, seeds: Path, scratch: Path, repeat: int) -> list[Timed]:
    """The dev texts added to a fresh copy of the base, repeat times (symlinks kept as links)."""
    runs = []
    for _ in range(repeat):
        shutil.rmtree(scratch, ignore_errors=True)
        subprocess.run(["cp", "-a", str(base), str(scratch)], check=True)
        os.sync()  # the copy on disk first, as a real warehouse's old files long are
        runs.append(newsflow_run(seeds, scratch))
    shutil.rmtree(scratch, ignore_errors=True)
    return runs


def dev_texts(work: Path) -> Path:
    out = work / "dev5"
    if not out.exists():
        files = sorted((POLNEAR / "dev" / "text").glob("*.txt"))[:DEV_TEXTS]
        tmp = work / ".dev5.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        corpus_copy(files, tmp)
        tmp.rename(out)
    return out


# -- bases ----------------------------------------------------------------------------------

def synthetic_base(path: Path, n: int, seed: int) -> float:
    """A warehouse of n synthetic articles at path; the seconds it took (generation, shards,
    publish). Built under a temporary name, so that a killed build is never reused."""
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    from flows.run.flow import bulk_publish

    t0 = time.perf_counter()
    open_warehouse(tmp)
    shards = enumerate(synthetic_shards(n, seed))
    for k, group in enumerate(iter(lambda: list(itertools.islice(shards, PUBLISH_SHARDS)), [])):
        # published a group at a time, as scheduled runs would: each group costs what it adds
        run_id = f"synthetic-{n}-{k:04d}"
        for shard_no, (tables, _) in group:
            write_shard(Warehouse(tmp), run_id, shard_no, tables)
        bulk_publish(tmp, run_id, [result for _, (_, result) in group])
    seconds = time.perf_counter() - t0
    (tmp / "build_seconds.json").write_text(json.dumps({"seconds": seconds}))
    tmp.rename(path)
    return seconds


def real_base(path: Path, texts: list[Path], editions: int) -> float:
    tmp = path.with_name(path.name + ".tmp")
    seeds = path.with_name(path.name + "-seeds")
    for d in (tmp, seeds):
        shutil.rmtree(d, ignore_errors=True)
    corpus_copy(texts, seeds, editions)
    seconds = newsflow_run(seeds, tmp, workers=2).wall
    (tmp / "build_seconds.json").write_text(json.dumps({"seconds": seconds}))
    tmp.rename(path)
    return seconds


def kept_seconds(path: Path) -> float:
    return float(json.loads((path / "build_seconds.json").read_text())["seconds"])


def measured(label: str, articles: int, base: Path, build: Any, work: Path,
             repeat: int) -> Figures:
    """A base (built by build(path) unless --work already holds it) and the runs on it."""
    seconds = kept_seconds(base) if base.exists() else build(base)
    fig = Figures(label, articles, seconds, disk_bytes(base))
    fig.runs = runs_on_copies(base, dev_texts(work), work / "scratch", repeat)
    print(f"  {label}: base {seconds:.1f} s, {fig.disk_bytes / 2**20:,.0f} MiB; "
          f"adding {DEV_TEXTS} texts {fig.wall:.1f} s", flush=True)
    return fig


def synthetic_figures(sizes: Sequence[int], args: argparse.Namespace) -> list[Figures]:
    return [measured(f"synthetic {n:,}", n, args.work / f"synthetic-{n}-seed{args.seed}",
                     lambda p, n=n: synthetic_base(p, n, args.seed), args.work, args.repeat)
            for n in sizes]


def real_figures(args: argparse.Namespace) -> list[Figures]:
    texts = sorted((POLNEAR / "train" / "text").glob("*.txt"))[:args.train_files]
    return [measured(f"PolNeAR train {k}x", k * len(texts), args.work / f"polnear-{k}x-"
                     f"{len(texts)}", lambda p, k=k: real_base(p, texts, k), args.work,
                     args.repeat) for k in (1, 4)]


def per_document(args: argparse.Namespace) -> dict[str, Any]:
    """bench/benchmark.py's printed figures: its lines, and the rows of its table."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "benchmark.py"),
                          "--repeat", str(args.repeat)], env=run_env(), cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"bench/benchmark.py failed:\n{out.stderr[-3000:]}")
    rows = {}
    for line in out.stdout.splitlines():
        m = re.match(r"^(.{52}) +(-?[\d.]+%?) +(-?[\d.]+%?)?\s+(<=|>=)", line)
        if m:
            rows[m.group(1).strip()] = [m.group(2), m.group(3)]
    return {"lines": out.stdout.splitlines(), "figures": rows}


# -- report ---------------------------------------------------------------------------------

def table_lines(title: str, figs: list[Figures]) -> list[str]:
    stages = list(dict.fromkeys(s for f in figs for s in f.stage_names()))
    head = (f"{title:24s} {'articles':>10s} {'build s':>9s} {'disk MiB':>9s} {'run s':>7s} "
            + " ".join(f"{s[:10]:>10s}" for s in stages) + f" {'publish':>8s}")
    lines = [head]
    for f in figs:
        lines.append(f"{f.label:24s} {f.articles:>10,} {f.build_seconds:>9.1f} "
                     f"{f.disk_bytes / 2**20:>9,.0f} {f.wall:>7.1f} "
                     + " ".join(f"{f.stage(s):>10.2f}" for s in stages)
                     + f" {f.publish():>8.2f}")
    return lines


def goal_lines(synthetic: list[Figures], real: list[Figures]) -> list[str]:
    lines = []
    if len(real) == 2:
        ratio = real[1].wall / real[0].wall
        lines.append(f"adding {DEV_TEXTS} texts, 4x / 1x wall: {ratio:.2f}  "
                     f"(goal <= {GOALS['ratio 4x/1x']:.2f}: "
                     f"{'met' if ratio <= GOALS['ratio 4x/1x'] else 'NOT met'})")
        cold = max(f.runs[0].wall for f in real)
        lines.append(f"adding {DEV_TEXTS} texts, first run on a fresh copy: {cold:.1f} s  "
                     f"(goal <= {GOALS['seconds cold']:.0f} s: "
                     f"{'met' if cold <= GOALS['seconds cold'] else 'NOT met'})")
    if len(synthetic) >= 2:
        small, big = synthetic[0], synthetic[-1]
        growth = big.publish() / small.publish() if small.publish() else float("inf")
        lines.append(f"synthetic publish stages, {big.articles:,} / {small.articles:,}: "
                     f"{growth:.2f}  (goal <= {GOALS['publish largest/smallest']:.1f}: "
                     f"{'met' if growth <= GOALS['publish largest/smallest'] else 'NOT met'})")
    return lines


def size(text: str) -> int:
    """10k, 100k, 1M, 2500 -> articles."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k,1M",
                    type=lambda s: [size(x) for x in s.split(",")])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK,
                    help="where base warehouses are kept and reused (default build/scale)")
    ap.add_argument("--train-files", type=int, default=None,
                    help="only the first N PolNeAR train texts: a quick check of the command")
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--skip-per-doc", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    synthetic = [] if args.skip_synthetic else synthetic_figures(args.sizes, args)
    real = [] if args.skip_real else real_figures(args)
    doc = None if args.skip_per_doc else per_document(args)
    lines = [""]
    if synthetic:
        lines += table_lines("synthetic base", synthetic) + [""]
    if real:
        lines += table_lines("real corpus base", real) + [""]
    lines += goal_lines(synthetic, real)
    if doc:
        lines += ["", "per document (bench/benchmark.py):", *doc["lines"]]
    lines.append(f"(medians of {args.repeat}; seconds; 'publish' = every stage but "
                 f"{' and '.join(EXTRACTION_STAGES)}; load average {os.getloadavg()[0]:.1f} "
                 "at the end)")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({
            "synthetic": [{**asdict(f), "publish": f.publish()} for f in synthetic],
            "real": [{**asdict(f), "publish": f.publish()} for f in real],
            "goals": goal_lines(synthetic, real), "per_document": doc,
            "repeat": args.repeat}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
