"""Attribution relations (direct and indirect) -> claims with source, cue, stance.

Pure extractors in textacy's ``extract/triples.py`` style, Doc in, named records out:

* :func:`verb_attributions` -- a cue verb (lexicon learned from PolNeAR TRAIN cues,
  ``transforms/cue_lexicon.py``) with its source (nsubj, passive agent, governing subject) and its
  content (ccomp/xcomp/dobj subtree; for an inverted or parenthetical cue -- "..., X said." or
  "In return, analysts say, Russia may ..." -- the governing clause without the cue clause);
* :func:`according_to_attributions` -- "according to X, ...";
* quotations with a speaker (``transforms.quotes``) become direct claims, or widen the content
  of their cue's claim (mixed) when the quote sits inside a reported clause;

then :func:`claim_records` resolves sources and emits rows of the CLAIMS schema.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc, Token

from transforms.cue_lexicon import CUE_COUNTS
from transforms.cue_model import CUE_THRESHOLD, CUE_WEIGHTS
from transforms.quotes import (
    SPEECH_LEMMAS,
    according_to,
    direct_quotations,
    quote_spans,
    subject_of,
)
from transforms.schemas import STANCES, stable_id
from transforms.sections import Section
from transforms.speakers import SpeakerResolver, paragraph_bounds, source_span

# a verb is taken as a cue when, in TRAIN, its lemma was a cue at least this often (and seen
# at least MIN_SEEN times), or when it is a speech verb
MIN_PRIOR = 0.25
MIN_SEEN = 3
NESTED_MARGIN = -0.2  # a nested attribution goes unless clearly more reliable (tuned on TRAIN)
DOBJ_PREPS = ("of", "for", "about", "over", "as", "on", "that", "to", "with")
EXTEND_ALL_PREPS = False
MERGE_FRAGMENTS = True  # "“A,” he said, “B.”" is one claim
DOBJ_WITH_XCOMP = True  # "urged voters to ...": content = "voters to ..."
CANDIDATE_MIN_PRIOR = 0.02  # with the learned gate: candidates it scores
USE_MODEL = True
NOMINAL_CUES = True  # nouns and adjectives as cues too ("criticism of", "critical of")
NOMINAL_MIN_PRIOR = 0.1
NOMINAL_PREPS = ("of", "for", "about", "on", "against", "to", "over", "with", "that")
UNATTRIBUTED_MIN_WORDS = 4  # a quotation this long with no speaker is a claim of unknown source
RELATIVE_ANTECEDENT = False  # PolNeAR marks "who"/"which" itself as the source
NOSRC_MIN_PRIOR = 0.6  # a cue without a source must be at least this reliable
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "oprd", "attr", "csubj")
SKIP_LEMMAS = frozenset({"accord", "be", "have", "do", "get", "make", "go", "take", "come",
                         "give", "use"})

STANCE_OF: dict[str, str] = {}
for _stance_name, _lemmas in {
    "deny": "deny reject dismiss refute dispute disavow rebut contradict denounce",
    "accuse": "accuse blame criticize criticise attack charge condemn slam allege blast fault "
              "accuse lambaste mock ridicule decry",
    "predict": "predict expect forecast warn project anticipate estimate foresee",
    "believe": "believe think feel consider suspect know see fear worry doubt assume guess "
               "reckon understand seem appear find realize recognize",
    "want": "want hope wish plan seek intend urge call demand push vow promise pledge aim "
            "propose need prefer refuse try",
    "question": "ask question wonder query inquire challenge",
    "assert": "say tell add note write state announce claim insist argue explain declare report "
              "confirm acknowledge admit reveal tweet describe suggest stress emphasize recall "
              "conclude respond reply according show indicate testify maintain point post",
}.items():
    for _w in _lemmas.split():
        STANCE_OF.setdefault(_w, _stance_name)
assert set(STANCE_OF.values()) <= set(STANCES)

HEDGES = frozenset({
    "may", "might", "could", "likely", "unlikely", "possibly", "perhaps", "probably", "maybe",
    "potentially", "reportedly", "allegedly", "apparently", "seemingly", "possible",
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
    prior: float  # how reliable the cue is


def noun_lemma(tok: Token) -> str:
    """A noun's lemma. The pipeline's annotator (``flows.nlp.FastAnnotator``) lemmatises
    verbs only and leaves other tokens in lower case, so a plural noun ("comments") is mapped
    to the singular the lexicon knows ("comment") by stripping its ending."""
    lemma = tok.lemma_.lower()
    if tok.tag_ != "NNS" or lemma != tok.lower_:
        return lemma
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if lemma.endswith(cut) and lemma[:-len(cut)] + add + "/NOUN" in CUE_COUNTS:
            return lemma[:-len(cut)] + add
    return lemma


def cue_key(tok: Token) -> str:
    """The lexicon key of a token: verb lemma, or lemma/NOUN, lemma/ADJ."""
    if tok.pos_ == "VERB":
        return tok.lemma_.lower()
    if tok.pos_ == "NOUN":
        return noun_lemma(tok) + "/NOUN"
    return f"{tok.lemma_.lower()}/{tok.pos_}"


def prior_of(lemma: str) -> float:
    cue, seen = CUE_COUNTS.get(lemma, (0, 0))
    p = cue / seen if seen >= MIN_SEEN else 0.0
    if lemma in SPEECH_LEMMAS:
        p = max(p, 0.5)
    return p


def is_cue(tok: Token) -> bool:
    lemma = tok.lemma_.lower()
    return tok.pos_ == "VERB" and lemma not in SKIP_LEMMAS and prior_of(lemma) >= MIN_PRIOR


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


def _content_for(verb: Token, subj: Token | None) -> tuple[int, int] | None:
    """Token range of what the cue verb attributes."""
    found = content_of(verb, subj)
    return found[:2] if found is not None else None


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
        k.dep_ == "ccomp" or k.dep_ == "xcomp" and not DOBJ_WITH_XCOMP for k in verb.children)]
    if comps:
        if all(c.dep_ == "dobj" for c in comps):
            # "accuse North Korea of circumventing ...", "blamed Clinton for ..."
            last = max(c.i for c in comps)
            comps += [c for c in kids if c.dep_ == "prep" and c.i > last and (
                c.lower_ in DOBJ_PREPS or EXTEND_ALL_PREPS and not any(
                    t.ent_type_ in ("DATE", "TIME") for t in c.subtree))]
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


def _bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-7" if n <= 7 else "8-15" if n <= 15 \
        else "16+"


def features(verb: Token, subj: Token | None, lo: int, hi: int, rule: str) -> dict[str, float]:
    """Sparse features of a candidate (cue verb, source, content) for the learned gate."""
    lemma = cue_key(verb)
    prior = prior_of(lemma)
    known = CUE_COUNTS.get(lemma, (0, 0))[0] >= 10
    subj_kind = "none" if subj is None else (subj.ent_type_ or subj.pos_)
    if subj is not None and subj.lower_ in ("he", "she", "they", "i", "we", "it", "who"):
        subj_kind = "pron-" + subj.lower_
    first = verb.doc[lo]
    f = {
        "bias": 1.0, "prior": prior, "prior2": prior * prior,
        "lemma=" + (lemma if known else "~rare"): 1.0,
        "dep=" + verb.dep_: 1.0, "tag=" + verb.tag_: 1.0, "subj=" + subj_kind: 1.0,
        "pos=" + verb.pos_: 1.0, "pos+rule=" + verb.pos_ + "+" + rule: 1.0,
        "rule=" + rule: 1.0, "len=" + _bucket(hi - lo): 1.0,
        "lemma+rule=" + (lemma if known else "~rare") + "+" + rule: 1.0,
        "subj+rule=" + ("none" if subj is None else "some") + "+" + rule: 1.0,
        "first=" + (first.lower_ if first.lower_ in ("that", "to", "if", "whether", "“", '"')
                    else first.pos_): 1.0,
    }
    if any(c.dep_ == "neg" for c in verb.children):
        f["neg"] = 1.0
    if any(c.dep_ == "auxpass" for c in verb.children):
        f["passive"] = 1.0
    if verb.i > 0 and verb.doc[verb.i - 1].lower_ == "to":
        f["infinitive"] = 1.0
    return f


def gate(feats: dict[str, float]) -> float:
    """Probability that the candidate is an attribution (logistic model from TRAIN)."""
    z = sum(CUE_WEIGHTS.get(k, 0.0) * v for k, v in feats.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _cue_range(verb: Token) -> tuple[int, int]:
    lo, hi = verb.i, verb.i + 1
    for c in verb.children:
        if c.dep_ == "prt" and c.i == hi:
            hi += 1
    return lo, hi


def verb_candidates(doc: Doc, min_prior: float, text: str | None = None) \
        -> Iterator[tuple[Token, Token | None, int, int, str]]:
    """(verb, source head, content token range, rule) for every verb with a content whose
    lemma has at least ``min_prior``; verbs inside long quotations are skipped (an
    attribution nested in a quotation belongs to the quotation)."""
    text = doc.text if text is None else text
    quoted = [(q.mark_start, q.mark_end) for q in quote_spans(text)
              if q.end - q.start > 40]
    for verb in doc:
        if any(s <= verb.idx < e for s, e in quoted):
            continue
        if verb.pos_ == "VERB":
            lemma = verb.lemma_.lower()
            if lemma in SKIP_LEMMAS or prior_of(lemma) < min_prior:
                continue
            subj = subject_of(verb, antecedent=RELATIVE_ANTECEDENT)
            found = content_of(verb, subj)
        elif verb.pos_ in ("NOUN", "ADJ") and NOMINAL_CUES:
            if prior_of(cue_key(verb)) < max(min_prior, NOMINAL_MIN_PRIOR):
                continue
            subj = nominal_source(verb)
            found = nominal_content(verb)
        else:
            continue
        if found is not None:
            yield verb, subj, *found


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
                    s = subject_of(gov, antecedent=RELATIVE_ANTECEDENT)
                    if s is not None and s.i < gov.i:
                        return s
            return c
    if tok.dep_ in ("dobj", "attr", "acomp", "oprd", "nsubj") and head.pos_ in ("VERB", "AUX") \
            and head.i != tok.i:
        s = subject_of(head, antecedent=RELATIVE_ANTECEDENT)
        if s is not None and s.i != tok.i:
            return s
    # "Republicans are chiming in with criticism of ...": the subject of the verb the noun's
    # preposition hangs on
    if tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ == "VERB" and \
            head.head.i < tok.i:
        s = subject_of(head.head, antecedent=RELATIVE_ANTECEDENT)
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


def verb_attributions(doc: Doc, text: str | None = None) -> Iterator[Attribution]:
    """A claim per cue verb with a content, kept when the learned gate says so (or, without a
    model, when the lemma's prior and source rules do)."""
    use_model = bool(CUE_WEIGHTS) and USE_MODEL
    for verb, subj, lo, hi, rule in verb_candidates(doc, CANDIDATE_MIN_PRIOR if use_model
                                                    else MIN_PRIOR, text):
        lemma = cue_key(verb)
        if use_model:
            score = gate(features(verb, subj, lo, hi, rule))
            if score < CUE_THRESHOLD:
                continue
        else:
            if subj is None and prior_of(lemma) < NOSRC_MIN_PRIOR:
                continue
            score = prior_of(lemma)
        content = _span_chars(doc, lo, hi)
        if content is None:
            continue
        clo, chi = _cue_range(verb)
        cue = (doc[clo].idx, doc[chi - 1].idx + len(doc[chi - 1].text))
        source = None
        if subj is not None:
            sp = source_span(subj)
            source = (sp.start_char, sp.end_char)
        yield Attribution(content, subj, source, cue, verb.lemma_.lower(), "indirect", score)


def according_to_attributions(doc: Doc) -> Iterator[Attribution]:
    for acc, src in according_to(doc):
        prep = acc
        head = prep.head if prep.head.i != prep.i else None
        excl = {t.i for t in prep.subtree}
        if head is None:
            continue
        lo, hi = _subtree_range(head, excl)
        lo, hi = max(lo, acc.sent.start), min(hi, acc.sent.end)
        content = _span_chars(doc, lo, hi)
        if content is None:
            continue
        sp = source_span(src)
        cue = (acc.idx, doc[acc.i + 1].idx + len(doc[acc.i + 1].text))
        yield Attribution(content, src, (sp.start_char, sp.end_char), cue, "according to",
                          "indirect", 0.9)


_COLON_LEAD = re.compile(r"^([^:\n\u201c\"]{2,60}?):\s+(\S[^\n]*)$", re.M)


def colon_attributions(doc: Doc, text: str | None = None) -> Iterator[Attribution]:
    """Headline style "Trump: Cruz Has ‘To Come a Long Way’ On Ethanol": a short lead naming
    someone, a colon, then what they said (a paragraph of its own)."""
    text = doc.text if text is None else text
    for m in _COLON_LEAD.finditer(text):
        lead = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if lead is None or len(lead) > 6 or len(m.group(2).split()) < 3:
            continue
        if any(t.pos_ in ("VERB", "AUX") for t in lead) or \
                not any(t.pos_ in ("PROPN", "PRON") or t.ent_type_ in ("PERSON", "ORG", "NORP")
                        for t in lead):
            continue
        head = lead.root
        content = (m.start(2), m.end(2))
        yield Attribution(content, head, (m.start(1), m.end(1)), (m.end(1), m.end(1) + 1), ":",
                          "indirect", 0.6)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def attributions(doc: Doc, text: str | None = None) -> list[Attribution]:
    """All attributions in a section's Doc, one per cue, in text order (``text`` is
    ``doc.text`` when the caller has it: ``Section.text``)."""
    text = doc.text if text is None else text
    by_cue: dict[tuple[int, int], Attribution] = {}
    for att in [*verb_attributions(doc, text), *according_to_attributions(doc),
                *colon_attributions(doc, text)]:
        by_cue.setdefault(att.cue, att)
    direct: list[Attribution] = []
    unattributed: list[Attribution] = []
    for dq in direct_quotations(doc, outermost=False, text=text):
        if dq.is_scare_quote:
            continue
        q = dq.quote
        qspan = (q.mark_start, q.mark_end)
        if dq.speaker is None or dq.speaker_head is None:
            words = len(re.findall(r"\w+", text[q.start:q.end]))
            if UNATTRIBUTED_MIN_WORDS and words >= UNATTRIBUTED_MIN_WORDS and not any(
                    a.content[0] <= q.start and q.end <= a.content[1] for a in by_cue.values()):
                # a quotation nobody is named for is still an attribution (source unknown)
                unattributed.append(Attribution(qspan, None, None, (q.start, q.start), "say",
                                                "direct", 0.3))
            continue
        cue = (dq.cue.start_char, dq.cue.end_char) if dq.cue is not None else (q.start, q.start)
        own = by_cue.get(cue) if not dq.inherited else None
        if own is not None:
            lo, hi = min(own.content[0], qspan[0]), max(own.content[1], qspan[1])
            # a quote that only partly fills the reported clause makes it mixed
            inner = text[own.content[0]:own.content[1]]
            kind = "direct" if (own.kind == "direct" or _overlap(own.content, qspan) == 0 or
                                len(inner) <= (q.mark_end - q.mark_start) + 2) else "mixed"
            if own.kind == "direct" and own.content[1] < qspan[0]:
                kind = "direct"
            if cue[0] < lo or cue[0] >= hi or own.kind == "direct":
                by_cue[cue] = replace(own, content=(lo, hi), kind=kind)
            else:
                # the cue's clause wraps around the cue ("“...,” Trump said in February of
                # ..."): the quotation is the content
                by_cue[cue] = replace(own, content=qspan, kind="direct")
            continue
        host = next((k for k, a in by_cue.items() if a.content[0] <= q.start and
                     q.end <= a.content[1]), None)
        if host is not None and not dq.inherited:
            # the quotation sits inside another cue's reported clause: one mixed claim
            if by_cue[host].kind == "indirect":
                by_cue[host] = replace(by_cue[host], kind="mixed")
            continue
        sp = dq.speaker
        direct.append(Attribution(qspan, dq.speaker_head, (sp.start_char, sp.end_char),
                                  cue, dq.cue_lemma or "say", "direct", 0.6 if dq.inherited
                                  else 0.8))
    if MERGE_FRAGMENTS:
        direct = _merge_fragments(direct, text)
    out = list(by_cue.values()) + direct + unattributed
    # one claim per content: drop an attribution whose content lies inside a longer one's
    # content when its cue does too (nested attributions are flattened in PolNeAR)
    out.sort(key=lambda a: (a.content[0], -a.content[1]))
    kept: list[Attribution] = []
    for a in out:
        if any(b.content[0] <= a.cue[0] < b.content[1] and b.content[0] <= a.content[0] and
               a.content[1] <= b.content[1] and b.prior >= a.prior + NESTED_MARGIN for b in kept):
            continue
        kept.append(a)
    return kept


def _merge_fragments(direct: list[Attribution], text: str) -> list[Attribution]:
    """One claim per quotation: fragments of one speaker's quotation in one paragraph, cut by
    the attribution ("“A,” he said, “B.”"), become one claim spanning them (as the quotes
    table does; PolNeAR joins the fragments into one content)."""
    out: list[Attribution] = []
    for a in sorted(direct, key=lambda a: a.content[0]):
        prev = out[-1] if out else None
        if prev is not None and prev.source is not None and prev.source == a.source and \
                prev.cue == a.cue and prev.content[1] <= a.cue[0] < a.content[0] and \
                "\n" not in text[prev.content[1]:a.content[0]]:
            out[-1] = replace(prev, content=(prev.content[0], max(prev.content[1],
                                                                   a.content[1])))
            continue
        out.append(a)
    return out


def _stance(lemma: str) -> str:
    if lemma == "according to":
        return "assert"
    return STANCE_OF.get(lemma, "other")


def claim_records(article_id: str, sections: Sequence[Section],
                  entities: Sequence[Any]) -> list[dict]:
    """Rows of the CLAIMS table (without source_uri, content_sha256, published_month)."""
    resolver = SpeakerResolver(entities)
    rows = []
    for section in sections:
        doc = section.doc
        text = section.text
        atts = sorted(attributions(doc, text), key=lambda a: (a.source or a.cue)[0])
        for att in atts:
            s, e = att.content
            content = text[s:e]
            sp = None
            if att.source_head is not None:
                sp = resolver.resolve(section.name, section.caption_id, att.source_head)
                resolver.remember(section.name, s, sp)
            src = att.source
            # "May" capitalised is the month far more often than the modal
            words = {w.lower() for w in re.findall(r"\w+", content) if w != "May"}
            conf = att.prior * (0.6 + 0.4 * (sp.confidence if sp else 0.5))
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
                "source_role": sp.role if sp else None,
                "cue_text": text[att.cue[0]:att.cue[1]] or None,
                "cue_start": att.cue[0] if att.cue[1] > att.cue[0] else None,
                "cue_end": att.cue[1] if att.cue[1] > att.cue[0] else None,
                "cue_lemma": att.cue_lemma,
                "kind": att.kind,
                "stance": _stance(att.cue_lemma),
                "is_hedged": bool(words & HEDGES),
                "confidence": round(max(0.0, min(1.0, conf)), 3),
            })
    # one row per claim id (two cues cannot own the same content span)
    seen: set[str] = set()
    unique = []
    for r in rows:
        if str(r["claim_id"]) not in seen:
            seen.add(str(r["claim_id"]))
            unique.append(r)
    return unique
