"""Train the person coreference ranker (models/coref/) on GUM's coreference annotation.

    uv run --frozen --group train python models/train_coref.py \
        ../shared/corpora/gum-coref models/coref

Each GUM document becomes a body section over GUM's own tokens (its CoNLL marks no sentence
or title boundary: the parser finds sentences, and the title opens the lead), run through
the pipeline's spaCy model, and its people through
``transforms.entities.canonical_entities``, as an article's would be. ``transforms.coref.walk``
then reads it as the pipeline does; at every pronoun and description it records the feature
row of each candidate person, labelled by GUM's chains (a candidate is right when its name
mentions are in the mention's chain). The walk's history follows the gold choice.

A LightGBM ranker (lambdarank; per mention one group: its candidates and "nobody", right
when no candidate is) is fitted on TRAIN. The lead over "nobody" the best person needs is
the one maximising F1 of the links on out-of-fold predictions (five folds by document;
see out_of_fold_margin for why not F0.5). DEV gives the figures; ``--test`` also scores TEST
(once, at the end of the work).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms.coref import (  # noqa: E402
    CATEGORICAL,
    DEFINITE,
    FEATURES,
    PRONOUN_GENDERS,
    Anaphor,
    CorefModel,
    resolved_people,
    walk,
)
from transforms.entities import (  # noqa: E402
    FEMALE_WORDS,
    MALE_WORDS,
    TITLE_WORDS,
    canonical_entities,
)
from transforms.sections import Section  # noqa: E402

_OPEN = re.compile(r"\(([a-z]+)-(\d+)")
_CLOSE = re.compile(r"([a-z]+)-(\d+)(?:-[^()]*)?\)")
NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "'re", "'ve",
                   "'ll", "'d", "'m", "'", "’s"}
NO_SPACE_AFTER = {"(", "[", "{", "$", "``"}
# Title words that are adjectives or abbreviations, not nouns a description is made of.
NOT_NOUNS = frozenset({"vice", "prime", "foreign", "defense", "defence", "deputy", "former",
                       "chief", "executive", "supreme", "state", "senior", "mr", "mrs", "ms",
                       "miss", "dr", "sir", "dame", "lord", "lady", "sen", "rep", "gov", "gen",
                       "col", "lt", "capt", "adm", "sgt", "rev", "prof", "ceo"})
# A given name is one gender's when the census counts it at least this many times more often
# for that gender (the US Census 1990 list in the `names` package).
GENDER_RATIO = 4.0
MARGINS = [round(0.25 * i, 2) for i in range(-4, 9)]
# Small trees, strongly regularised: ~750 pronouns to learn from (out of fold on TRAIN, 0.72
# of pronouns right against 0.71 with 15 leaves and 300 rounds).
PARAMS = {"objective": "lambdarank", "lambdarank_truncation_level": 3, "learning_rate": 0.05,
          "num_leaves": 7, "min_data_in_leaf": 50, "feature_fraction": 0.9,
          "bagging_fraction": 0.9, "bagging_freq": 1, "lambda_l2": 5.0, "verbose": -1,
          "seed": 7, "num_threads": 1}
ROUNDS = 200


@dataclass(frozen=True)
class GoldDoc:
    name: str
    sentences: list[list[str]]
    # (first token, last token inclusive, type, chain id) over the document's token list
    mentions: list[tuple[int, int, str, str]]


def read_conll(path: Path) -> GoldDoc:
    sentences: list[list[str]] = [[]]
    mentions = []
    stack: dict[str, list[tuple[int, str]]] = {}
    i = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if sentences[-1]:
                sentences.append([])
            continue
        _, word, col = line.split("\t")[:3]
        sentences[-1].append(word)
        for m in _OPEN.finditer(col):
            stack.setdefault(m.group(2), []).append((i, m.group(1)))
        for m in _CLOSE.finditer(col):
            opened = stack.get(m.group(2))
            if opened:
                start, kind = opened.pop()
                mentions.append((start, i, kind, m.group(2)))
        i += 1
    return GoldDoc(path.stem, [s for s in sentences if s], mentions)


def spaces_for(words: Sequence[str]) -> list[bool]:
    return [i + 1 < len(words) and words[i + 1] not in NO_SPACE_BEFORE
            and w not in NO_SPACE_AFTER for i, w in enumerate(words)]


def parsed(nlp: Any, words: list[str]) -> Any:
    from spacy.tokens import Doc

    doc = Doc(nlp.vocab, words=words, spaces=spaces_for(words))
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


@dataclass
class Article:
    """A GUM document as the pipeline's section, with each token's gold chain."""

    name: str
    sections: list[Section]
    entities: tuple[Any, ...]
    # (section, char offset of a token) -> the chain of the smallest person mention holding it
    chain_at: dict[tuple[str, int], str | None]
    entity_chain: dict[str, str | None]
    # gold person pronouns and definite singular descriptions whose chain the article named
    # earlier: (kind, char offset of the head word, chain)
    targets: list[tuple[str, int, str]]


def article_of(nlp: Any, gold: GoldDoc) -> Article:
    # GUM's CoNLL marks no sentence or title boundary: the whole document is one body, whose
    # sentences the parser finds (the title then opens the lead, as the pipeline counts it).
    words = [w for s in gold.sentences for w in s]
    sections = [Section("body", parsed(nlp, words))]
    offsets = [("body", t.idx) for t in sections[0].doc]
    smallest: dict[int, tuple[int, str, str]] = {}
    for start, end, kind, chain in gold.mentions:
        for i in range(start, end + 1):
            if i not in smallest or end - start < smallest[i][0]:
                smallest[i] = (end - start, kind, chain)
    chain_at = {offsets[i]: (c if k == "person" else None) for i, (_, k, c) in smallest.items()}
    entities = canonical_entities(sections)
    entity_chain = {e.entity_id: chain_of(sections[0].doc, e, chain_at) for e in entities}
    return Article(gold.name, sections, entities, chain_at, entity_chain,
                   targets(sections[0].doc, gold, entities, entity_chain))


def targets(doc: Any, gold: GoldDoc, entities: Sequence[Any],
            entity_chain: dict[str, str | None]) -> list[tuple[str, int, str]]:
    first_named: dict[str, int] = {}
    for e in entities:
        chain = entity_chain[e.entity_id]
        if chain is not None:
            first_named[chain] = min([first_named.get(chain, 1 << 30),
                                      *(m.start for m in e.mentions)])
    out = []
    for start, end, kind, chain in gold.mentions:
        root = doc[start:end + 1].root
        if kind != "person" or first_named.get(chain, 1 << 30) >= root.idx:
            continue
        if start == end and root.lower_ in PRONOUN_GENDERS:
            out.append(("pronoun", root.idx, chain))
        elif root.tag_ == "NN" and root.pos_ == "NOUN" and any(
                c.dep_ == "det" and c.lower_ in DEFINITE for c in root.children):
            out.append(("description", root.idx, chain))
    return out


def chain_of(doc: Any, entity: Any, chain_at: dict[tuple[str, int], str | None]) -> str | None:
    """The gold person chain most of the entity's mentions fall in: per mention, the chain of
    the smallest gold mention holding its root word, when that mention is a person."""
    votes: Counter[str] = Counter()
    for m in entity.mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        chain = chain_at.get((m.section, span.root.idx)) if span is not None else None
        if chain is not None:
            votes[chain] += 1
    return votes.most_common(1)[0][0] if votes else None


def gold_chain(art: Article, a: Anaphor) -> str | None:
    return art.chain_at.get((a.section, a.token.idx))


def examples(art: Article, given: dict[str, str], nouns: frozenset[str]) -> list[dict]:
    """One record per anaphor: its kind, gold chain, candidates' rows and labels; the walk's
    history (who the previous mention went to, pronoun genders) follows the gold choice."""
    out: list[dict] = []

    def choose(a: Anaphor, ents: Sequence[Any], rows: Sequence[dict[str, float]]) -> Any:
        chain = gold_chain(art, a)
        labels = [int(chain is not None and art.entity_chain[e.entity_id] == chain)
                  for e in ents]
        named_before = chain is not None and any(
            art.entity_chain[e.entity_id] == chain and any(
                m.section == a.section and m.start < a.token.idx for m in e.mentions)
            for e in art.entities)
        out.append({"doc": art.name, "kind": a.kind, "chain": chain, "rows": list(rows),
                    "labels": labels, "named_before": named_before})
        return ents[labels.index(1)] if 1 in labels else None

    walk(art.sections, art.entities, given, nouns, choose)
    return out


def ranked(r: dict) -> list[int]:
    """The record's relevance labels: its candidates', then nobody's (right when none is)."""
    return [*r["labels"], int(1 not in r["labels"])]


