"""Quotation marks -> quotes with speaker, cue and scare-quote flag.

Small pure extractors in the style of textacy's ``extract/triples.py``:

* :func:`quote_spans` scans a section's text for quotations (curly and straight, double and
  single) one paragraph at a time. It never refuses a document: an unclosed quotation is closed
  at the end of its paragraph, and a paragraph that reopens a quote without the previous one
  having been closed is flagged as a continuation (news convention for multi-paragraph quotes).
  Apostrophes (``Russia's``, ``don't``, ``'90s``, ``the Kims' rule``) are not quotation marks.
* :func:`direct_quotations` ties each quotation to a speaker and cue in its sentence (``“...,”
  he said``; ``X said: “...”``; ``X said Y “...”``), or, for a continuation paragraph or a
  stand-alone quoted paragraph, to the previous quote's speaker.
* :func:`quote_records` resolves speakers (``transforms.speakers``) and emits rows of the QUOTES
  schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from transforms.attribution import SPEECH_LEMMAS, AttributionModel, subject_kind
from transforms.schemas import stable_id
from transforms.sections import Section
from transforms.speakers import (
    Speaker,
    SpeakerResolver,
    paragraph_bounds,
    source_span,
)

OPENERS = {"\u201c": "\u201d", "\u2018": "\u2019", '"': '"', "'": "'", "\u00ab": "\u00bb"}
DOUBLE_OPEN = {"\u201c", '"', "\u00ab"}
# Copy edited by hand or pasted between systems mixes curly and straight double marks
# (“...," he said): the other form closes too, where it stands as a closing mark and no
# quotation opened inside with it is pending. Single marks stay strict: a straight single mark
# is an apostrophe as often as not (the players' union).
MIXED_CLOSERS = {"\u201c": '"', '"': "\u201d"}
_APOS_WORD = re.compile(r"'(?:\d0s|tis|twas|em|n|cause|til)\b", re.I)

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORK_NOUNS = _words("""
    film movie book novel song album show series play musical poem episode article column
    essay documentary podcast headline slogan titled title painting opera program programme
    memoir
