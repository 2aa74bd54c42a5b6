"""Pure scoring of predicted attributions against PolNeAR-style gold (BRAT standoff).

Mirrors ``../shared/tools/polnear_eval.py`` exactly (same tokenisation, same greedy one-to-one
matching, same figures) but reads strings, not files, so it can be tested and reused:

* tokens are lower-cased ``\\w+`` runs;
* a predicted claim matches a gold attribution of the same article when the token F1 of their
  contents is >= 0.5, one-to-one, best overlap first;
* strict = identical content token lists; source accuracy over matched pairs = predicted source
  token-F1 >= 0.5 with gold's, or its tokens a subset of gold's, or both empty;
* direct = gold content holds a double quotation mark (``"`` ``“`` ``”``, or the doubled
  apostrophes and backticks ``''`` `````` some wires use);
* ``--quoted`` gold (:func:`quoted_only`): the direct attributions with the content cut to the
  words inside its quotation marks, to score a quotes table;
* predictions that carry a ``confidence`` get an expected calibration error (10 equal-width
  bins) against being right: matched to a gold attribution with the right source.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

WORD = re.compile(r"\w+", re.UNICODE)
DOUBLE_QUOTE = re.compile(r"[\"\u201c\u201d]|''|``")
CALIBRATION_BINS = 10
ROLES = ("source", "cue", "content")


@dataclass(frozen=True)
class Attribution:
    """One attribution, gold or predicted: the texts of its source, cue and content."""

    source: str = ""
    cue: str = ""
    content: str = ""
    confidence: float | None = None
    quoted: bool = False  # gold cut to its quoted words (always direct)

    @property
    def is_direct(self) -> bool:
        return self.quoted or bool(DOUBLE_QUOTE.search(self.content))


def tokens(text: str | None) -> list[str]:
    return [t.lower() for t in WORD.findall(text or "")]


def token_f1(a: Sequence[str], b: Sequence[str]) -> float:
    if not a or not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def role_fragments(ann: str) -> list[tuple[str, int, int]]:
    """(role, start, end) of every fragment an attribution event (``E`` line) gives a role:
    Source, Cue or Content, numbered roles ("Content2") as their role, sorted. An event may
    come before the spans it names, so events are read after all spans."""
    frags: dict[str, list[tuple[int, int]]] = {}
    roles = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            offsets = parts[1].partition(" ")[2]
            frags[parts[0]] = [(int(s), int(e)) for s, e in
                               (f.split() for f in offsets.split(";") if f.strip())]
        elif line.startswith("E") and len(parts) >= 2:
            roles += [r.partition(":") for r in parts[1].split()]
    return sorted({(role.rstrip("0123456789"), s, e) for role, _, tid in roles
                   for s, e in frags.get(tid, ())})


def parse_ann(ann: str, text: str) -> list[Attribution]:
    """BRAT standoff (``T`` spans, ``E`` events tying Source/Cue/Content[2]) -> attributions.

    Discontinuous fragments are joined with a space; an event without content is dropped.
    """
    spans: dict[str, str] = {}
    events: list[list[str]] = []
    for line in ann.splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            head = parts[1].split(" ", 1)
            offsets = head[1] if len(head) > 1 else ""
            frags = []
            for frag in offsets.split(";"):
                s, e = frag.split()
                frags.append(text[int(s):int(e)])
            spans[parts[0]] = " ".join(frags)
        elif line.startswith("E") and len(parts) >= 2:
            events.append(parts[1].split())
    out = []
    for roles in events:
        att = dict.fromkeys(ROLES, "")
        for r in roles:
            role, _, tid = r.partition(":")
            if tid not in spans:
                continue
            role = role.rstrip("0123456789").lower()
            if role in ROLES:
                att[role] = (att[role] + " " + spans[tid]).strip()
        if att["content"]:
            out.append(Attribution(att["source"], att["cue"], att["content"]))
    return out


def direct_only(gold: Mapping[str, Sequence[Attribution]]) -> dict[str, list[Attribution]]:
    return {d: [g for g in gs if g.is_direct] for d, gs in gold.items()}


def quoted_parts(content: str) -> str:
    """The words inside the quotation marks of a gold content, parts joined by a space (what a
    quotes table should hold for it). Marks pair up in order; an unclosed one runs to the end
    of the content (a quote that goes on past the annotation)."""
    marks = list(DOUBLE_QUOTE.finditer(content))
    parts = []
    for k in range(0, len(marks), 2):
        stop = marks[k + 1].start() if k + 1 < len(marks) else len(content)
        parts.append(content[marks[k].end():stop].strip())
    return " ".join(p for p in parts if p)


def quoted_only(gold: Mapping[str, Sequence[Attribution]]) -> dict[str, list[Attribution]]:
    """Gold for a quotes table: direct and mixed attributions, content cut to its quoted words."""
    out = {}
    for d, gs in direct_only(gold).items():
        cut = [replace(g, content=quoted_parts(g.content), quoted=True) for g in gs]
        out[d] = [g for g in cut if tokens(g.content)]
    return out


@dataclass(frozen=True)
class Match:
    doc: str
    gold: Attribution | None
    pred: Attribution | None
    score: float = 0.0
    source_ok: bool = False


def match_doc(golds: Sequence[Attribution], preds: Sequence[Attribution],
              threshold: float = 0.5) -> dict[int, tuple[int, float]]:
    """Greedy one-to-one matching, best content overlap first: gold index -> (pred index, F1)."""
    gt = [tokens(g.content) for g in golds]
    pt = [tokens(p.content) for p in preds]
    pairs = sorted(((token_f1(gt[i], pt[j]), i, j) for i in range(len(gt))
                    for j in range(len(pt))), reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    matched: dict[int, tuple[int, float]] = {}
    for s, i, j in pairs:
        if s < threshold:
            break
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        matched[i] = (j, s)
    return matched


def source_ok(gold_source: str, pred_source: str | None) -> bool:
    gs, ps = tokens(gold_source), tokens(pred_source)
    return (not gs and not ps) or token_f1(gs, ps) >= 0.5 or bool(gs and ps and set(ps) <= set(gs))


def score(gold: Mapping[str, Sequence[Attribution]],
          pred: Mapping[str, Sequence[Attribution]],
          threshold: float = 0.5) -> dict[str, Any]:
    """The reference scorer's figures (rounded to 4 decimals like the tool)."""
    tp = strict = src_ok = cue_ok = 0
    n_gold = sum(len(v) for v in gold.values())
    n_pred = sum(len(pred.get(d, [])) for d in gold)
    kinds: Counter[str] = Counter()
    calib: list[tuple[float, bool]] = []
    for doc, golds in gold.items():
        preds = pred.get(doc, [])
        matched = match_doc(golds, preds, threshold)
        right = {j for i, (j, _) in matched.items() if source_ok(golds[i].source, preds[j].source)}
        calib += [(float(p.confidence), j in right) for j, p in enumerate(preds)
                  if p.confidence is not None]
        for i, g in enumerate(golds):
            kind = "direct" if g.is_direct else "indirect"
            kinds[kind + "_gold"] += 1
            if i not in matched:
                continue
            j, _ = matched[i]
            p = preds[j]
            tp += 1
            kinds[kind + "_found"] += 1
            if tokens(g.content) == tokens(p.content):
                strict += 1
            if source_ok(g.source, p.source):
                src_ok += 1
            if token_f1(tokens(g.cue), tokens(p.cue)) > 0:
                cue_ok += 1
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    sp, sr = (strict / n_pred if n_pred else 0.0), (strict / n_gold if n_gold else 0.0)

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    return {
        "docs": len(gold), "gold": n_gold, "pred": n_pred, "matched": tp,
        "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f, 4),
        "strict_f1": round(2 * sp * sr / (sp + sr) if sp + sr else 0.0, 4),
        "source_acc": ratio(src_ok, tp),
        "cue_acc": ratio(cue_ok, tp),
        "direct_recall": ratio(kinds["direct_found"], kinds["direct_gold"]),
        "indirect_recall": ratio(kinds["indirect_found"], kinds["indirect_gold"]),
        "direct_gold": kinds["direct_gold"], "indirect_gold": kinds["indirect_gold"],
        **calibration(calib),
    }