def matrix(records: Sequence[dict]) -> tuple[Any, Any, list[int]]:
    import numpy as np

    x = [[row[f] for f in FEATURES] for r in records for row in r["rows"]]
    y = [lab for r in records for lab in ranked(r)]
    return (np.array(x, dtype=float).reshape(-1, len(FEATURES)), np.array(y),
            [len(r["rows"]) for r in records])


def fit(records: Sequence[dict]) -> Any:
    import lightgbm

    x, y, groups = matrix(records)
    data = lightgbm.Dataset(x, y, group=groups, feature_name=list(FEATURES),
                            categorical_feature=list(CATEGORICAL), free_raw_data=False)
    return lightgbm.train(PARAMS, data, num_boost_round=ROUNDS)


def out_of_fold_margin(arts: Sequence[Article], records: Sequence[dict],
                       given: dict[str, str], nouns: frozenset[str],
                       folds: int = 5) -> tuple[float, dict]:
    """The margin maximising F1 of the links (pronouns and descriptions together) when
    each fold's documents are resolved as the pipeline would, by a model fitted on the
    others. F1, not F0.5: a resolved pronoun also tells who the next one continues, so a
    high margin lost more right links than it saved wrong ones (F0.5 picked 1.75: GUM DEV
    pronouns 0.50 right, against 0.86 at -0.5)."""
    models = []
    for k in range(folds):
        held = [a for i, a in enumerate(arts) if i % folds == k]
        names = {a.name for a in held}
        models.append((held, fit([r for r in records if r["doc"] not in names])))
    table = {}
    for margin in MARGINS:
        right = linked = resolvable = 0
        for held, booster in models:
            for kind in evaluate(held, CorefModel(booster, FEATURES, margin, given,
                                                  nouns)).values():
                right, linked = right + kind["right"], linked + kind["linked"]
                resolvable += kind["resolvable"]
        p, r = right / max(linked, 1), right / max(resolvable, 1)
        table[str(margin)] = {"precision": round(p, 4), "recall": round(r, 4),
                              "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
    best = max(MARGINS, key=lambda m: table[str(m)]["f1"])
    return best, table


def given_names() -> dict[str, str]:
    """Lower-case first name -> gender, from the census lists the `names` package ships."""
    import names  # type: ignore[import-untyped]

    folder = Path(names.__file__).parent

    def freqs(file: str) -> dict[str, float]:
        rows = (line.split() for line in (folder / file).read_text().splitlines() if line)
        return {r[0].lower(): float(r[1]) for r in rows}

    male, female = freqs("dist.male.first"), freqs("dist.female.first")
    out = {}
    for name in sorted(male.keys() | female.keys()):
        m, f = male.get(name, 0.0), female.get(name, 0.0)
        if m >= GENDER_RATIO * f:
            out[name] = "male"
        elif f >= GENDER_RATIO * m:
            out[name] = "female"
    return out


def person_nouns(nlp: Any, golds: Sequence[GoldDoc]) -> tuple[frozenset[str], dict]:
    """Common-noun lemmas that head person mentions in TRAIN at least twice and more often
    than other mentions, with the title and gender words of transforms.entities."""
    person: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for gold in golds:
        words = [w for s in gold.sentences for w in s]
        doc = parsed(nlp, words)
        for start, end, kind, _ in gold.mentions:
            root = doc[start:end + 1].root
            if root.pos_ == "NOUN":
                (person if kind == "person" else other)[root.lemma_.lower()] += 1
    learned = {w for w, n in person.items() if n >= 2 and n > other[w]}
    listed = (MALE_WORDS | FEMALE_WORDS | TITLE_WORDS) - NOT_NOUNS
    return frozenset(learned | listed), {"from_gum_train": len(learned),
                                         "from_entity_word_lists": len(listed)}


def evaluate(arts: Sequence[Article], model: CorefModel) -> dict[str, Any]:
    """By kind: ``accuracy``, the share of GUM's person pronouns and definite singular
    descriptions whose chain the document named earlier that go to a name of that chain (the
    issue's measure; a description the detector misses counts as wrong); link precision,
    recall and F1 over the detected ones (a link is an anaphor given a person, right when the
    person's names are in its chain); ``none_kept``, the share of detected anaphors with no
    named antecedent left unresolved."""
    tally: dict[str, Counter[str]] = {"pronoun": Counter(), "description": Counter()}
    for art in arts:
        records = examples(art, model.given_names, model.person_nouns)
        got = resolved_people(art.sections, art.entities, model)
        for rec, res in zip(records, got.values(), strict=True):
            t = tally[rec["kind"]]
            right = res.entity_id is not None and rec["chain"] is not None and \
                art.entity_chain.get(res.entity_id) == rec["chain"]
            t["detected"] += 1
            t["resolvable"] += rec["named_before"]
            t["right"] += right
            t["linked"] += res.entity_id is not None
            t["unresolvable"] += not rec["named_before"]
            t["left_alone"] += not rec["named_before"] and res.entity_id is None
        for kind, idx, chain in art.targets:
            res = got.get(("body", None, idx))
            tally[kind]["gold"] += 1
            tally[kind]["gold_right"] += res is not None and res.entity_id is not None and \
                art.entity_chain.get(res.entity_id) == chain
    out: dict[str, Any] = {}
    for kind, t in tally.items():
        p = t["right"] / t["linked"] if t["linked"] else 0.0
        r = t["right"] / t["resolvable"] if t["resolvable"] else 0.0
        out[kind] = {**dict(t), "accuracy": round(t["gold_right"] / t["gold"], 4)
                     if t["gold"] else 0.0,
                     "link_precision": round(p, 4), "link_recall": round(r, 4),
                     "link_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                     "none_kept": round(t["left_alone"] / t["unresolvable"], 4)
                     if t["unresolvable"] else 1.0}
    return out


def split(folder: Path) -> dict[str, list[Path]]:
    text = (folder / "splits.md").read_text(encoding="utf-8")
    parts = re.split(r"^## (\w+)", text, flags=re.M)
    named = {parts[i]: set(re.findall(r"\* (\S+)", parts[i + 1])) for i in range(1, len(parts), 2)}
    files = sorted((folder / "conll").glob("*.conll"))
    out: dict[str, list[Path]] = {"train": [], "dev": [], "test": []}
    for f in files:
        which = "dev" if f.stem in named.get("dev", ()) else \
            "test" if f.stem in named.get("test", ()) else "train"
        out[which].append(f)
    return out


def corpus_commit(folder: Path) -> str:
    m = re.search(r"commit (\w+)", (folder / "SOURCE.md").read_text(encoding="utf-8"))
    return m.group(1) if m else "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="../shared/corpora/gum-coref")
    ap.add_argument("out", type=Path, help="models/coref")
    ap.add_argument("--test", action="store_true", help="also score TEST (once)")
    a = ap.parse_args(argv)
    started = time.time()
    import lightgbm
    import spacy

    from flows.adapters.nlp import DEFAULT_MODEL, load, model_version

    nlp = load(DEFAULT_MODEL)
    parts = split(a.corpus)
    golds = {k: [read_conll(p) for p in v] for k, v in parts.items()}
    nouns, noun_counts = person_nouns(nlp, golds["train"])
    given = given_names()
    arts = {k: [article_of(nlp, g) for g in v] for k, v in golds.items()
            if k != "test" or a.test}
    print(f"parsed in {time.time() - started:.0f} s", flush=True)
    train = [r for art in arts["train"] for r in examples(art, given, nouns)]
    margin, table = out_of_fold_margin(arts["train"], train, given, nouns)
    booster = fit(train)
    model = CorefModel(booster, FEATURES, margin, given, nouns)
    figures = {k: evaluate(v, model) for k, v in arts.items() if k != "train"}
    print(json.dumps(figures, indent=1), flush=True)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "ranker.txt").write_text(booster.model_to_string(), encoding="utf-8")
    write = lambda name, obj: (a.out / name).write_text(  # noqa: E731
        json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    write("features.json", {"features": list(FEATURES), "categorical": list(CATEGORICAL),
                            "margin": margin})
    write("given_names.json", given)
    write("person_nouns.json", sorted(nouns))
    write("provenance.json", {
        "data": {"corpus": "GUM coreference (amir-zeldes/gum, coref/gum/conll/), six genres",
                 "commit": corpus_commit(a.corpus),
                 "licences": "texts: academic CC BY 4.0, bio CC BY-SA 3.0 (Wikipedia), court "
                             "CC BY 4.0, news and interview CC BY 2.5 (Wikinews), voyage "
                             "CC BY-SA 3.0 (Wikivoyage); annotations CC BY 4.0",
                 "documents": {k: len(v) for k, v in parts.items()},
                 "given_names": "US Census 1990 first-name lists (public domain) as shipped "
                                f"by the `names` package 0.3.0 (MIT); a name is a gender's "
                                f"when counted {GENDER_RATIO:g}x more often for it",
                 "person_nouns": noun_counts},
        "command": "uv run --frozen --group train python models/train_coref.py "
                   "../shared/corpora/gum-coref models/coref" + (" --test" if a.test else ""),
        "date": dt.date.today().isoformat(),
        "git_commit": subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True,
                                     text=True, cwd=ROOT).stdout.strip(),
        "versions": {"spacy_model": model_version(nlp), "spacy": spacy.__version__,
                     "lightgbm": lightgbm.__version__},
        "params": {**PARAMS, "rounds": ROUNDS},
        "train": {"anaphors": len(train), "rows": int(matrix(train)[1].size),
                  "out_of_fold_links_by_margin": table, "margin": margin},
        "figures": figures,
        "seconds": round(time.time() - started),
    })
    print(f"done in {time.time() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