""")
SENT_END = re.compile(r"[.!?…]['\"\u2019\u201d]*\s*$")


@dataclass(frozen=True)
class QuoteSpan:
    """A quotation in a section's text: ``[start, end)`` is the inside, marks excluded."""

    start: int
    end: int
    mark_start: int
    mark_end: int
    closed: bool = True
    continuation: bool = False  # reopens a quote left open in the previous paragraph

    def text(self, section_text: str) -> str:
        return section_text[self.start:self.end]


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _opens(text: str, i: int) -> bool:
    """A straight or left mark at ``i`` can open: not glued to a word before it, and followed
    by something to quote."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    return not _is_word(prev) and not nxt.isspace()


def _closes(text: str, i: int) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    return not prev.isspace() and not _is_word(nxt)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def quote_spans(text: str) -> list[QuoteSpan]:
    """Every quotation in ``text``, paragraph by paragraph, in order."""
    out: list[QuoteSpan] = []
    left_open = False
    for p0, p1 in _paragraphs(text):
        if p0 == p1 or not text[p0:p1].strip():
            continue
        first_nonspace = p0 + (len(text[p0:p1]) - len(text[p0:p1].lstrip()))
        i = p0
        open_at: int | None = None
        open_mark = ""
        nested = False  # a straight mark opened a quotation inside a curly one
        was_left_open = left_open
        left_open = False
        while i < p1:
            ch = text[i]
            if open_at is None:
                if ch in DOUBLE_OPEN and (ch != '"' or _opens(text, i)) or \
                        ch in ("\u2018", "'") and _opens(text, i) and \
                        not _APOS_WORD.match(text, i) and \
                        (ch == "\u2018" or "'" in text[i + 1:p1]):
                    open_at, open_mark = i, ch
            else:
                close = OPENERS[open_mark]
                mixed = ch == MIXED_CLOSERS.get(open_mark)
                if mixed and open_mark == "\u201c" and (nested or _opens(text, i)
                                                        and not _closes(text, i)):
                    nested = not nested
                elif ch == close and (open_mark in DOUBLE_OPEN or _closes(text, i)) or \
                        mixed and _closes(text, i):
                    nested = False
                    s, e = _trim(text, open_at + 1, i)
                    if e > s:
                        out.append(QuoteSpan(s, e, open_at, i + 1, True,
                                             was_left_open and open_at == first_nonspace))
                    open_at = None
                elif ch == "\u201c" and open_mark == "\u201c" and _closes(text, i) and \
                        not text[i - 1].isspace():
                    # a closing quote typed the wrong way round: “...,“ he said
                    s, e = _trim(text, open_at + 1, i)
                    if e > s:
                        out.append(QuoteSpan(s, e, open_at, i + 1, True,
                                             was_left_open and open_at == first_nonspace))
                    open_at = None
                elif ch == "\u201c" and open_mark == "\u201c":
                    # a new opening before the old one closed: close the old one here
                    s, e = _trim(text, open_at + 1, i)
                    if e > s:
                        out.append(QuoteSpan(s, e, open_at, i, False,
                                             was_left_open and open_at == first_nonspace))
                    open_at = i
            i += 1
        if open_at is not None and open_mark in DOUBLE_OPEN:
            s, e = _trim(text, open_at + 1, p1)
            if e > s:
                out.append(QuoteSpan(s, e, open_at, e, False,
                                     was_left_open and open_at == first_nonspace))
                left_open = True
        elif open_at is not None:
            # an unclosed single mark is an apostrophe after all; rescan after it
            pass
    return out


@dataclass(frozen=True)
class DirectQuotation:
    """A quotation tied (or not) to who says it."""

    quote: QuoteSpan
    speaker: Span | None  # the source as written
    speaker_head: Token | None
    cue: Span | None
    cue_lemma: str | None
    is_scare_quote: bool
    inherited: bool = False  # speaker taken from the previous quote
    found_by: str = "none"  # how the speaker was found: governing | near | trailing | previous


def _inside(tok: Token, quotes: Sequence[QuoteSpan]) -> bool:
    return any(q.mark_start <= tok.idx < q.mark_end for q in quotes)


def _in_paragraph(tok: Token, anchor: Token) -> Token | None:
    """``tok`` if it is in ``anchor``'s paragraph, else the top of its subtree's part that is
    (the parser sometimes hangs a subject across a paragraph break), else None."""
    p0, p1 = paragraph_bounds(anchor)
    if p0 <= tok.idx < p1:
        return tok
    inside = [t for t in tok.subtree if p0 <= t.idx < p1 and not t.is_space]
    tops = [t for t in inside if not (p0 <= t.head.idx < p1) or t.head.i == t.i]
    tops = [t for t in tops if t.pos_ in ("PROPN", "NOUN", "PRON")]
    return tops[-1] if tops else None


def subject_of(verb: Token, antecedent: bool = True) -> Token | None:
    """The source head of a cue verb: nsubj, the agent of a passive, or its governing verb's
    subject for an xcomp/conj ("went on to say", "smiled and said"); a relative pronoun stands
    for its antecedent ("the council, which said ...")."""
    s = _subject_of(verb)
    if s is None or not _same_paragraph(s, verb):
        s = _subject_across_break(verb) or s
    if antecedent and s is not None and s.lower_ in ("who", "which", "that") and \
            s.head.dep_ == "relcl" and \
            s.head.head.pos_ in ("NOUN", "PROPN"):
        s = s.head.head
    return _in_paragraph(s, verb) if s is not None else None


def _same_paragraph(a: Token, b: Token) -> bool:
    p0, p1 = paragraph_bounds(b)
    return p0 <= a.idx < p1


def _subject_across_break(verb: Token) -> Token | None:
    """When the parser hung the verb on a previous paragraph ("... Zika Virus\nChris Christie
    said he ..."), its subject is the noun phrase right before it in its own paragraph."""
    if _same_paragraph(verb.head, verb):  # a root verb included (measured on TRAIN)
        return None
    p0, _ = paragraph_bounds(verb)
    i = verb.i - 1
    doc = verb.doc
    while i >= 0 and doc[i].idx >= p0 and doc[i].pos_ in ("AUX", "PART", "ADV"):
        i -= 1  # "has also said"
    if i < 0 or doc[i].idx < p0 or doc[i].pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    return doc[i]


def _subject_of(verb: Token, depth: int = 0) -> Token | None:
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if len(subjects) > 1:
        # the parser sometimes hangs a second subject across a paragraph break ("12:15 p.m.
        # \n\nPresident Barack Obama says ..."): the one in the verb's paragraph is the source
        own = [c for c in subjects if _same_paragraph(c, verb)]
        return own[-1] if own else subjects[-1]
    if subjects:
        return subjects[0]
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    if depth > 2 or verb.head.i == verb.i:
        return None
    head = verb.head
    # "went on to say", "smiled and said", "..., saying that", "wrote, adding"
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        return _subject_of(head.head, depth + 1)  # "began by saying"
    if verb.dep_ in ("xcomp", "conj", "advcl") and head.pos_ in ("VERB", "AUX"):
        if verb.dep_ == "advcl" and verb.tag_ != "VBG" and not (
                verb.tag_ == "VBN" and any(c.lower_ == "having" for c in verb.children)):
            return None  # but "Having announced that ..., Judge Berman proceeded"
        return _subject_of(head, depth + 1)
    # "voters are more likely to say", "advisers are quick to point out", "is poised to"
    if verb.dep_ == "xcomp" and head.pos_ == "ADJ" and head.dep_ == "acomp" and \
            head.head.pos_ in ("VERB", "AUX"):
        return _subject_of(head.head, depth + 1)
    # "a group backing Huckabee", "Democrats calling for ..."
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and head.pos_ in ("NOUN", "PROPN", "PRON"):
        return head
    return None


def according_to(doc: Doc | Span) -> Iterator[tuple[Token, Token]]:
    """(``according``, source head) for each "according to X"."""
    for tok in doc:
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and \
                tok.doc[tok.i + 1].lower_ == "to":
            to = tok.doc[tok.i + 1]
            objs = [c for c in to.children if c.dep_ == "pobj"]
            if objs:
                yield tok, objs[0]


def _cue_for(sent: Span, quote: QuoteSpan, quotes: Sequence[QuoteSpan],
             lemmas: frozenset[str], outermost: bool = True) -> tuple[Token, Token] | None:
    """The speech verb outside quotation marks with a subject, in the sentence, that governs
    the quotation (the outermost one), else the nearest one."""
    cands = []
    inner = [t for t in sent if quote.start <= t.idx < quote.end]
    ancestors: set[Token] = set()
    for t in inner[:1] + inner[-1:]:
        ancestors.update(t.ancestors)
    for tok in sent:
        if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in lemmas or \
                _inside(tok, quotes):
            continue
        subj = subject_of(tok)
        if subj is None or _inside(subj, quotes):
            continue
        dist = quote.mark_start - tok.idx if tok.idx < quote.mark_start else \
            tok.idx - quote.mark_end
        if outermost and tok in ancestors:
            # the quote sits inside this verb's clause; the outermost such verb is the source's
            # ("He said the enemies are “laughing”", not a verb nested in between)
            dist = -1000 + sum(1 for _ in tok.ancestors)
        cands.append((dist, tok.i, tok, subj))
    for acc, src in according_to(sent):
        if not _inside(acc, quotes):
            dist = abs(acc.idx - quote.mark_end)
            cands.append((dist, acc.i, acc, src))
    if not cands:
        return None
    _, _, verb, subj = min(cands)
    return verb, subj


def sentences(doc: Doc) -> list[Span]:
    """The parser's sentences, also split at paragraph breaks (a sentence never spans two)."""
    out = []
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if "\n" in tok.text or "\n" in tok.whitespace_:
                end = tok.i if "\n" in tok.text else tok.i + 1
                if end > start:
                    out.append(doc[start:end])
                start = tok.i + 1
        if sent.end > start:
            out.append(doc[start:sent.end])
    return [s for s in out if s.text.strip()]


def _sentences_for(text: str, q: QuoteSpan, sents: Sequence[Span]) -> list[Span]:
    """Sentences touching the quote, plus the sentence right after it when the quote ends its
    sentence ("... ,” he said." split off by the parser) or before it when that one ends with
    ":"."""
    touching = [i for i, s in enumerate(sents) if s.start_char < q.mark_end and
                q.mark_start < s.end_char]
    if not touching:
        return []
    lo, hi = touching[0], touching[-1]
    out = [sents[i] for i in range(lo, hi + 1)]
    if hi + 1 < len(sents):
        nxt = sents[hi + 1]
        between = text[q.mark_end:nxt.start_char]
        if not between.strip() and "\n" not in between and len(nxt) <= 12:
            out.append(nxt)
    if lo > 0:
        prev = sents[lo - 1]
        gap = text[prev.end_char:q.mark_start]
        if prev.text.rstrip().endswith(":") and not gap.strip():
            out.insert(0, prev)
    return out


_AFTER_QUOTE = re.compile(r"^[,\s]*$")


def _trailing_cue(doc: Doc, text: str, q: QuoteSpan,
                  quotes: Sequence[QuoteSpan]) -> tuple[Token, Token] | None:
    """A quotation ending in a comma and followed, in its paragraph, by "X <verb>" or "<verb>
    X" with any verb outside the lexicon ("“Go back to Univision,” Trump barked.")."""
    if not text[q.start:q.end].rstrip().endswith((",", "?", "!")) and \
            not text[q.mark_end - 2:q.mark_end].startswith(","):
        return None
    after = doc.char_span(q.mark_end, min(len(text), q.mark_end + 60), alignment_mode="expand")
    if after is None:
        return None
    for tok in after[:6]:
        if "\n" in tok.text or _inside(tok, quotes):
            return None
        if tok.pos_ == "VERB" and tok.tag_ in ("VBD", "VBZ", "VBP", "VBN") and \
                tok.lemma_.lower() not in ("be", "have") and \
                not any(c.dep_ == "auxpass" for c in tok.children):
            subj = subject_of(tok)
            if subj is None and tok.dep_ == "acl" and tok.head.i == tok.i - 1 and \
                    tok.head.pos_ in ("PROPN", "PRON", "NOUN"):
                subj = tok.head  # "“...,” Trump barked at him." parsed as a modifier
            if subj is not None and not _inside(subj, quotes) and \
                    _AFTER_QUOTE.match(text[q.mark_end:subj.left_edge.idx if subj.i < tok.i
                                            else tok.idx]):
                return tok, subj
            return None
    return None


def _colon_lead(doc: Doc, text: str, q: QuoteSpan,
                quotes: Sequence[QuoteSpan]) -> tuple[Token, Token] | None:
    """A quotation introduced by a colon in its paragraph ("She addressed the supporters
    again: “...”", "Frank Newport and Jim Harter: “...”"): the subject of the last verb before
    the colon, else the noun phrase the colon follows."""
    before = text[:q.mark_start].rstrip()
    if not before.endswith(":") or "\n" in text[len(before):q.mark_start]:
        return None
    colon = doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
    if colon is None:
        return None
    p0 = text.rfind("\n", 0, colon.start_char) + 1
    lead = [t for t in doc[max(0, colon.start - 40):colon.start]
            if t.idx >= p0 and not _inside(t, quotes)]
    for tok in reversed(lead):
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() not in ("be", "have"):
            subj = subject_of(tok)
            if subj is not None and subj.idx >= p0 and not _inside(subj, quotes):
                return tok, subj
            break
    names = [t for t in lead if t.pos_ in ("PROPN", "NOUN", "PRON") and
             t.head.i not in {u.i for u in lead} | {t.i} or t.dep_ == "ROOT"]
    if len(lead) <= 8 and names and names[-1].pos_ in ("PROPN", "PRON"):
        return colon[0], names[-1]  # the colon is the cue
    return None


def _is_title_of_work(text: str, q: QuoteSpan) -> bool:
    before = text[max(0, q.mark_start - 30):q.mark_start].lower().split()
    return bool(before) and before[-1].strip(",:") in WORK_NOUNS


def _looks_scare(doc: Doc, text: str, q: QuoteSpan) -> bool:
    inner = doc.char_span(q.start, q.end, alignment_mode="expand")
    words = [t for t in inner if not t.is_punct] if inner is not None else []
    if len(words) > 4 or len(words) > 3 and SENT_END.search(text[q.start:q.end]):
        return False
    has_verb = any(t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "compound")
                   for t in words)
    return not has_verb or len(words) <= 2


