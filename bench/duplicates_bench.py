"""Benchmark of transforms.duplicates on synthetic articles.

    uv run python bench/duplicates_bench.py [--docs 100000] [--words 400] [--dup-rate 0.05]

Generates random ~400-word bodies over a 30,000-word Zipf-ish vocabulary, makes a share of them
edited copies of an earlier article (one 40-word paragraph rewritten, boilerplate around), runs
duplicate_links over the table and prints docs/s, peak RSS and how many planted copies were
found (recall) and how many links point elsewhere (false links).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.duplicates import duplicate_links  # noqa: E402


def corpus(n: int, words: int, dup_rate: float, seed: int = 7) -> tuple[pa.Table, dict[str, str]]:
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(30_000)])
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 0.9
    weights /= weights.sum()
    ids, bodies, dates, planted = [], [], [], {}
    base = dt.date(2024, 1, 1)
    for i in range(n):
        aid = f"a{i:07d}"
        if i > 10 and rng.random() < dup_rate:
            src = int(rng.integers(0, i))
            toks = bodies[src].split()
            start = int(rng.integers(0, max(1, len(toks) - 40)))
            toks[start:start + 40] = rng.choice(vocab, 40, p=weights).tolist()
            body = "Advertisement Share this story " + " ".join(toks) + " Read more at Example"
            planted[aid] = ids[src]
        else:
            body = " ".join(rng.choice(vocab, words, p=weights).tolist())
        ids.append(aid)
        bodies.append(body)
        dates.append(base + dt.timedelta(days=i // 500))
    table = pa.table({"article_id": ids, "body_text": bodies,
                      "published_date": pa.array(dates, pa.date32()),
                      "fetched_at": pa.array([None] * n, pa.timestamp("us", tz="UTC"))})
    return table, planted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--dup-rate", type=float, default=0.05)
    args = ap.parse_args()
    t0 = time.perf_counter()
    table, planted = corpus(args.docs, args.words, args.dup_rate)
    gen = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    links = duplicate_links(table)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = dict(zip(links.column("article_id").to_pylist(),
                     links.column("duplicate_of").to_pylist(), strict=True))

    def root(a: str) -> str:
        while a in planted:
            a = planted[a]
        return a

    hits = sum(1 for a in planted if found.get(a) == root(a))
    linked = sum(1 for v in found.values() if v is not None)
    false = sum(1 for a, v in found.items() if v is not None and (a not in planted
                                                               or v != root(a)))
    print(f"docs={args.docs:,} words/doc~{args.words} generated in {gen:.1f}s")
    print(f"duplicate_links: {secs:.1f}s wall = {args.docs / secs:,.0f} docs/s; "
          f"{cpu:.1f}s CPU = {args.docs / cpu:,.0f} docs/s per core")
    print(f"peak RSS {peak:,.0f} MB (after generating the corpus: {rss_before:,.0f} MB)")
    print(f"planted copies {len(planted):,}, found {hits:,} ({hits / max(1, len(planted)):.1%}),"
          f" links {linked:,}, false links {false:,}")


if __name__ == "__main__":
    main()