def calibration(pairs: Sequence[tuple[float, bool]], bins: int = CALIBRATION_BINS) \
        -> dict[str, Any]:
    """Expected calibration error of (confidence, right) pairs, equal-width bins weighted by
    size, and the table [bin start, rows, mean confidence, share right]; {} without pairs."""
    if not pairs:
        return {}
    total, ece, table = len(pairs), 0.0, []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inb = [(c, m) for c, m in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inb:
            conf = sum(c for c, _ in inb) / len(inb)
            acc = sum(m for _, m in inb) / len(inb)
            ece += abs(acc - conf) * len(inb) / total
            table.append([round(lo, 1), len(inb), round(conf, 3), round(acc, 3)])
    return {"ece": round(ece, 4), "calibration": table}


def at_confidence(gold: Mapping[str, Sequence[Attribution]],
                  pred: Mapping[str, Sequence[Attribution]], cut: float) -> dict[str, float]:
    """Precision and recall of the predictions with confidence >= ``cut`` (the README's
    calibration table: what an analyst filtering on confidence gets)."""
    kept = {d: [p for p in ps if p.confidence is None or p.confidence >= cut]
            for d, ps in pred.items()}
    r = score(gold, kept)
    return {"confidence": cut, "precision": r["precision"], "recall": r["recall"],
            "rows": r["pred"]}


def errors(gold: Mapping[str, Sequence[Attribution]],
           pred: Mapping[str, Sequence[Attribution]],
           threshold: float = 0.5) -> Iterable[Match]:
    """Every gold and prediction with its fate: matched (with source_ok), missed or false alarm."""
    for doc, golds in gold.items():
        preds = pred.get(doc, [])
        matched = match_doc(golds, preds, threshold)
        hit = {j for j, _ in matched.values()}
        for i, g in enumerate(golds):
            if i in matched:
                j, s = matched[i]
                yield Match(doc, g, preds[j], s, source_ok(g.source, preds[j].source))
            else:
                yield Match(doc, g, None)
        for j, p in enumerate(preds):
            if j not in hit:
                yield Match(doc, None, p)


def summary_line(r: Mapping[str, Any]) -> str:
    line = (f"attribution F1 {r['f1']:.3f} (P {r['precision']:.3f} R {r['recall']:.3f}) "
            f"strict F1 {r['strict_f1']:.3f} source acc {r['source_acc']:.3f} "
            f"direct R {r['direct_recall']:.3f} indirect R {r['indirect_recall']:.3f}")
    return line + (f" ECE {r['ece']:.3f}" if "ece" in r else "")
