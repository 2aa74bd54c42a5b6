"""Who speaks about whom, and how often: the users' question, scored against PolNeAR's gold.

Gold is built from the gold attributions with the hand-made list of people
(``tests/corpus/polnear_people.json``) and one rule for both sides of a pair:

* a gold claim's **source person** is the person whose form ends the source's head phrase (the
  source up to its first comma, parenthesis or relative clause): "Donald Trump", "Republican
  nominee Donald Trump" and a listed bare surname ("Trump") name him; a possessive or a
  modifier does not ("Trump's campaign", "the Trump campaign", "a Trump supporter"), and a
  pronoun or a description ("he", "the nominee") names nobody, so the claim counts for no one
  (PolNeAR marks no coreference): the figures are about claims made *by name*;
* its **targets** are the other listed people its content names (a whole-word form, not inside
  a longer name: ``scoring.identity.names_in``).

Predicted: a claim row whose source's head phrase is a name (``head_is_a_name``) counts for the
person whose corpus-wide id (the id most of their articles use,
``scoring.identity.entity_identity``) is its ``source_entity_id``; its targets are the people
whose ids ``claim_targets`` lists for it.

* **pairs**: per article, the set of (source person, target person); micro P, R, F1;
* **how often**: per person with at least ``MIN_GOLD`` gold claims, gold against predicted
  claim counts: Spearman's rank correlation and the median relative error.

Pure: the gold, the rows and the list come in as values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from statistics import median
from typing import Any

from scoring.identity import Person, names_in

MIN_GOLD = 3
# what follows a source's head: an appositive, a parenthesis, a relative clause
_HEAD_END = re.compile(r",|\(|\s(?:who|which|that)\s")
_PRONOUNS = frozenset({"I", "He", "She", "We", "They", "It", "You"})

Pair = tuple[str, str]


def head_phrase(source: str) -> str:
    """The source up to its first comma, parenthesis or relative clause."""
    return _HEAD_END.split(source, maxsplit=1)[0].strip()


def source_person(source: str, people: Sequence[Person]) -> str | None:
    """The listed person the source's head names, or None."""
    head = head_phrase(source)
    for person in people:
        for form in person.forms:
            m = re.search(r"(?<![\w.'’])" + re.escape(form) + r"$", head)
            if m and _stands_alone(head[:m.start()].split(), form):
                return person.name
    return None


def _stands_alone(before: list[str], form: str) -> bool:
    """A form is the whole name unless a capitalised word comes right before it ("Melania
    Trump", "Mrs. Trump" are someone else, or not surely him); a full name may follow a
    title ("Sen. Ted Cruz")."""
    if not before or not before[-1][:1].isupper():
        return True
    return before[-1].endswith(".") and " " in form


def head_is_a_name(source: str) -> bool:
    """Whether a source's head phrase ends in a name (a capitalised word), as "Trump",
    "Sen. Ted Cruz" and "Mrs. Clinton" do and "he", "the nominee", "the Trump campaign" and
    "Clinton's spokesman" do not: only such rows count for a person on either side, so that a
    claim "by name" means the same in gold and in the rows."""
    words = head_phrase(source).split()
    return bool(words) and words[-1][:1].isupper() and words[-1] not in _PRONOUNS


def named_people(text: str, people: Sequence[Person]) -> frozenset[str]:
    return frozenset(p.name for p in people if names_in(text, p))


def gold_statements(gold: Mapping[str, Sequence[Any]], people: Sequence[Person]) \
        -> dict[str, list[tuple[str | None, frozenset[str]]]]:
    """Per article, (source person, target people) of every gold attribution (objects with
    ``source`` and ``content`` texts)."""
    out: dict[str, list[tuple[str | None, frozenset[str]]]] = {}
    for doc, atts in gold.items():
        rows = []
        for a in atts:
            src = source_person(a.source or "", people)
            rows.append((src, named_people(a.content, people) - {src}))
        out[doc] = rows
    return out