def _governs(verb: Token, doc: Doc, q: QuoteSpan) -> bool:
    """The cue's clause holds the quotation: the cue is an ancestor of a quoted token."""
    inner = doc.char_span(q.start, q.end, alignment_mode="expand")
    return inner is not None and any(verb in t.ancestors for t in inner)


def direct_quotations(doc: Doc, lemmas: frozenset[str], outermost: bool = True,
                      text: str | None = None) -> Iterator[DirectQuotation]:
    """Each quotation in ``doc`` with its speaker span and cue (when the sentence gives them),
    ``lemmas`` being the verbs that may introduce a quotation. A short quoted phrase is a
    mixed quote of its speaker only when a speech verb's clause holds it ("called it “a
    smear”"); otherwise it is a scare quote. ``text`` is ``doc.text`` when the caller has it
    (``Section.text``)."""
    text = doc.text if text is None else text
    quotes = quote_spans(text)
    sents = sentences(doc)
    prev: DirectQuotation | None = None
    prev_para_end = -1
    for q in quotes:
        para_start = text.rfind("\n", 0, q.mark_start) + 1
        found = None
        for sent in _sentences_for(text, q, sents):
            hit = _cue_for(sent, q, quotes, lemmas, outermost)
            if hit is not None:
                found = hit
                break
        how = "near"
        if found is not None and _governs(found[0], doc, q):
            how = "governing"
        if found is None:
            found = _trailing_cue(doc, text, q, quotes)
            how = "trailing"
        if found is None:
            found = _colon_lead(doc, text, q, quotes)
            how = "colon"
        scare = False
        if found is None:
            # a whole sentence in quotes right after the speaker's quote goes on with it
            # ("“...,” said X, 42. “Nobody came.”"): never a scare quote
            scare = _is_title_of_work(text, q) or _looks_scare(doc, text, q) and not (
                SENT_END.search(text[q.start:q.end]) and prev is not None and
                prev_para_end >= para_start - 2 and q.mark_start <= prev_para_end)
        if found is not None:
            verb, subj = found
            cue = doc[verb.i:verb.i + 2] if verb.lower_ == "according" else doc[verb.i:verb.i + 1]
            lemma = verb.lemma_.lower() if verb.lower_ != "according" else "according to"
            dq = DirectQuotation(q, source_span(subj), subj, cue, lemma, False, found_by=how)
            # the speaker of a short fragment is the source of the speech verb whose clause
            # holds it; a short phrase no speech verb governs is a scare quote ("Kim may try
            # to use a “high-water mark”", "the “historic” moment")
            if _looks_scare(doc, text, q) and not SENT_END.search(text[q.start:q.end]) and \
                    not (how in ("governing", "trailing") and (
                        lemma in SPEECH_LEMMAS or lemma == "according to")):
                dq = DirectQuotation(q, None, None, None, None, True, found_by="scare")
        elif not scare and prev is not None and prev.speaker is not None and (
                q.continuation or prev_para_end >= para_start - 2 or
                text[para_start:q.mark_start].strip() == ""):
            # a quoted paragraph with no cue continues the previous speaker
            dq = DirectQuotation(q, prev.speaker, prev.speaker_head, prev.cue, prev.cue_lemma,
                                 False, True, "previous")
        else:
            dq = DirectQuotation(q, None, None, None, None, scare,
                                 found_by="scare" if scare else "none")
        yield dq
        if dq.speaker is not None:
            prev = dq
            prev_para_end = text.find("\n", q.mark_end)
            prev_para_end = len(text) if prev_para_end < 0 else prev_para_end


