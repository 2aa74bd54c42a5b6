"""Train the attribution decision shipped in ``models/attribution/`` from PolNeAR TRAIN.

1. Every candidate attribution ``transforms.claims.scored_candidates`` proposes (cue verbs,
   nouns, adjectives, "according to", colons, quotations) on the TRAIN sections, made and parsed
   as the pipeline does, with the features of ``transforms.attribution.candidate_features``;
   label: its content has token F1 >= 0.5 with a gold content of the same article (the scorer's
   matching criterion).
2. A LightGBM model (``gate.txt``, text) over those features.
3. Five folds over the articles: each fold's articles are extracted end to end
   (``claim_records``) with a gate fitted on the other four. The keep threshold is the one that
   maximises attribution F1 over these cross-validated predictions; the isotonic map from gate
   score to the share of rows that are right (matched with the right source, the scorer's
   calibration criterion) is fitted on them too (``decision.json``). Never on fit data.
0. ``source_counts.json``: per word seen as a noun or pronoun, how often it was a word of a
   gold source of its article (the ``src_prior`` features: "the video", "streets" rarely say
   anything).
4. Quote confidence (``quote_rates.json``): per kind of quote (how its speaker was found, kind
   of speaker words, length), the share of TRAIN quotes whose speaker was right (scare quotes:
   that no gold quotation holds them), smoothed, kinds with few quotes backing off to coarser.

    uv run --frozen python models/train_attribution.py ../shared/corpora/polnear/train \\
        models/attribution [--docbin train.spacy --sections train.json]

Only TRAIN is read. ``cue_counts.json`` (the lexicon) is an input, made by
``models/derive_cue_lexicon.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import spacy
from scipy.optimize import isotonic_regression

from flows.adapters.nlp import read_attribution_model
from flows.app.evaluation import load_folder, parse_articles
from scoring import attribution as ev
from transforms.attribution import CATEGORICAL, NUMERIC, AttributionModel, feature_matrix
from transforms.claims import claim_records, scored_candidates
from transforms.entities import canonical_entities
from transforms.quotes import confidence_key, direct_quotations, quote_records, quote_spans
from transforms.sections import Section

PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31,
          "min_data_in_leaf": 20, "feature_fraction": 0.8, "bagging_fraction": 0.8,
          "bagging_freq": 1, "lambda_l2": 1.0, "cat_smooth": 10, "max_cat_to_onehot": 8,
          "verbose": -1, "seed": 7, "deterministic": True, "num_threads": 2}
ROUNDS = 300
FOLDS = 5
MIN_CATEGORY = 3
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)
# The keep threshold maximises F-beta with beta = 0.5 on the cross-validated predictions:
# precision weighs twice recall, since a wrong claim row costs a user more than a missing one.
BETA = 0.5
FIRST_PASS_THRESHOLD = 0.25  # candidates merge with quotations as the lexicon prior would keep
QUOTE_MIN_ROWS = 25
QUOTE_SMOOTHING = 5.0
MIN_SOURCE_SEEN = 10


def sections_of(folder: str, docbin: str | None, meta: str | None) -> tuple[list, list]:
    articles = load_folder(folder)
    if not docbin:
        return articles, parse_articles(articles)
    from spacy.tokens import DocBin

    from flows.adapters.nlp import load

    docs = DocBin().from_disk(docbin).get_docs(load().vocab)
    plan = json.loads(Path(meta).read_text(encoding="utf-8")) if meta else None
    secs = []
    for k, art in enumerate(articles):
        names = plan[k][1] if plan else [["title", None], ["body", None]]
        assert not plan or plan[k][0] == art.stem
        secs.append([Section(n, next(docs), c) for n, c in names])
    return articles, secs


def candidate_rows(articles: list, sections: list, model: AttributionModel) \
        -> tuple[list[dict], list[int], list[int]]:
    """Features, label and article index of every candidate."""
    feats, labels, owner = [], [], []
    for k, (art, secs) in enumerate(zip(articles, sections, strict=True)):
        golds = [ev.tokens(g.content) for g in ev.parse_ann(art.ann, art.text)]
        for sec in secs:
            _, scored = scored_candidates(sec.doc, sec.text, model, sec.name)
            for att, f in scored:
                toks = ev.tokens(sec.text[att.content[0]:att.content[1]])
                labels.append(int(any(ev.token_f1(toks, g) >= 0.5 for g in golds)))
                feats.append(f)
                owner.append(k)
    return feats, labels, owner


def categories_of(feats: list[dict]) -> dict[str, list[str]]:
    out = {}
    for name in CATEGORICAL:
        counts = Counter(str(f[name]) for f in feats)
        out[name] = sorted(v for v, n in counts.items() if n >= MIN_CATEGORY)
    return out


def f_beta(r: dict[str, Any]) -> float:
    p, q = r["precision"], r["recall"]
    return (1 + BETA**2) * p * q / (BETA**2 * p + q) if p + q else 0.0


def fit(x: np.ndarray, y: np.ndarray) -> lightgbm.Booster:
    data = lightgbm.Dataset(x, y, categorical_feature=list(range(len(CATEGORICAL))),
                            feature_name=[*CATEGORICAL, *NUMERIC], free_raw_data=False)
    return lightgbm.train(PARAMS, data, num_boost_round=ROUNDS)


def end_to_end(articles: list, sections: list, entities: list, idx: list[int],
               model: AttributionModel) -> tuple[dict, dict]:
    gold = {articles[k].stem: ev.parse_ann(articles[k].ann, articles[k].text) for k in idx}
    pred = {}
    for k in idx:
        rows = claim_records(articles[k].stem, sections[k], entities[k], model)
        pred[articles[k].stem] = [ev.Attribution(r["source_text"] or "", r["cue_text"] or "",
                                                 r["content_text"], r["confidence"])
                                  for r in rows]
    return gold, pred


def right_pairs(gold: dict, pred: dict) -> list[tuple[float, bool]]:
    out = []
    for doc, golds in gold.items():
        preds = pred.get(doc, [])
        matched = ev.match_doc(golds, preds)
        right = {j for i, (j, _) in matched.items() if ev.source_ok(golds[i].source,
                                                                    preds[j].source)}
        out += [(float(p.confidence or 0.0), j in right) for j, p in enumerate(preds)]
    return out


def isotonic(pairs: list[tuple[float, bool]], knots: int = 40) -> dict[str, list[float]]:
    """Isotonic fit of right ~ score, thinned to at most ``knots`` points for the data file."""
    pairs = sorted(pairs)
    x = np.array([p for p, _ in pairs])
    y = isotonic_regression(np.array([float(r) for _, r in pairs])).x
    qs = np.unique(np.quantile(x, np.linspace(0, 1, knots)))
    ys = np.interp(qs, x, y)
    return {"x": [round(float(v), 4) for v in qs], "y": [round(float(v), 4) for v in ys]}


def quote_rates(articles: list, sections: list, entities: list,
                model: AttributionModel) -> dict[str, float]:
    """Share of quotes-table rows whose speaker is right (the scorer's --quoted matching), per
    kind of quote and per coarser kind (key prefix). Each row's kind is read back through a
    model whose rates are a code per kind."""
    keys = sorted({"|".join(confidence_key(dq, sec.text)) for secs in sections for sec in secs
                   for dq in direct_quotations(sec.doc, model.quote_lemmas, text=sec.text)})
    code = {k: (n + 1) / 1e6 for n, k in enumerate(keys)}
    decode = {round(c, 6): k for k, c in code.items()}
    coded = replace(model, quote_rates=code)
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for art, secs, ents in zip(articles, sections, entities, strict=True):
        gold = ev.quoted_only({art.stem: ev.parse_ann(art.ann, art.text)})[art.stem]
        rows = quote_records(art.stem, secs, ents, coded)
        said = [r for r in rows if not r["is_scare_quote"]]
        preds = [ev.Attribution(r["speaker_text"] or "", "", r["quote_text"]) for r in said]
        matched = ev.match_doc(gold, preds)
        right = {j for i, (j, _) in matched.items() if ev.source_ok(gold[i].source,
                                                                    preds[j].source)}
        outcome = [(r, j in right) for j, r in enumerate(said)]
        outcome += [(r, not any(ev.token_f1(ev.tokens(r["quote_text"]), ev.tokens(g.content))
                                >= 0.5 for g in gold)) for r in rows if r["is_scare_quote"]]
        for r, ok in outcome:
            key = decode[round(r["confidence"], 6)].split("|")
            for n in range(len(key) + 1):
                h = hits["|".join(key[:n])]
                h[0] += int(ok)
                h[1] += 1
    root = hits[""][0] / max(1, hits[""][1])
    return {k: round((r + QUOTE_SMOOTHING * root) / (n + QUOTE_SMOOTHING), 4)
            for k, (r, n) in sorted(hits.items()) if n >= QUOTE_MIN_ROWS or k == ""}


def source_counts(articles: list, sections: list) -> dict[str, list[int]]:
    """Per word (lower case) seen as a noun or pronoun outside quotation marks: [times it is
    a word of a gold source of its article, times seen]; words seen at least MIN_SOURCE_SEEN
    times (rarer ones would carry their one article's label)."""
    hit: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for art, secs in zip(articles, sections, strict=True):
        words = {w for g in ev.parse_ann(art.ann, art.text) for w in ev.tokens(g.source)}
        for sec in secs:
            quoted = [(q.mark_start, q.mark_end) for q in quote_spans(sec.text)]
            for tok in sec.doc:
                if tok.pos_ in ("NOUN", "PROPN", "PRON") and \
                        not any(a <= tok.idx < b for a, b in quoted):
                    seen[tok.lower_] += 1
                    hit[tok.lower_] += tok.lower_ in words
    return {w: [hit[w], n] for w, n in sorted(seen.items()) if n >= MIN_SOURCE_SEEN}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", help="PolNeAR TRAIN folder (text/, attributions/)")
    ap.add_argument("out", help="the model folder (holds cue_counts.json)")
    ap.add_argument("--docbin", help="a DocBin of the TRAIN sections (saves the parse)")
    ap.add_argument("--sections", help="JSON [[stem, [[section, caption_id], ...]], ...]")
    a = ap.parse_args(argv)
    out = Path(a.out)
    articles, sections = sections_of(a.train, a.docbin, a.sections)
    lexicon = read_attribution_model(out, with_gate=False)
    sources = source_counts(articles, sections)
    out.joinpath("source_counts.json").write_text(
        "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sources.items())
        + "\n}\n", encoding="utf-8")
    src = {k: (v[0], v[1]) for k, v in sources.items()}
    first = AttributionModel(lexicon.cue_counts, threshold=FIRST_PASS_THRESHOLD,
                             source_counts=src)
    feats, labels, owner = candidate_rows(articles, sections, first)
    cats = categories_of(feats)
    coder = AttributionModel(lexicon.cue_counts, cats, source_counts=src)
    x = np.array(feature_matrix(feats, coder))
    y = np.array(labels)
    own = np.array(owner)
    print(f"{len(y)} candidates, {int(y.sum())} positive", file=sys.stderr)
    entities = [canonical_entities(s) for s in sections]
    fold_of = np.arange(len(articles)) % FOLDS
    by_t: dict[float, tuple[dict, dict]] = {t: ({}, {}) for t in THRESHOLDS}
    for f in range(FOLDS):
        booster = fit(x[fold_of[own] != f], y[fold_of[own] != f])
        idx = [k for k in range(len(articles)) if fold_of[k] == f]
        for t in THRESHOLDS:
            model = AttributionModel(lexicon.cue_counts, cats, booster, t, source_counts=src)
            gold, pred = end_to_end(articles, sections, entities, idx, model)
            by_t[t][0].update(gold)
            by_t[t][1].update(pred)
        print(f"fold {f} done", file=sys.stderr)
    scores = {t: ev.score(g, p) for t, (g, p) in by_t.items()}
    for t, r in scores.items():
        print(f"cv threshold {t}: {ev.summary_line(r)}", file=sys.stderr)
    best = max(THRESHOLDS, key=lambda t: f_beta(scores[t]))
    calibration = isotonic(right_pairs(*by_t[best]))
    final = fit(x, y)
    out.joinpath("gate.txt").write_text(final.model_to_string(), encoding="utf-8")
    model = AttributionModel(lexicon.cue_counts, cats, final, best,
                             (calibration["x"], calibration["y"]), source_counts=src)
    rates = quote_rates(articles, sections, entities, model)
    out.joinpath("quote_rates.json").write_text(json.dumps(rates, indent=1) + "\n",
                                                encoding="utf-8")
    decision: dict[str, Any] = {
        "threshold": best, "calibration": calibration, "categories": cats,
        "provenance": {
            "data": "PolNeAR v1.0.0 TRAIN (../shared/corpora/polnear/train), "
                    f"{len(articles)} articles, first annotator file per article",
            "command": "uv run --frozen python models/train_attribution.py "
                       "../shared/corpora/polnear/train models/attribution --docbin "
                       "build/attribution_spans/train_sections.spacy --sections "
                       "build/attribution_spans/train_sections.json",
            "spans": "TRAIN parsed with out-of-fold learned spans "
                     "(models/train_attribution_spans.py)",
            "threshold_rule": f"max F-beta, beta = {BETA}, over {list(THRESHOLDS)}",
            "date": dt.date.today().isoformat(),
            "libraries": {"lightgbm": lightgbm.__version__, "spacy": spacy.__version__,
                          "numpy": np.__version__, "python": platform.python_version()},
            "candidates": len(y), "positive": int(y.sum()), "rounds": ROUNDS,
            "params": PARAMS,
            "cv": {str(t): {k: scores[t][k] for k in ("f1", "precision", "recall",
                                                       "strict_f1", "source_acc", "ece")
                            if k in scores[t]} for t in THRESHOLDS},
        },
    }
    out.joinpath("decision.json").write_text(json.dumps(decision, indent=1) + "\n",
                                             encoding="utf-8")
    print(f"threshold {best}: cv {ev.summary_line(scores[best])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