def pairs_of(statements: Iterable[tuple[str | None, Iterable[str]]]) -> set[Pair]:
    return {(s, t) for s, targets in statements if s is not None for t in targets if t != s}


def counts_of(statements: Mapping[str, Sequence[tuple[str | None, Any]]]) -> Counter[str]:
    return Counter(s for rows in statements.values() for s, _ in rows if s is not None)


def pair_scores(gold: Mapping[str, set[Pair]], pred: Mapping[str, set[Pair]]) \
        -> dict[str, float | int]:
    tp = sum(len(gold[d] & pred.get(d, set())) for d in gold)
    n_gold = sum(len(v) for v in gold.values())
    n_pred = sum(len(pred.get(d, set())) for d in gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"pairs_gold": n_gold, "pairs_pred": n_pred, "pairs_precision": round(p, 4),
            "pairs_recall": round(r, 4),
            "pairs_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank (as Spearman's coefficient needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    n = len(ra)
    if n < 2:
        return 0.0
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def count_scores(gold: Counter[str], pred: Counter[str], min_gold: int = MIN_GOLD) \
        -> dict[str, Any]:
    people = sorted(p for p, n in gold.items() if n >= min_gold)
    g = [gold[p] for p in people]
    q = [pred.get(p, 0) for p in people]
    errors = [abs(y - x) / x for x, y in zip(g, q, strict=True)]
    return {"people": len(people), "count_rank_corr": round(spearman(g, q), 4),
            "count_median_error": round(median(errors), 4) if errors else 0.0,
            "counts": {p: [gold[p], pred.get(p, 0)] for p in people}}


def about_scores(gold: Mapping[str, Sequence[Any]],
                 pred: Mapping[str, Sequence[tuple[str | None, frozenset[str]]]],
                 people: Sequence[Person]) -> dict[str, Any]:
    """Both figures: gold attributions per article against predicted (source person, target
    people) per article."""
    statements = gold_statements(gold, people)
    gold_pairs = {d: pairs_of(rows) for d, rows in statements.items()}
    pred_pairs = {d: pairs_of(rows) for d, rows in pred.items()}
    return {**pair_scores(gold_pairs, pred_pairs),
            **count_scores(counts_of(statements), counts_of(
                {d: rows for d, rows in pred.items() if d in gold}))}


def predicted_statements(claims: Iterable[tuple[str, str, str | None, str | None]],
                         targets: Iterable[tuple[str, str]], ids: Mapping[str, str | None]) \
        -> dict[str, list[tuple[str | None, frozenset[str]]]]:
    """Per article, (source person, target people) of each claim row: ``claims`` as (article,
    claim id, source entity id, source text; a source that is no name counts for nobody, as in
    gold), ``targets`` as (claim id, target entity id), ``ids`` the
    person -> corpus id map."""
    person_of = {e: p for p, e in ids.items() if e}
    by_claim: dict[str, set[str]] = {}
    for claim, entity in targets:
        if entity in person_of:
            by_claim.setdefault(claim, set()).add(person_of[entity])
    out: dict[str, list[tuple[str | None, frozenset[str]]]] = {}
    for doc, claim, source, text in claims:
        src = person_of.get(source) if source and head_is_a_name(text or "") else None
        out.setdefault(doc, []).append((src, frozenset(by_claim.get(claim, set())) - {src}))
    return out


def about_line(r: Mapping[str, Any]) -> str:
    return (f"who about whom: pairs F1 {r['pairs_f1']:.3f} (P {r['pairs_precision']:.3f} / "
            f"R {r['pairs_recall']:.3f}, {r['pairs_gold']} gold pairs); how often: rank "
            f"correlation {r['count_rank_corr']:.3f}, median error "
            f"{r['count_median_error']:.1%} over {r['people']} people with >= {MIN_GOLD} "
            f"gold claims")
