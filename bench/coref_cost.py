"""The person coreference step's CPU per article against the article's whole extraction
(issue 27: it may cost at most 5 % of the per-document time).

    uv run --frozen python bench/coref_cost.py [--files 100] \
        [--corpus ../shared/corpora/polnear/dev]

Parses the articles as the pipeline does (flows.app.evaluation.parse_articles, the worker's
annotator), then per article times, in CPU seconds of this process: the parse's share (the
batch's time over its articles), the tables' transforms without the step (entities, quotes,
claims), and ``transforms.coref.resolved_people`` alone. Prints the step's milliseconds per
article and its share of parse + transforms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "polnear" / "dev"))
    a = ap.parse_args()
    from flows.adapters.nlp import annotator, attribution_model, coref_model
    from flows.app.evaluation import load_folder, parse_articles
    from transforms.claims import claim_records
    from transforms.coref import resolved_people
    from transforms.entities import canonical_entities
    from transforms.quotes import quote_records

    model, coref = attribution_model(), coref_model()
    annotator()
    articles = load_folder(a.corpus, a.files)
    t0 = time.process_time()
    sections = parse_articles(articles)
    parse = time.process_time() - t0
    tables = step = 0.0
    for art, secs in zip(articles, sections, strict=True):
        t0 = time.process_time()
        ents = canonical_entities(secs)
        quote_records(art.stem, secs, ents, model)
        claim_records(art.stem, secs, ents, model)
        t1 = time.process_time()
        resolved_people(secs, ents, coref)
        t2 = time.process_time()
        tables, step = tables + t1 - t0, step + t2 - t1
    n = len(articles)
    print(f"{n} articles: parse {1000 * parse / n:.1f} ms, transforms {1000 * tables / n:.1f} "
          f"ms, coreference step {1000 * step / n:.1f} ms per article "
          f"({100 * step / (parse + tables):.1f} % of parse + transforms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