def confidence_key(dq: DirectQuotation, text: str) -> tuple[str, str, str]:
    """What a quote's calibrated confidence is looked up by (``AttributionModel.quote_rates``,
    rates measured on TRAIN): how its speaker was found, what kind of words name the
    speaker, and how long the quotation is."""
    words = len(re.findall(r"\w+", text[dq.quote.start:dq.quote.end]))
    length = "short" if words <= 4 else "mid" if words <= 15 else "long"
    kind = subject_kind(dq.speaker_head)
    kind = "pron" if kind.startswith("pron") else kind
    return dq.found_by, kind, length


def quote_records(article_id: str, sections: Sequence[Section], entities: Sequence[Any],
                  model: AttributionModel,
                  people: Mapping[tuple[str, str | None, int], Any] | None = None) -> list[dict]:
    """Rows of the QUOTES table (without source_uri, content_sha256, published_month);
    ``people``: who each pronoun and description is (``transforms.coref.resolved_people``)."""
    resolver = SpeakerResolver(entities, people=people or {})
    rows = []
    for section in sections:
        doc = section.doc
        text = section.text
        quotes = quote_spans(text)
        # speakers of reported speech outside quotes count as "the previous speaker" too
        events: list[tuple[int, DirectQuotation | Token]] = [
            (subj.idx, subj) for verb in doc
            if verb.lemma_.lower() in SPEECH_LEMMAS and verb.pos_ == "VERB"
            and not _inside(verb, quotes)
            for subj in [subject_of(verb)] if subj is not None and not _inside(subj, quotes)]
        events += [(dq.quote.mark_start, dq) for dq in
                   direct_quotations(doc, model.quote_lemmas, text=text)]
        events.sort(key=lambda e: (e[0], isinstance(e[1], DirectQuotation)))
        for _, dq in events:
            if isinstance(dq, Token):
                resolver.remember(section.name, dq.idx,
                                  resolver.resolve(section.name, section.caption_id, dq))
                continue
            q = dq.quote
            sp: Speaker | None = None
            if dq.speaker is not None and dq.speaker_head is not None:
                if dq.inherited and resolver.last() is not None:
                    sp = resolver.last()
                else:
                    sp = resolver.resolve(section.name, section.caption_id, dq.speaker_head,
                                          dq.speaker)
                    resolver.remember(section.name, q.start, sp)
            rows.append({
                "quote_id": stable_id("quote", article_id, section.name, section.caption_id,
                                      q.start, q.end),
                "article_id": article_id,
                "section": section.name,
                "caption_id": section.caption_id,
                "start_char": q.start,
                "end_char": q.end,
                "quote_text": text[q.start:q.end],
                "parts": [{"start": q.start, "end": q.end, "text": text[q.start:q.end]}],
                "speaker_text": dq.speaker.text if dq.speaker is not None else None,
                "speaker_start": dq.speaker.start_char if dq.speaker is not None else None,
                "speaker_end": dq.speaker.end_char if dq.speaker is not None else None,
                "speaker_name": sp.name if sp else None,
                "speaker_entity_id": sp.entity_id if sp else None,
                "speaker_entity_ids": list(sp.entity_ids) if sp else [],
                "speaker_role": sp.role if sp else None,
                "cue_text": dq.cue.text if dq.cue is not None else None,
                "cue_lemma": dq.cue_lemma,
                "is_scare_quote": dq.is_scare_quote,
                "confidence": model.quote_confidence(confidence_key(dq, text)),
            })
    return _merge_fragments(rows, {s.name + str(s.caption_id): s.text for s in sections})


