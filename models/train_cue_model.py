"""Train the cue gate shipped as ``transforms/cue_model.py``: a logistic regression over sparse
features of each candidate (cue verb, source, content) proposed by
``transforms.claims.verb_candidates``, labelled by PolNeAR TRAIN gold: a candidate is positive
when its content has token F1 >= 0.5 with a gold content of the same article (the scorer's
matching criterion). Only TRAIN is read.

Retrain (about 5 minutes on one core, most of it parsing):
    uv run python models/train_cue_model.py ../shared/corpora/polnear/train \\
        transforms/cue_model.py
Sections are made and parsed as the pipeline does (``flows.app.evaluation.parse_articles``:
``parse_plain_text`` -> ``section_texts`` -> ``flows.adapters.nlp.annotator()``). Optionally
``--docbin parsed.spacy`` reuses a DocBin of those sections (every article's sections in
order, articles in sorted order).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from flows.app.evaluation import load_folder, parse_articles, pipeline_sections
from transforms import evaluation as ev
from transforms.claims import CANDIDATE_MIN_PRIOR, _span_chars, features, verb_candidates

L2 = 1.0
MIN_FEATURE_COUNT = 3
EPOCHS = 300


def docs_for(folder: str, docbin: str | None) -> tuple[list, list[list]]:
    """The TRAIN articles and, per article, the Docs of its sections."""
    articles = load_folder(folder)
    if not docbin:
        return articles, [[s.doc for s in secs] for secs in parse_articles(articles)]
    from spacy.tokens import DocBin

    from flows.adapters.nlp import load

    docs = iter(DocBin().from_disk(docbin).get_docs(load().vocab))
    return articles, [[next(docs) for _ in pipeline_sections(a)] for a in articles]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("out", help="the Python module to write (transforms/cue_model.py)")
    ap.add_argument("--docbin")
    ap.add_argument("--skip", type=int, default=0,
                    help="leave out the first N articles (a held-out part of TRAIN for tuning)")
    a = ap.parse_args()
    articles, docs = docs_for(a.folder, a.docbin)
    articles, docs = articles[a.skip:], docs[a.skip:]
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for i, art in enumerate(articles):
        gold = [ev.tokens(g.content) for g in ev.parse_ann(art.ann, art.text)]
        for doc in docs[i]:
            text = doc.text
            for verb, subj, lo, hi, rule in verb_candidates(doc, CANDIDATE_MIN_PRIOR):
                span = _span_chars(doc, lo, hi)
                if span is None:
                    continue
                toks = ev.tokens(text[span[0]:span[1]])
                best = max((ev.token_f1(toks, g) for g in gold), default=0.0)
                rows.append(features(verb, subj, lo, hi, rule))
                labels.append(int(best >= 0.5))
    counts = Counter(k for r in rows for k in r)
    names = sorted(k for k, n in counts.items() if n >= MIN_FEATURE_COUNT or k == "bias")
    index = {k: j for j, k in enumerate(names)}
    ri, ci, vals = [], [], []
    for r, feats in enumerate(rows):
        for k, v in feats.items():
            if k in index:
                ri.append(r)
                ci.append(index[k])
                vals.append(v)
    ri_a, ci_a, v_a = np.array(ri), np.array(ci), np.array(vals, dtype=float)
    y = np.array(labels, dtype=float)
    n, d = len(rows), len(names)
    w = np.zeros(d)
    m, s = np.zeros(d), np.zeros(d)
    lr, b1, b2 = 0.1, 0.9, 0.999
    for t in range(1, EPOCHS + 1):  # Adam, full batch
        z = np.bincount(ri_a, weights=v_a * w[ci_a], minlength=n)
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        g = np.bincount(ci_a, weights=v_a * (p - y)[ri_a], minlength=d) / n + L2 * w / n
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        w -= lr * (m / (1 - b1 ** t)) / (np.sqrt(s / (1 - b2 ** t)) + 1e-8)
    z = np.bincount(ri_a, weights=v_a * w[ci_a], minlength=n)
    p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
    acc = float(((p >= 0.5) == (y == 1)).mean())
    # written at the end, not through a shell redirection: transforms/ imports the old file
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        _print_module(names, w, n, int(y.sum()), d, acc)
    Path(a.out).write_text(buf.getvalue(), encoding="utf-8")
    print(f"trained on {n} candidates", file=sys.stderr)


def _print_module(names: list[str], w: np.ndarray, n: int, positives: int, d: int,
                  acc: float) -> None:
    print('"""Cue gate: logistic-regression weights trained on PolNeAR TRAIN by')
    print("models/train_cue_model.py (see models/README.md). Generated; do not edit by hand.")
    print(f"{n} candidates, {positives} positive, {d} features, train accuracy {acc:.3f}.")
    print('"""')
    print()
    print(f"CUE_THRESHOLD = {THRESHOLD}")
    print("CUE_WEIGHTS: dict[str, float] = {")
    for k, v in sorted(zip(names, w, strict=True), key=lambda kv: -abs(kv[1])):
        if abs(v) >= 1e-3 and math.isfinite(v):
            print(f"    {k!r}: {v:.4f},")
    print("}")


THRESHOLD = 0.55

if __name__ == "__main__":
    main()
