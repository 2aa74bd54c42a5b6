"""Attribution relations (direct and indirect) -> claims with source, cue, stance.

Pure extractors in textacy's ``extract/triples.py`` style, Doc in, named records out:

* candidates with high recall: every cue verb, noun or adjective the TRAIN lexicon knows
  (``AttributionModel.cue_counts``) with its source (nsubj, passive agent, governing subject)
  and its content (ccomp/xcomp/dobj subtree; for an inverted or parenthetical cue -- "..., X
  said." or "In return, analysts say, Russia may ..." -- the governing clause without the cue
  clause), "according to X", a headline's "X: ...", and quotations with a speaker
  (``transforms.quotes``), which become direct claims or widen their cue's claim (mixed);
* the learned gate (``transforms.attribution``) decides which candidates are attributions:
  verbs that are not speech here ("streets lined with flags", "appears to be") get low scores
  from their context, not from a list;

then :func:`claim_records` resolves sources and emits rows of the CLAIMS schema, with the
calibrated probability that the row is right as its ``confidence``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc, Token

from transforms.attribution import (
    AttributionModel,
    Candidate,
    candidate_features,
    cue_key,
    gate_scores,
)
from transforms.documents import NEWS_DATELINE as _DATELINE
from transforms.quotes import (
    QuoteSpan,
    according_to,
    direct_quotations,
    quote_spans,
    subject_of,
)
from transforms.schemas import STANCES, stable_id
from transforms.sections import LEARNED_SPANS, Section
from transforms.speakers import SpeakerResolver, paragraph_bounds, source_span

CANDIDATE_MIN_PRIOR = 0.02  # a lexicon key is proposed when it was a cue this often in TRAIN
NOMINAL_MIN_PRIOR = 0.1
NESTED_MARGIN = -0.2  # a nested attribution goes unless clearly more reliable
DOBJ_PREPS = ("of", "for", "about", "over", "as", "on", "that", "to", "with")
NOMINAL_PREPS = ("of", "for", "about", "on", "against", "to", "over", "with", "that")
UNATTRIBUTED_MIN_WORDS = 4  # a quotation this long with no speaker is a claim of unknown source
SNAP_MIN_AGREEMENT = 0.5  # overlap / union of characters for the learned content to stand
SPAN_MAX_GAP = 8  # tokens between a learned content and its cue, or a cue and its source
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "oprd", "attr", "csubj")
SKIP_LEMMAS = frozenset({"accord", "be", "have", "do", "get", "make", "go", "take", "come",
                         "give", "use"})

STANCE_OF: dict[str, str] = {}
for _stance_name, _lemmas in {
    "deny": "deny reject dismiss refute dispute disavow rebut contradict denounce denial "
            "rejection push/back",
    "accuse": "accuse blame criticize criticise attack charge condemn slam allege blast fault "
              "lambaste mock ridicule decry criticism accusation allegation critical critic",
    "predict": "predict expect forecast warn project anticipate estimate foresee prediction "
               "warning expectation",
    "believe": "believe think feel consider suspect know see fear worry doubt assume guess "
               "reckon understand seem appear find realize recognize belief view concern "
               "confident convinced sure skeptical worried",
    "want": "want hope wish plan seek intend urge call demand push vow promise pledge aim "
            "propose need prefer refuse try support endorse oppose opposition proposal plan "
            "call/for push/for",
    "question": "ask question wonder query inquire challenge",
    "assert": "say tell add note write state announce claim insist argue explain declare report "
              "confirm acknowledge admit reveal tweet describe suggest stress emphasize recall "
              "conclude respond reply according show indicate testify maintain point post "
              "statement comment remark point/out",
}.items():
    for _w in _lemmas.split():
        STANCE_OF.setdefault(_w, _stance_name)
assert set(STANCE_OF.values()) <= set(STANCES)

# hedges that, scoping over the content, make it uncertain
HEDGE_MODALS = frozenset({"may", "might", "could"})
HEDGE_WORDS = frozenset({
    "likely", "unlikely", "possibly", "perhaps", "probably", "maybe", "potentially",
    "reportedly", "allegedly", "apparently", "seemingly", "possible",
})
QUOTE_MARKS = frozenset("\u201c\u201d\u2018\u2019\"'")
_EDGE_PUNCT = re.compile(r"^[\s,;:.\-\u2013\u2014]+|[\s,;:.\-\u2013\u2014]+$")


@dataclass(frozen=True)
class Attribution:
    """A claim before resolution: character spans into the section text."""

    content: tuple[int, int]
    source_head: Token | None
    source: tuple[int, int] | None
    cue: tuple[int, int]
    cue_lemma: str
    kind: str  # direct | indirect | mixed
    score: float  # the gate's probability that this is an attribution
    cue_token: Token | None = None
    stance: str = "other"


def _span_chars(doc: Doc, lo: int, hi: int) -> tuple[int, int] | None:
    """Token range [lo, hi) -> trimmed character span (None when nothing is left)."""
    if hi <= lo:
        return None
    s0 = s = doc[lo].idx
    e = doc[hi - 1].idx + len(doc[hi - 1].text)
    full = doc[lo:hi].text  # == the section text[s:e], without building the whole text
    m1 = _EDGE_PUNCT.match(full)
    if m1:
        s += m1.end()
    text = full[s - s0:]
    m2 = _EDGE_PUNCT.search(text)
    if m2 and m2.start() < len(text):
        e = s + m2.start()
    return (s, e) if e > s and re.search(r"\w", full[s - s0:e - s0]) else None


def _subtree_range(tok: Token, exclude: Set[int] = frozenset(),
                   anchor: Token | None = None) -> tuple[int, int]:
    p0, p1 = paragraph_bounds(anchor if anchor is not None else tok)
    idx = [t.i for t in tok.subtree if t.i not in exclude and p0 <= t.idx < p1 and
           not (t.is_punct and t.dep_ == "punct" and t.i != tok.i and t.text not in QUOTE_MARKS)]
    return (min(idx), max(idx) + 1) if idx else (tok.i, tok.i)


def content_of(verb: Token, subj: Token | None) -> tuple[int, int, str] | None:
    """Token range of what the cue verb attributes, and which rule found it."""
    doc = verb.doc
    sent = verb.sent
    p0, p1 = paragraph_bounds(verb)
    own = {t.i for t in verb.subtree}
    src = {t.i for t in subj.subtree if t.i not in own} if subj is not None else set()
    kids = [c for c in verb.children if p0 <= c.idx < p1]
    comps = [c for c in kids if c.dep_ in CONTENT_DEPS and c.i not in src]
    # "told the judge that ...": the addressee is not content; but "urged his parishioners to
    # consider ...", "want the refugees to come": the object of an object-control verb is
    comps = [c for c in comps if c.dep_ != "dobj" or not any(
        k.dep_ == "ccomp" for k in verb.children)]
    if comps:
        if all(c.dep_ == "dobj" for c in comps):
            # "accuse North Korea of circumventing ...", "blamed Clinton for ..."
            last = max(c.i for c in comps)
            comps += [c for c in kids if c.dep_ == "prep" and c.i > last and
                      c.lower_ in DOBJ_PREPS]
        ranges = [_subtree_range(c, anchor=verb) for c in comps]
        lo = min(r[0] for r in ranges)
        hi = max(r[1] for r in ranges)
        return lo, hi, "+".join(sorted({c.dep_ for c in comps}))
    # inverted/parenthetical cue: "..., he said." / "In return, analysts say, Russia may ..."
    if verb.dep_ in ("parataxis", "ccomp", "advcl", "conj") and verb.head.i != verb.i:
        head = verb.head
        excl = {t.i for t in verb.subtree}
        lo, hi = _subtree_range(head, excl)
        lo, hi = max(lo, sent.start), min(hi, sent.end)
        p0, p1 = paragraph_bounds(verb)
        while lo < hi and doc[lo].idx < p0:
            lo += 1
        while hi > lo and doc[hi - 1].idx >= p1:
            hi -= 1
        vlo, vhi = _subtree_range(verb)
        if lo < vlo and vhi < hi and vlo - lo <= 4:
            lo = vhi  # "In return, analysts say, Russia may ..." -> "Russia may ..."
        if hi > lo:
            return lo, hi, "inv-" + verb.dep_
    if verb.dep_ == "ROOT":
        # "“...,” he said." parsed with the quote as a dependent chain: everything in the sentence
        # that is not the source or the cue clause's own adverbials
        others = [c for c in kids if c.i not in src and c.dep_ not in (
            "nsubj", "nsubjpass", "aux", "auxpass", "neg", "advmod", "punct", "prep", "npadvmod",
            "dative", "agent", "prt", "cc", "mark")]
        if others:
            ranges = [_subtree_range(c) for c in others]
            return min(r[0] for r in ranges), max(r[1] for r in ranges), "root"
    preps = [c for c in kids if c.dep_ == "prep" and c.lower_ in (
        "about", "on", "of", "for", "against", "that", "to", "with", "as")]
    for p in preps:
        objs = [c for c in p.children if c.dep_ in ("pobj", "pcomp")]
        if objs:
            return (*_subtree_range(objs[0]), "prep-" + p.lower_)
    return None


def _cue_range(verb: Token) -> tuple[int, int]:
    lo, hi = verb.i, verb.i + 1
    for c in verb.children:
        if c.dep_ == "prt" and c.i == hi:
            hi += 1
    return lo, hi


def verb_candidates(doc: Doc, model: AttributionModel, quotes: Sequence[QuoteSpan]) \
        -> Iterator[tuple[Token, Token | None, int, int, str]]:
    """(cue token, source head, content token range, rule) for every verb, noun or adjective
    with a content whose lexicon key was a cue at least ``CANDIDATE_MIN_PRIOR`` of the time;
    cues inside long quotations are skipped (an attribution nested in a quotation belongs to
    the quotation, and PolNeAR does not mark it)."""
    quoted = [(q.mark_start, q.mark_end) for q in quotes if q.end - q.start > 40]
    for tok in doc:
        if tok.pos_ not in ("VERB", "NOUN", "ADJ") or any(s <= tok.idx < e for s, e in quoted):
            continue
        key = cue_key(tok, model.cue_counts)
        if tok.pos_ == "VERB":
            if key in SKIP_LEMMAS or model.prior(key) < CANDIDATE_MIN_PRIOR:
                continue
            # PolNeAR marks "who"/"which" itself as the source, not its antecedent
            subj = subject_of(tok, antecedent=False)
            found = content_of(tok, subj)
        else:
            if model.prior(key) < NOMINAL_MIN_PRIOR:
                continue
            subj = nominal_source(tok)
            found = nominal_content(tok)
        if found is not None:
            yield tok, subj, *found


def nominal_source(tok: Token) -> Token | None:
    """Source of a cue noun/adjective: "Trump's criticism of", "Trump voiced criticism of",
    "Trump was critical of"."""
    head = tok.head
    for c in tok.children:
        if c.dep_ == "poss":
            if c.tag_ == "PRP$":
                # "Trump is doubling down on his support for": PolNeAR marks the clause's
                # subject, which "his" stands for
                gov = head.head if tok.dep_ == "pobj" and head.dep_ == "prep" else head
                if tok.dep_ in ("dobj", "pobj") and gov.pos_ == "VERB" and gov.i < tok.i:
                    s = subject_of(gov, antecedent=False)
                    if s is not None and s.i < gov.i:
                        return s
            return c
    if tok.dep_ in ("dobj", "attr", "acomp", "oprd", "nsubj") and head.pos_ in ("VERB", "AUX") \
            and head.i != tok.i:
        s = subject_of(head, antecedent=False)
        if s is not None and s.i != tok.i:
            return s
    # "Republicans are chiming in with criticism of ...": the subject of the verb the noun's
    # preposition hangs on
    if tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ == "VERB" and \
            head.head.i < tok.i:
        s = subject_of(head.head, antecedent=False)
        if s is not None and s.i < head.i:
            return s
    return None


def nominal_content(tok: Token) -> tuple[int, int, str] | None:
    """What a cue noun/adjective attributes: its clause ("the claim that ...", "a plan to ...")
    or the object of its preposition ("criticism of X", "support for X")."""
    p0, p1 = paragraph_bounds(tok)
    for c in tok.children:
        if c.dep_ in ("acl", "ccomp", "xcomp") and c.i > tok.i and p0 <= c.idx < p1:
            return (*_subtree_range(c, anchor=tok), "n-" + c.dep_)
    for c in tok.children:
        if c.dep_ == "prep" and c.i > tok.i and c.lower_ in NOMINAL_PREPS:
            objs = [o for o in c.children if o.dep_ in ("pobj", "pcomp")]
            if objs:
                return (*_subtree_range(objs[0], anchor=tok), "n-prep-" + c.lower_)
    return None


def _source_chars(subj: Token | None) -> tuple[int, int] | None:
    if subj is None:
        return None
    sp = source_span(subj)
    return sp.start_char, sp.end_char


def _cue_stance(cue: Token | None, lemma: str) -> str:
    """The stance of a cue in its context: its lemma with its particle ("push back", "point
    out", "call for"); a negated assertion or accusation ("did not say", "never accused")
    asserts nothing."""
    if lemma == "according to":
        return "assert"
    if cue is None:
        return "other"
    parts = [c.lower_ for c in cue.children
             if c.dep_ in ("prt", "prep", "advmod") and c.i == cue.i + 1]
    stance = STANCE_OF.get(f"{lemma}/{parts[0]}" if parts else "", STANCE_OF.get(lemma, "other"))
    if stance in ("assert", "accuse", "predict") and any(
            c.dep_ == "neg" for c in cue.children):
        return "other"
    return stance


def cue_candidates(doc: Doc, text: str, model: AttributionModel, section: str,
                   quotes: Sequence[QuoteSpan]) \
        -> list[tuple[Attribution, Candidate]]:
    """Every candidate attribution with a cue (verb, noun, adjective, "according to", a
    headline's colon), before the gate decides."""
    out: list[tuple[Attribution, Candidate]] = []
    for verb, subj, lo, hi, rule in verb_candidates(doc, model, quotes):
        content = _span_chars(doc, lo, hi)
        if content is None:
            continue
        clo, chi = _cue_range(verb)
        cue = (doc[clo].idx, doc[chi - 1].idx + len(doc[chi - 1].text))
        lemma = verb.lemma_.lower() if verb.pos_ == "VERB" else cue_key(verb, model.cue_counts
                                                                        ).split("/")[0]
        att = Attribution(content, subj, None, cue, lemma, "indirect", 0.0, verb,
                          _cue_stance(verb, lemma))
        out.append((att, Candidate(verb, subj, lo, hi, rule, "indirect", section)))
    for acc, src in according_to(doc):
        head = acc.head if acc.head.i != acc.i else None
        if head is None:
            continue
        lo, hi = _subtree_range(head, {t.i for t in acc.subtree})
        lo, hi = max(lo, acc.sent.start), min(hi, acc.sent.end)
        content = _span_chars(doc, lo, hi)
        if content is None:
            continue
        cue = (acc.idx, doc[acc.i + 1].idx + len(doc[acc.i + 1].text))
        att = Attribution(content, src, None, cue, "according to", "indirect", 0.0,
                          acc, "assert")
        out.append((att, Candidate(acc, src, lo, hi, "according", "indirect", section)))
    for m in _COLON_LEAD.finditer(text):
        lead = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        body = doc.char_span(m.start(2), m.end(2), alignment_mode="expand")
        if lead is None or body is None or len(lead) > 6 or len(m.group(2).split()) < 3:
            continue
        if any(t.pos_ in ("VERB", "AUX") for t in lead) or \
                not any(t.pos_ in ("PROPN", "PRON") or t.ent_type_ in ("PERSON", "ORG", "NORP")
                        for t in lead):
            continue
        att = Attribution((m.start(2), m.end(2)), lead.root, (m.start(1), m.end(1)),
                          (m.end(1), m.end(1) + 1), ":", "indirect", 0.0, None, "assert")
        out.append((att, Candidate(None, lead.root, body.start, body.end, "colon", "indirect",
                                   section)))
    return out


_COLON_LEAD = re.compile(r"^([^:\n\u201c\"]{2,60}?):\s+(\S[^\n]*)$", re.M)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _quoted_tokens(doc: Doc, quotes: Sequence[QuoteSpan]) -> list[bool]:
    """Per token: inside quotation marks."""
    starts = [t.idx for t in doc]
    out = [False] * len(doc)
    for q in quotes:
        for i in range(bisect_left(starts, q.mark_start), bisect_left(starts, q.mark_end)):
            out[i] = True
    return out


def _among(atts: Sequence[Attribution]) -> list[dict[str, float]]:
    """How each candidate sits among the others: inside how many contents its cue is, how many
    cues its content holds, how many others' contents overlap its own (arrays: a section has
    a few hundred candidates at most)."""
    import numpy as np

    if not atts:
        return []
    s = np.array([a.content[0] for a in atts])
    e = np.array([a.content[1] for a in atts])
    c = np.array([a.cue[0] for a in atts])
    own_cue_inside = (s <= c) & (c < e)  # a candidate's cue inside its own content
    nested = ((s[None, :] <= c[:, None]) & (c[:, None] < e[None, :])).sum(1) - own_cue_inside
    contains = ((s[:, None] <= c[None, :]) & (c[None, :] < e[:, None])).sum(1) - own_cue_inside
    overlap = ((np.minimum(e[:, None], e[None, :]) - np.maximum(s[:, None], s[None, :])) > 0
               ).sum(1) - (e > s)
    return [{"nested_in": float(n), "contains": float(k), "same_content": float(o)}
            for n, k, o in zip(nested, contains, overlap, strict=True)]


def _score(doc: Doc, text: str, model: AttributionModel,
           cands: Sequence[tuple[Attribution, Candidate]], quoted: Sequence[bool],
           spans: LearnedSpans) -> list[tuple[Attribution, dict[str, Any]]]:
    """The candidates with the gate's score, and the features it was computed from."""
    per_sent = Counter((c.cue or doc[c.lo]).sent.start for _, c in cands)
    among = [{**around, **span_agreement(a, spans)}
             for a, around in zip([a for a, _ in cands], _among([a for a, _ in cands]),
                                  strict=True)]
    feats = [candidate_features(doc, text, c, model, quoted, per_sent, around)
             for (_, c), around in zip(cands, among, strict=True)]
    return [(replace(a, score=p), f) for (a, _), f, p in
            zip(cands, feats, gate_scores(feats, model), strict=True)]


def scored_candidates(doc: Doc, text: str, model: AttributionModel, section: str = "body") \
        -> tuple[list[Attribution], list[tuple[Attribution, dict[str, Any]]]]:
    """(the attributions kept, every candidate scored with its features). Candidates with a
    cue are scored first; quotations then merge into the kept cue's claim (mixed, or widening
    it) or become direct claims of their own, scored in turn."""
    quotes = quote_spans(text)
    quoted = _quoted_tokens(doc, quotes)
    spans = learned_spans(doc)
    scored = _score(doc, text, model, cue_candidates(doc, text, model, section, quotes), quoted,
                    spans)
    by_cue: dict[tuple[int, int], Attribution] = {}
    for att, _ in sorted(scored, key=lambda af: -af[0].score):
        if att.score >= model.threshold and att.cue not in by_cue:
            # the source's span is found for kept candidates only (it costs a subtree walk)
            by_cue[att.cue] = att if att.source is not None else replace(
                att, source=_source_chars(att.source_head))
    direct: list[tuple[Attribution, Candidate]] = []
    for dq in direct_quotations(doc, model.quote_lemmas, outermost=False, text=text):
        if dq.is_scare_quote:
            continue
        q = dq.quote
        qspan = (q.mark_start, q.mark_end)
        qtok = doc.char_span(q.mark_start, q.mark_end, alignment_mode="expand")
        if qtok is None:
            continue
        if dq.speaker is None or dq.speaker_head is None:
            words = len(re.findall(r"\w+", text[q.start:q.end]))
            if words >= UNATTRIBUTED_MIN_WORDS and not any(
                    a.content[0] <= q.start and q.end <= a.content[1] for a in by_cue.values()):
                # a quotation nobody is named for is still an attribution (source unknown)
                direct.append((Attribution(qspan, None, None, (q.start, q.start), "say",
                                           "direct", 0.0, None, "assert"),
                               Candidate(None, None, qtok.start, qtok.end, "quote-nosource",
                                         "direct", section)))
            continue
        cue = (dq.cue.start_char, dq.cue.end_char) if dq.cue is not None else (q.start, q.start)
        own = by_cue.get(cue) if not dq.inherited else None
        if own is not None:
            by_cue[cue] = _merged(own, qspan, cue, text, q.mark_end - q.mark_start)
            continue
        host = next((k for k, a in by_cue.items() if a.content[0] <= q.start and
                     q.end <= a.content[1]), None)
        if host is not None and not dq.inherited:
            # the quotation sits inside another cue's reported clause: one mixed claim
            if by_cue[host].kind == "indirect":
                by_cue[host] = replace(by_cue[host], kind="mixed")
            continue
        sp = dq.speaker
        cue_tok = dq.cue[0] if dq.cue is not None else None
        lemma = dq.cue_lemma or "say"
        direct.append((Attribution(qspan, dq.speaker_head, (sp.start_char, sp.end_char), cue,
                                   lemma, "direct", 0.0, cue_tok, _cue_stance(cue_tok, lemma)),
                       Candidate(cue_tok, dq.speaker_head, qtok.start, qtok.end,
                                 "quote-inherited" if dq.inherited else "quote", "direct",
                                 section)))
    scored_direct = _score(doc, text, model, direct, quoted, spans)
    kept_direct = _merge_fragments([a for a, _ in scored_direct if a.score >= model.threshold],
                                   text)
    scored_spans = _score(doc, text, model, span_candidates(
        doc, text, spans, [a.content for a, _ in scored + scored_direct], section), quoted,
        spans)
    out = [with_learned_source(doc, snapped(a, spans["CONTENT"]), spans["SOURCE"])
           for a in [*by_cue.values(), *kept_direct]] + [
        a for a, _ in scored_spans if a.score >= model.threshold]
    # one claim per content: drop an attribution whose content lies inside a longer one's
    # content when its cue does too (nested attributions are flattened in PolNeAR)
    out.sort(key=lambda a: (a.content[0], -a.content[1]))
    kept: list[Attribution] = []
    for a in out:
        if any(b.content[0] <= a.cue[0] < b.content[1] and b.content[0] <= a.content[0] and
               a.content[1] <= b.content[1] and b.score >= a.score + NESTED_MARGIN for b in kept):
            continue
        kept.append(a)
    return kept, scored + scored_direct + scored_spans


LearnedSpans = dict[str, list[tuple[int, int]]]


def learned_spans(doc: Doc) -> LearnedSpans:
    """Character spans per label (SOURCE, CUE, CONTENT) that the learned span model
    (``models/attribution_spans``, run by the pipeline's annotator) put in
    ``doc.spans[LEARNED_SPANS]``; empty when the Doc was made without it."""
    out: LearnedSpans = {"SOURCE": [], "CUE": [], "CONTENT": []}
    if LEARNED_SPANS in doc.spans:
        for span in doc.spans[LEARNED_SPANS]:
            if span.label_ in out:
                out[span.label_].append((span.start_char, span.end_char))
    return out


def _agreement(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Overlap / union of two character spans."""
    return _overlap(a, b) / (max(a[1], b[1]) - min(a[0], b[0]))


def span_agreement(att: Attribution, spans: LearnedSpans) -> dict[str, float]:
    """How the learned spans see a candidate, as features of the gate: its cue inside a learned
    cue, the best overlap / union of its content with a learned content, its source inside a
    learned source (-1: the candidate has no source)."""
    cue = float(any(s <= att.cue[0] < e for s, e in spans["CUE"]))
    content = max((_agreement(att.content, c) for c in spans["CONTENT"]), default=0.0)
    head = att.source_head
    source = -1.0 if head is None else float(any(s <= head.idx < e for s, e in spans["SOURCE"]))
    return {"span_cue": cue, "span_content": content, "span_source": source}


def with_learned_source(doc: Doc, att: Attribution, sources: Sequence[tuple[int, int]]) \
        -> Attribution:
    """A claim the rules found no source for takes the learned source nearest its cue (a
    speaker the parse did not attach: "The ad, released Monday, claims ...")."""
    if att.source_head is not None or att.cue[1] <= att.cue[0]:
        return att
    src = _nearest(doc, att.cue, [s for s in sources if not _overlap(s, att.content)],
                   SPAN_MAX_GAP)
    span = doc.char_span(*src, alignment_mode="expand") if src else None
    return replace(att, source=src, source_head=span.root) if span is not None else att


def snapped(att: Attribution, contents: Sequence[tuple[int, int]]) -> Attribution:
    """The attribution with the learned content span as its content when the two mostly agree
    (the rules find the clause, the model knows where PolNeAR's content starts and ends); a
    span holding the cue itself is not this cue's content."""
    best = max(contents, key=lambda c: _overlap(att.content, c), default=None)
    if best is None or best[0] <= att.cue[0] < best[1] or \
            _agreement(att.content, best) < SNAP_MIN_AGREEMENT:
        return att
    return replace(att, content=best)


def _nearest(doc: Doc, target: tuple[int, int], spans: Sequence[tuple[int, int]],
             max_gap: int) -> tuple[int, int] | None:
    """The span closest to ``target`` (in tokens between them, same paragraph), if any is
    within ``max_gap`` tokens."""
    best, gap_best = None, max_gap + 1
    for s in spans:
        if _overlap(s, target):
            continue
        lo, hi = (s[1], target[0]) if s[1] <= target[0] else (target[1], s[0])
        between = doc.char_span(lo, hi, alignment_mode="expand") if hi > lo else None
        gap = len(between) if between is not None else 0
        if gap < gap_best and "\n" not in doc.text[lo:hi]:
            best, gap_best = s, gap
    return best


def span_candidates(doc: Doc, text: str, spans: LearnedSpans,
                    taken: Sequence[tuple[int, int]], section: str) \
        -> list[tuple[Attribution, Candidate]]:
    """Attributions the rules did not propose: a learned content span that no candidate's
    content overlaps, with the learned cue nearest to it and the source nearest that cue."""
    out = []
    for content in spans["CONTENT"]:
        if any(_overlap(content, t) for t in taken):
            continue
        cue = _nearest(doc, content, spans["CUE"], SPAN_MAX_GAP)
        ctok = doc.char_span(*content, alignment_mode="expand")
        cue_span = doc.char_span(*cue, alignment_mode="expand") if cue else None
        if cue is None or ctok is None or cue_span is None:
            continue
        src = _nearest(doc, cue, spans["SOURCE"], SPAN_MAX_GAP)
        src_span = doc.char_span(*src, alignment_mode="expand") if src else None
        head = src_span.root if src_span is not None else None
        cue_tok = cue_span.root
        lemma = cue_tok.lemma_.lower()
        kind = "direct" if text[content[0]] in QUOTE_MARKS else "indirect"
        out.append((Attribution(content, head, src, cue, lemma, kind, 0.0, cue_tok,
                                _cue_stance(cue_tok, lemma)),
                    Candidate(cue_tok, head, ctok.start, ctok.end, "span", kind, section)))
    return out


def _merged(own: Attribution, qspan: tuple[int, int], cue: tuple[int, int], text: str,
            qlen: int) -> Attribution:
    """A cue's claim with its quotation: widened to hold it, direct when the quote fills the
    reported clause, mixed when it only partly does ("called it “a smear”")."""
    lo, hi = min(own.content[0], qspan[0]), max(own.content[1], qspan[1])
    inner = text[own.content[0]:own.content[1]]
    kind = "direct" if (own.kind == "direct" or _overlap(own.content, qspan) == 0 or
                        len(inner) <= qlen + 2) else "mixed"
    if own.kind == "direct" and own.content[1] < qspan[0]:
        kind = "direct"
    if cue[0] < lo or cue[0] >= hi or own.kind == "direct":
        return replace(own, content=(lo, hi), kind=kind)
    # the cue's clause wraps around the cue ("“...,” Trump said in February of ..."): the
    # quotation is the content
    return replace(own, content=qspan, kind="direct")


def attributions(doc: Doc, model: AttributionModel, text: str | None = None,
                 section: str = "body") -> list[Attribution]:
    """The attributions the gate keeps in a section's Doc, one per cue (``text`` is
    ``doc.text`` when the caller has it: ``Section.text``)."""
    return scored_candidates(doc, doc.text if text is None else text, model, section)[0]


def _merge_fragments(direct: list[Attribution], text: str) -> list[Attribution]:
    """One claim per quotation: fragments of one speaker's quotation in one paragraph, cut by
    the attribution ("“A,” he said, “B.”"), become one claim spanning them (PolNeAR joins the
    fragments into one content)."""
    out: list[Attribution] = []
    for a in sorted(direct, key=lambda a: a.content[0]):
        prev = out[-1] if out else None
        if prev is not None and prev.source is not None and prev.source == a.source and \
                prev.cue == a.cue and prev.content[1] <= a.cue[0] < a.content[0] and \
                "\n" not in text[prev.content[1]:a.content[0]]:
            out[-1] = replace(prev, content=(prev.content[0], max(prev.content[1],
                                                                   a.content[1])),
                              score=max(prev.score, a.score))
            continue
        out.append(a)
    return out


def is_hedged(doc: Doc, content: tuple[int, int]) -> bool:
    """A hedge scopes over the content: "may", "might", "could" on the content's own verb (not
    negated: "could not contain his joy" is not a guess), or a hedging adverb or adjective
    ("likely", "perhaps") on it; a hedge inside a clause nested deeper does not count."""
    span = doc.char_span(content[0], content[1], alignment_mode="expand")
    if span is None or not len(span):
        return False
    inside = range(span.start, span.end)
    roots = [t for t in span if t.head.i not in inside or t.head.i == t.i]
    for root in roots:
        for t in [root, *root.children]:
            if t.i not in inside:
                continue
            low = t.lower_
            if low in HEDGE_MODALS and t.text != "May" and not any(
                    c.dep_ == "neg" for c in t.head.children) and t.i != root.i:
                return True
            if low in HEDGE_WORDS:
                return True
            # "X is likely to ...", "it is possible that ..."
            if t.dep_ == "acomp" and low in HEDGE_WORDS:
                return True
    return False


def claim_records(article_id: str, sections: Sequence[Section], entities: Sequence[Any],
                  model: AttributionModel,
                  people: Mapping[tuple[str, str | None, int], Any] | None = None) -> list[dict]:
    """Rows of the CLAIMS table (without source_uri, content_sha256, published_month);
    ``people``: who each pronoun and description is (``transforms.coref.resolved_people``),
    the same the quotes table reads, so the two never disagree about a mention."""
    resolver = SpeakerResolver(entities, people=people or {})
    rows = []
    for section in sections:
        doc = section.doc
        text = section.text
        atts = sorted(attributions(doc, model, text, section.name),
                      key=lambda a: (a.source or a.cue)[0])
        for att in atts:
            s, e = _without_dateline(text, att.content)
            content = text[s:e]
            sp = None
            if att.source_head is not None:
                sp = resolver.resolve(section.name, section.caption_id, att.source_head)
                resolver.remember(section.name, s, sp)
            src = att.source
            rows.append({
                "claim_id": stable_id("claim", article_id, section.name, section.caption_id,
                                      s, e),
                "article_id": article_id,
                "section": section.name,
                "caption_id": section.caption_id,
                "start_char": s,
                "end_char": e,
                "content_text": content,
                "source_text": text[src[0]:src[1]] if src else None,
                "source_start": src[0] if src else None,
                "source_end": src[1] if src else None,
                "source_name": sp.name if sp else None,
                "source_entity_id": sp.entity_id if sp else None,
                "source_entity_ids": list(sp.entity_ids) if sp else [],
                "source_role": sp.role if sp else None,
                "cue_text": text[att.cue[0]:att.cue[1]] or None,
                "cue_start": att.cue[0] if att.cue[1] > att.cue[0] else None,
                "cue_end": att.cue[1] if att.cue[1] > att.cue[0] else None,
                "cue_lemma": att.cue_lemma,
                "kind": att.kind,
                "stance": att.stance,
                "is_hedged": is_hedged(doc, (s, e)),
                "confidence": round(model.confidence(att.score), 3),
            })
    # one row per claim id (two cues cannot own the same content span)
    seen: set[str] = set()
    unique = []
    for r in rows:
        if str(r["claim_id"]) not in seen:
            seen.add(str(r["claim_id"]))
            unique.append(r)
    return unique


def _without_dateline(text: str, content: tuple[int, int]) -> tuple[int, int]:
    """A content that opens its paragraph with a wire dateline ("ANKARA, Feb 6 (AP) — ")
    starts after it: the dateline says where the story was filed, not what was said."""
    s, e = content
    if s == 0 or text[s - 1] == "\n":
        m = _DATELINE.match(text, s)
        if m and m.end() < e:
            return m.end(), e
    return s, e