def _merge_fragments(rows: list[dict], texts: dict[str, str]) -> list[dict]:
    """One row per quotation: fragments of one speaker's quotation in one paragraph, interrupted
    by the attribution or a few words ("“A,” he said, “B.”"), become one row whose
    ``quote_text`` joins the parts' words with a space (never the unquoted words between
    them) and whose ``parts`` give each part's offsets; its confidence is the first part's,
    the one the attribution was found for."""
    out: list[dict] = []
    for r in rows:
        prev = out[-1] if out else None
        if prev is not None and not r["is_scare_quote"] and not prev["is_scare_quote"] and \
                r["speaker_start"] is not None and r["speaker_start"] == prev["speaker_start"] and \
                r["section"] == prev["section"] and r["caption_id"] == prev["caption_id"]:
            text = texts[r["section"] + str(r["caption_id"])]
            if "\n" not in text[prev["end_char"]:r["start_char"]]:
                start, end = prev["start_char"], r["end_char"]
                parts = prev["parts"] + r["parts"]
                out[-1] = dict(prev, end_char=end, parts=parts,
                               quote_text=" ".join(p["text"] for p in parts),
                               quote_id=stable_id("quote", r["article_id"], r["section"],
                                                  r["caption_id"], start, end))
                continue
        out.append(r)
    return out
