"""The learned attribution decision, handed to the extractors as a value.

:class:`AttributionModel` holds what was learned from PolNeAR TRAIN (``models/attribution/``,
rebuilt by ``models/train_attribution.py``): the cue lexicon (per key, times a cue and times
seen), a gradient-boosted tree model that scores a candidate attribution from the features of
:func:`candidate_features`, the keep threshold, and the isotonic map from score to the
probability that a row is right (matches gold with the right source). Loading it from disk is
the flows layer's job (``flows.adapters.nlp.attribution_model``); nothing here opens a file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from spacy.tokens import Doc, Token


# verbs that introduce speech: a quotation is tied to its speaker through one of these, and a
# speech verb is always a candidate cue whatever its count in the lexicon
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPEECH_LEMMAS = _words("""
    say tell add write ask note explain continue recall argue claim insist declare state
    announce respond reply tweet post warn joke quip acknowledge admit conclude describe call
    suggest predict complain boast told testify remark observe comment concede confirm deny
    repeat reiterate urge vow promise pledge scream shout yell exclaim mutter whisper answer
    caution emphasize stress point lament report read proclaim recount muse wonder query
    chime counter retort speak
""")
MIN_SEEN = 3
PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "who", "you", "this", "that"})
MODALS = frozenset({"may", "might", "could", "would", "will", "can", "should", "must"})
QUOTE_CHARS = frozenset("\u201c\u201d\"")
FUNCTION_FIRST = frozenset({"that", "to", "if", "whether", "\u201c", '"', "the", "a", "he",
                            "she", "they", "it", "we", "i", "for", "of", "about", "what", "how"})

# the features, in the model's column order: categorical ones first
CATEGORICAL = ("key", "pos", "dep", "tag", "head_dep", "head_pos", "subj_kind", "subj_dep",
               "rule", "kind", "first", "last_pos", "section", "prev_word", "next_word",
               "head_key")
NUMERIC = ("prior", "log_seen", "log_cue", "n_tokens", "n_chars", "quote_share", "neg",
           "passive", "infinitive", "modal", "cue_pos_in_sent", "sent_len", "src_side",
           "src_dist", "content_before", "cue_gap", "content_verbs", "in_quote", "cands_in_sent",
           "subj_is_entity", "paragraph_index", "token_index", "has_ccomp", "content_sents",
           "question", "src_prior", "src_word_prior", "head_prior", "nested_in", "contains",
           "same_content", "span_cue", "span_content", "span_source")


class Scorer(Protocol):
    """A fitted model: rows of features in, one probability per row out (lightgbm.Booster)."""

    def predict(self, data: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class AttributionModel:
    """What the extractors learned from TRAIN; see ``models/README.md``."""

    cue_counts: Mapping[str, tuple[int, int]]
    categories: Mapping[str, Sequence[str]] = field(default_factory=dict)
    gate: Scorer | None = None  # None: the lexicon prior stands in (while training the gate)
    threshold: float = 0.5
    calibration: tuple[Sequence[float], Sequence[float]] = ((0.0, 1.0), (0.0, 1.0))
    quote_rates: Mapping[str, float] = field(default_factory=dict)
    # per word (lower case): [times inside a gold source, times seen as a noun or pronoun]
    source_counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def source_prior(self, tok: Token | None) -> float:
        """How often this word named a source in TRAIN (-1: no source, or a word too rare)."""
        if tok is None:
            return -1.0
        hit, seen = self.source_counts.get(tok.lower_, (0, 0))
        return hit / seen if seen else -1.0

    def prior(self, key: str) -> float:
        """How often a token with this lexicon key was a cue in TRAIN (speech verbs >= 0.5)."""
        cue, seen = self.cue_counts.get(key, (0, 0))
        p = cue / seen if seen >= MIN_SEEN else 0.0
        return max(p, 0.5) if key in SPEECH_LEMMAS else p

    @cached_property
    def quote_lemmas(self) -> frozenset[str]:
        """Speech verbs and every verb that was a cue at least 40% of the time in TRAIN."""
        return SPEECH_LEMMAS | frozenset(k for k, (cue, seen) in self.cue_counts.items()
                                         if "/" not in k and seen >= 5 and cue / seen >= 0.4)

    def confidence(self, score: float) -> float:
        """The calibrated probability that a row with this gate score is right."""
        xs, ys = self.calibration
        if score <= xs[0]:
            return float(ys[0])
        for k in range(1, len(xs)):
            if score <= xs[k]:
                x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
                return float(y0 + (y1 - y0) * (score - x0) / (x1 - x0)) if x1 > x0 else float(y1)
        return float(ys[-1])

    def quote_confidence(self, key: Sequence[str]) -> float:
        """Share of TRAIN quotes of this kind whose speaker was right, backing off to the
        coarser kind (key prefix) when the fine one was rare."""
        for n in range(len(key), -1, -1):
            rate = self.quote_rates.get("|".join(key[:n]))
            if rate is not None:
                return rate
        return 0.5


def noun_lemma(tok: Token, counts: Mapping[str, Any]) -> str:
    """A noun's lemma. The pipeline's annotator (``flows.adapters.nlp.FastAnnotator``) lemmatises
    verbs only and leaves other tokens in lower case, so a plural noun ("comments") is mapped
    to the singular the lexicon knows ("comment") by stripping its ending."""
    lemma = tok.lemma_.lower()
    if tok.tag_ != "NNS" or lemma != tok.lower_:
        return lemma
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if lemma.endswith(cut) and lemma[:-len(cut)] + add + "/NOUN" in counts:
            return lemma[:-len(cut)] + add
    return lemma


def cue_key(tok: Token, counts: Mapping[str, Any]) -> str:
    """The lexicon key of a token: verb lemma, or lemma/NOUN, lemma/ADJ."""
    if tok.pos_ == "VERB":
        return tok.lemma_.lower()
    if tok.pos_ == "NOUN":
        return noun_lemma(tok, counts) + "/NOUN"
    return f"{tok.lemma_.lower()}/{tok.pos_}"


def subject_kind(subj: Token | None) -> str:
    if subj is None:
        return "none"
    if subj.lower_ in PRONOUNS:
        return "pron-" + subj.lower_
    return subj.ent_type_ or subj.pos_


@dataclass(frozen=True)
class Candidate:
    """What the features of a candidate attribution are read from."""

    cue: Token | None  # the cue's head token (None: a quotation without a cue)
    source: Token | None
    lo: int  # content token range [lo, hi)
    hi: int
    rule: str  # how the content was found
    kind: str  # direct | indirect | mixed
    section: str = "body"


def candidate_features(doc: Doc, text: str, cand: Candidate, model: AttributionModel,
                       quoted: Sequence[bool], cues_per_sent: Mapping[int, int],
                       among: Mapping[str, float]) -> dict[str, Any]:
    """The features of one candidate (``quoted[i]``: token i is inside quotation marks;
    ``cues_per_sent``: candidates per sentence start; ``among``: how it sits among the other
    candidates of its section: nested_in, contains, same_content)."""
    cue, subj = cand.cue, cand.source
    lo, hi = cand.lo, max(cand.hi, cand.lo + 1)
    content = doc[lo:hi]
    anchor = cue if cue is not None else doc[lo]
    sent = anchor.sent
    key = cue_key(cue, model.cue_counts) if cue is not None else "~" + cand.rule
    n_cue, seen = model.cue_counts.get(key, (0, 0))
    head = cue.head if cue is not None else anchor
    words = [t for t in content if not t.is_punct and not t.is_space]
    first = content[0]
    kids = list(cue.children) if cue is not None else []
    src_side = 0 if subj is None or cue is None else (1 if subj.i < cue.i else -1)
    head_key = cue_key(head, model.cue_counts) if cue is not None and head.i != cue.i else "-"
    return {
        **among,
        "prev_word": doc[anchor.i - 1].lower_ if anchor.i > 0 else "-",
        "next_word": doc[anchor.i + 1].lower_ if anchor.i + 1 < len(doc) else "-",
        "head_key": head_key,
        "head_prior": model.prior(head_key) if head_key != "-" else -1.0,
        "key": key if n_cue >= 10 else "~rare",
        "pos": cue.pos_ if cue is not None else "-",
        "dep": cue.dep_ if cue is not None else "-",
        "tag": cue.tag_ if cue is not None else "-",
        "head_dep": head.dep_, "head_pos": head.pos_,
        "subj_kind": subject_kind(subj),
        "subj_dep": subj.dep_ if subj is not None else "-",
        "rule": cand.rule, "kind": cand.kind,
        "first": first.lower_ if first.lower_ in FUNCTION_FIRST else first.pos_,
        "last_pos": content[-1].pos_,
        "section": cand.section,
        "prior": model.prior(key) if cue is not None else 0.0,
        "log_seen": math.log1p(seen), "log_cue": math.log1p(n_cue),
        "n_tokens": len(words), "n_chars": content.end_char - content.start_char,
        "quote_share": sum(quoted[t.i] for t in content) / len(content),
        "neg": float(any(c.dep_ == "neg" for c in kids)),
        "passive": float(any(c.dep_ == "auxpass" for c in kids)),
        "infinitive": float(cue is not None and cue.i > 0 and doc[cue.i - 1].lower_ == "to"),
        "modal": float(any(c.lower_ in MODALS for c in kids)),
        "cue_pos_in_sent": (anchor.i - sent.start) / max(1, len(sent)),
        "sent_len": len(sent),
        "src_side": src_side,
        "src_dist": abs(subj.i - cue.i) if subj is not None and cue is not None else -1,
        "content_before": float(cue is not None and hi <= cue.i),
        "cue_gap": (lo - cue.i if lo > cue.i else cue.i - hi) if cue is not None else -1,
        "content_verbs": sum(1 for t in content if t.pos_ in ("VERB", "AUX")),
        "in_quote": float(cue is not None and quoted[cue.i]),
        "cands_in_sent": cues_per_sent.get(sent.start, 0),
        "subj_is_entity": float(subj is not None and bool(subj.ent_type_)),
        "paragraph_index": min(99, text.count("\n", 0, anchor.idx)),
        "token_index": min(99, anchor.i // 25),
        "has_ccomp": float(any(c.dep_ == "ccomp" for c in kids)),
        "content_sents": len({t.sent.start for t in (content[0], content[-1])}),
        "question": float(sent[-1].text == "?" if len(sent) else False),
        "src_prior": model.source_prior(subj),
        # the noun a pronoun or determiner phrase ends in ("the video", "streets")
        "src_word_prior": max((model.source_prior(t) for t in subj.subtree
                               if t.pos_ in ("NOUN", "PROPN")), default=-1.0)
        if subj is not None else -1.0,
    }


def feature_matrix(rows: Sequence[Mapping[str, Any]], model: AttributionModel) -> list[list[float]]:
    """Feature dicts -> model rows: categorical values as their code in ``model.categories``
    (unknown values as NaN, which the trees send the missing-value way), then the numbers."""
    codes = {name: {v: i for i, v in enumerate(model.categories.get(name, ()))}
             for name in CATEGORICAL}
    return [[float(codes[n].get(r[n], math.nan)) for n in CATEGORICAL] +
            [float(r[n]) for n in NUMERIC] for r in rows]


def gate_scores(rows: Sequence[Mapping[str, Any]], model: AttributionModel) -> list[float]:
    """The gate's probability that each candidate is an attribution; the lexicon prior when
    no gate is loaded (how the first training pass proposes candidates)."""
    if not rows:
        return []
    if model.gate is None:
        return [float(r["prior"]) if r["prior"] else 0.5 for r in rows]
    import numpy as np

    # one thread: on a few dozen rows, starting a thread pool costs ten times the prediction
    return [float(p) for p in model.gate.predict(np.array(feature_matrix(rows, model)),
                                                 num_threads=1)]
