"""Who a person mention is: each third-person pronoun ("he", "her") and each definite
description of a person ("the proprietor") of an article -> one of its named people, or nobody.

The decision between people is learned (``models/train_coref.py``, from GUM's coreference
annotation): a LightGBM ranker scores every earlier named person of the mention, and
"nobody", from the features of :func:`rows_for`; the best person wins when it outscores
"nobody" by the model's margin, else the mention stays unresolved (no antecedent). One hand
rule comes first: a pronoun that is the subject of a speech verb continues the last speaker
(:func:`previous_speaker`), a reporter's convention GUM has too few quotations to teach.
Training and the pipeline read the article through the same code (:func:`walk`), so a
feature has one home.

The walk goes through a section in reading order, remembering for each person where the
article last mentioned them (by name, or by a pronoun or description already resolved to them),
how often, with which pronouns (the article's own evidence of gender), and who last spoke.

Nothing here reads files: the model (``CorefModel``) is loaded by the adapters and passed in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Token

from transforms.attribution import SPEECH_LEMMAS
from transforms.entities import gender_of
from transforms.quotes import quote_spans, subject_of
from transforms.sections import Section

PRONOUN_GENDERS = {"he": "male", "him": "male", "his": "male", "himself": "male",
                   "she": "female", "her": "female", "hers": "female", "herself": "female"}
# Determiners that make a description point back to someone ("the proprietor", "this man").
DEFINITE = frozenset({"the", "this", "that"})
# Labels a named person may carry: spaCy types a rare surname ORG, a first name GPE. Such a
# name is a candidate only with evidence that it is a person (see _may_be_person).
CANDIDATE_LABELS = frozenset({"PERSON", "ORG", "GPE"})
# How far back a person may have last been mentioned, in sentences; beyond it a pronoun
# points at someone nearer (GUM train: 99 % of pronoun antecedents are within 8).
WINDOW = 12
MAX_CANDIDATES = 12
DEP_CODES = {"nsubj": 0, "nsubjpass": 0, "dobj": 1, "iobj": 1, "pobj": 2, "poss": 3,
             "appos": 4, "compound": 5, "conj": 6}
LABEL_CODES = {"PERSON": 0, "ORG": 1, "GPE": 2, "NORP": 3}
GENDER_CODES = {None: 0, "male": 1, "female": 2}


@dataclass(frozen=True)
class CorefModel:
    """The learned ranker and the word lists it was trained with (models/coref/)."""

    booster: Any  # lightgbm.Booster, a ranker over the candidates and "nobody"
    features: tuple[str, ...]
    margin: float  # how far the best person must outscore "nobody"
    given_names: Mapping[str, str]  # lower-case first name -> "male" | "female"
    person_nouns: frozenset[str]  # lemmas that make a description a person's

    def choice(self, rows: Sequence[Mapping[str, float]]) -> tuple[int | None, float]:
        """(index of the chosen candidate or None for nobody, its lead over nobody); the
        last row is nobody's."""
        import numpy as np  # numpy arrives with spaCy; imported here as the booster's input

        if len(rows) < 2:
            return None, 0.0
        matrix = np.array([[row[f] for f in self.features] for row in rows], dtype=float)
        # one thread: a few rows at a time, where OpenMP's start-up cost 50x the work
        # (measured 9 ms against 0.16 ms per call on a loaded 2-core machine)
        scores = self.booster.predict(matrix, num_threads=1)
        best = int(np.argmax(scores[:-1]))
        lead = float(scores[best] - scores[-1])
        return (best if lead > self.margin else None), lead


@dataclass(frozen=True)
class Anaphor:
    """A pronoun or description that may stand for a named person."""

    section: str
    caption_id: str | None
    token: Token  # its head word
    kind: str  # "pronoun" | "description"

    @property
    def key(self) -> tuple[str, str | None, int]:
        return self.section, self.caption_id, self.token.idx


@dataclass(frozen=True)
class Resolution:
    """Who a mention is (None: nobody the text supports) and how it was found."""

    entity_id: str | None
    how: str  # "pronoun" | "description"
    score: float  # the chosen person's lead over "nobody" (negative: nobody won)


@dataclass
class _Person:
    """What the walk has read of one named person so far."""

    entity: Any
    given: str | None  # gender of the first word of the name, from the given-name list
    titled: str | None  # gender from titles and roles ("Mrs.", "spokeswoman")
    last: Token | None = None
    mentions: int = 0  # by name
    subjects: int = 0  # of the mentions, those as a clause's subject
    first: int = -1  # token index of the first mention in the section
    chained_at: int = -1  # token index of the last pronoun or description resolved to it
    pronouns: dict[str, int] = field(default_factory=lambda: {"male": 0, "female": 0})
    spoke_at: int = -1  # token index of the last speech verb it was subject of
    in_lead: bool = False  # named in the headline or the first two sentences


# --- mentions -------------------------------------------------------------------------------


def anaphors(section: Section, person_nouns: frozenset[str]) -> list[Anaphor]:
    """The section's third-person singular pronouns and definite person descriptions, in
    reading order."""
    out = []
    for tok in section.doc:
        if tok.lower_ in PRONOUN_GENDERS and tok.pos_ == "PRON":
            out.append(Anaphor(section.name, section.caption_id, tok, "pronoun"))
        elif is_description(tok, person_nouns):
            out.append(Anaphor(section.name, section.caption_id, tok, "description"))
    return out


def is_description(tok: Token, person_nouns: frozenset[str]) -> bool:
    """A singular common noun naming a person, made definite ("the affable proprietor"), that
    is not an apposition to a name (that one is a role, read by transforms.entities)."""
    return (tok.tag_ == "NN" and tok.lemma_.lower() in person_nouns and tok.ent_type_ == ""
            and tok.dep_ not in ("appos", "compound")
            and any(c.dep_ == "det" and c.lower_ in DEFINITE for c in tok.children)
            and not any(c.dep_ == "appos" and c.ent_type_ == "PERSON" for c in tok.children))


def anaphor_gender(a: Anaphor) -> str | None:
    if a.kind == "pronoun":
        return PRONOUN_GENDERS.get(a.token.lower_)
    words = [t.text for t in a.token.subtree if t.i <= a.token.i]
    return gender_of(words)


# --- the walk ---------------------------------------------------------------------------------


# (anaphor, candidate people, their rows and then the row of "nobody") -> the person or None
Chooser = Callable[[Anaphor, Sequence[Any], Sequence[dict[str, float]]], Any | None]


@dataclass(frozen=True)
class _Context:
    """Per section: sentence starts, quoted characters, speech-verb subjects."""

    sent_starts: list[int]
    quoted: list[tuple[int, int]]
    speech_subjects: frozenset[int]

    def sentence(self, tok: Token) -> int:
        return bisect_right(self.sent_starts, tok.i)

    def in_quote(self, tok: Token) -> bool:
        return any(s <= tok.idx < e for s, e in self.quoted)


def _context(doc: Doc) -> _Context:
    import numpy as np  # numpy arrives with spaCy

    quotes = quote_spans(doc.text)
    quoted = [(q.mark_start, q.mark_end) for q in quotes]
    subjects = set()
    for verb in doc:
        if verb.pos_ == "VERB" and verb.lemma_.lower() in SPEECH_LEMMAS and \
                not any(s <= verb.idx < e for s, e in quoted):
            subj = subject_of(verb, antecedent=False)
            if subj is not None:
                subjects.add(subj.i)
    # sentence starts from the array, not doc.sents: a Span per sentence cost 4 ms an article
    starts = np.flatnonzero(doc.to_array("SENT_START") == 1).tolist() or [0]
    return _Context(starts, quoted, frozenset(subjects))


def _mention_roots(doc: Doc, entity: Any, section: Section) -> list[Token]:
    out = []
    for m in entity.mentions:
        if m.section == section.name and m.caption_id == section.caption_id:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and len(span):
                out.append(span.root)
    return out


def given_name_gender(name: str, given_names: Mapping[str, str]) -> str | None:
    """The gender the given-name list gives the name's first word (for a one-word name the
    word may be a surname: the ranker weighs it with ``name_words``)."""
    words = name.split()
    return given_names.get(words[0].lower()) if words else None


def walk(sections: Sequence[Section], entities: Sequence[Any], given_names: Mapping[str, str],
         person_nouns: frozenset[str], choose: Chooser) -> dict[tuple[str, str | None, int], Any]:
    """Every anaphor of the article -> what ``choose`` picked among the named people before it
    (given the candidates and their feature rows), sections read in order (a headline is
    only read for who it names). What was picked becomes part of the person's history: the
    mention it continues, the pronouns' gender, the speech verb it was the subject of."""
    people = {e.entity_id: _Person(e, given_name_gender(e.name, given_names),
                                   gender_of(e.roles))
              for e in entities if e.label in CANDIDATE_LABELS}
    in_title = {eid for eid, p in people.items()
                if any(m.section == "title" for m in p.entity.mentions)}
    picked: dict[tuple[str, str | None, int], Any] = {}
    for section in sections:
        if section.name == "title":
            continue
        doc = section.doc
        ctx = _context(doc)
        states = {eid: _Person(p.entity, p.given, p.titled, in_lead=eid in in_title)
                  for eid, p in people.items()}
        events: list[tuple[int, int, Any]] = []
        for eid in states:
            for root in _mention_roots(doc, states[eid].entity, section):
                events.append((root.i, 0, (eid, root)))
        events += [(a.token.i, 1, a) for a in anaphors(section, person_nouns)]
        events.sort(key=lambda e: (e[0], e[1]))
        previous: str | None = None  # who the section's last anaphor went to
        lead_end = ctx.sent_starts[2] if len(ctx.sent_starts) > 2 else len(doc)
        for _, is_anaphor, item in events:
            if not is_anaphor:
                eid, root = item
                _named(states[eid], root, ctx, lead=root.i < lead_end)
                continue
            cands = _candidates(item, states, ctx)
            choice = choose(item, [p.entity for p in cands],
                            rows_for(item, cands, ctx, previous))
            picked[item.key] = choice
            previous = eid = getattr(choice, "entity_id", None)
            if eid in states:
                # A resolved mention tells who the next one may continue (and the person's
                # gender), but the distances and counts stay those of the names: fed back as
                # mentions, one wrong pick drew the following ones after it (GUM: 0.62
                # against 0.71 of pronouns right, out of fold on TRAIN).
                states[eid].chained_at = item.token.i
                if item.token.i in ctx.speech_subjects:
                    states[eid].spoke_at = item.token.i
                gender = PRONOUN_GENDERS.get(item.token.lower_)
                if item.kind == "pronoun" and gender is not None:
                    states[eid].pronouns[gender] += 1
    return picked


def _named(p: _Person, tok: Token, ctx: _Context, lead: bool) -> None:
    """The person is named at ``tok``."""
    p.last = tok
    p.mentions += 1
    p.subjects += tok.dep_ in ("nsubj", "nsubjpass")
    p.first = tok.i if p.first < 0 else p.first
    p.in_lead = p.in_lead or lead
    if tok.i in ctx.speech_subjects:
        p.spoke_at = tok.i


def _may_be_person(p: _Person) -> bool:
    """A PERSON; or a name typed otherwise whose first word is a given name, or a one-word
    organisation that is not an acronym: the advocate whose rare surname the model typed ORG
    (the ranker weighs the label against the other evidence; admitting only those that spoke
    or have a given name of at most two words lost 0.06 of GUM TRAIN's pronouns, out of fold).
    A one-word place is a place ("Russia", "Moscow" are no "he")."""
    name = p.entity.name
    return p.entity.label == "PERSON" or not name.isupper() and (
        p.given is not None or " " not in name and p.entity.label == "ORG")


def _candidates(a: Anaphor, states: Mapping[str, _Person], ctx: _Context) -> list[_Person]:
    """The people mentioned before the anaphor within the window, most recent first. Gender
    is the ranker's to weigh (``agreement``): leaving out those whose title or given name
    says the other gender lost GUM pronouns (TRAIN out of fold: link F1 0.71 -> 0.68; DEV:
    0.86 -> 0.72 right), the evidence being wrong more often than the ranker."""
    here = ctx.sentence(a.token)
    seen = [p for p in states.values() if p.last is not None and p.last.i < a.token.i
            and _may_be_person(p)
            and (here - ctx.sentence(p.last) <= WINDOW or p.chained_at >= 0 and
                 here - ctx.sentence(a.token.doc[p.chained_at]) <= WINDOW)]
    seen.sort(key=lambda p: -p.last.i if p.last is not None else 0)
    return seen[:MAX_CANDIDATES]


# --- features -------------------------------------------------------------------------------


def _agreement(want: str | None, p: _Person) -> int:
    """+1 when what the article says of the person fits the gender, -1 when it contradicts
    it, 0 when it says nothing: the pronouns resolved to them first, then their titles."""
    male, female = p.pronouns["male"], p.pronouns["female"]
    known = ("male" if male > female else "female" if female > male else None) or p.titled
    return _fit(want, known)


def _fit(want: str | None, known: str | None) -> int:
    return 0 if want is None or known is None else 1 if known == want else -1


def _fits(want: str | None, p: _Person) -> bool:
    """Neither the article nor, when it says nothing, the given name contradicts."""
    return (_agreement(want, p) or _fit(want, p.given)) >= 0


def _dep_code(tok: Token | None) -> int:
    return -1 if tok is None else DEP_CODES.get(tok.dep_, 7)


def _same_clause_subject(a: Token, c: Token | None) -> bool:
    """The candidate is the subject of the verb the pronoun is an object of: "Smith praised
    him" is not Smith (a reflexive would be)."""
    return c is not None and c.dep_ in ("nsubj", "nsubjpass") and a.head.i == c.head.i and \
        a.dep_ in ("dobj", "iobj", "pobj", "dative") and not a.lower_.endswith("self")


def _governs(c: Token | None, a: Token) -> bool:
    """The candidate is the subject of a verb the anaphor hangs under: "Byron received his
    education", "Smith said he would go"."""
    return c is not None and c.dep_ in ("nsubj", "nsubjpass") and c.head.i != a.i and \
        c.head in a.ancestors


def _description_fit(a: Anaphor, p: _Person) -> tuple[int, int]:
    """(head word in the person's roles or aliases, modifiers found there too)."""
    if a.kind != "description":
        return 0, 0
    said = {w.strip(".,").lower() for r in (*p.entity.roles, *p.entity.aliases)
            for w in r.replace("-", " ").split()}
    mods = [t.lower_ for t in a.token.lefts if t.dep_ in ("amod", "compound")]
    return int(a.token.lower_ in said or a.token.lemma_.lower() in said), \
        sum(m in said for m in mods)


def anaphor_features(a: Anaphor, cands: Sequence[_Person], ctx: _Context) -> dict[str, float]:
    """What the mention itself says, the same for every candidate (and for "nobody")."""
    tok = a.token
    want = anaphor_gender(a)
    return {
        "kind": float(a.kind == "description"),
        "anaphor_gender": float(GENDER_CODES[want]),
        "anaphor_dep": float(_dep_code(tok)),
        "anaphor_speaks": float(tok.i in ctx.speech_subjects),
        "anaphor_in_quote": float(ctx.in_quote(tok)),
        "anaphor_possessive": float(tok.tag_ == "PRP$"),
        "anaphor_modifiers": float(sum(1 for t in tok.lefts if t.dep_ in ("amod", "compound"))),
        "candidates": float(len(cands)),
        "agreeing": float(sum(1 for c in cands if _fits(want, c))),
    }


def pair_features(a: Anaphor, p: _Person, cands: Sequence[_Person], ctx: _Context,
                  previous: str | None) -> dict[str, float]:
    """The features of one (anaphor, candidate person) pair, without the anaphor's own;
    ``previous``: the entity id the section's previous pronoun or description went to."""
    tok, last = a.token, p.last
    here = ctx.sentence(tok)
    want = anaphor_gender(a)
    agreeing = [c for c in cands if _fits(want, c)]
    speakers = sorted((c.spoke_at for c in cands if c.spoke_at >= 0), reverse=True)
    head_fit, mods_fit = _description_fit(a, p)
    last_i = last.i if last is not None else -1
    return {
        "is_none": 0.0,
        "agreement": float(_agreement(want, p)),
        # the census list apart: it errs on names it does not know the order of ("Kim Jong Un")
        "given_agreement": float(_fit(want, p.given)),
        "pronoun_gender_evidence": float(p.pronouns["male"] + p.pronouns["female"]),
        "title_gender": float(GENDER_CODES[p.titled] if p.titled else 0),
        "given_gender": float(GENDER_CODES[p.given] if p.given else 0),
        "sentences": float(here - ctx.sentence(last)) if last is not None else 99.0,
        "tokens": float(tok.i - last_i),
        "recency_rank": float(cands.index(p)),
        "agreeing_rank": float(agreeing.index(p)) if p in agreeing else -1.0,
        "mentions": float(p.mentions),
        "mention_share": p.mentions / max(1, sum(c.mentions for c in cands)),
        "subjects": float(p.subjects),
        "first_rank": float(sorted(c.first for c in cands).index(p.first)),
        "in_lead": float(p.in_lead),
        "last_dep": float(_dep_code(last)),
        "last_in_quote": float(last is not None and ctx.in_quote(last)),
        "speaker_rank": float(speakers.index(p.spoke_at)) if p.spoke_at >= 0 else -1.0,
        "spoke_tokens_ago": float(tok.i - p.spoke_at) if p.spoke_at >= 0 else 999.0,
        "same_clause_subject": float(_same_clause_subject(tok, last)),
        "governing_subject": float(_governs(last, tok)),
        "chained_tokens_ago": float(tok.i - p.chained_at) if p.chained_at >= 0 else 999.0,
        "took_previous": float(p.entity.entity_id == previous),
        "label": float(LABEL_CODES.get(p.entity.label, 4)),
        "name_words": float(len(p.entity.name.split())),
        "description_head_fit": float(head_fit),
        "description_mods_fit": float(mods_fit),
    }


ANAPHOR_FEATURES = ("kind", "anaphor_gender", "anaphor_dep", "anaphor_speaks",
                    "anaphor_in_quote", "anaphor_possessive", "anaphor_modifiers", "candidates",
                    "agreeing")
PAIR_FEATURES = (
    "is_none", "agreement", "given_agreement", "pronoun_gender_evidence", "title_gender",
    "given_gender",
    "sentences", "tokens", "recency_rank", "agreeing_rank", "mentions", "mention_share",
    "subjects", "first_rank", "in_lead", "last_dep", "last_in_quote", "speaker_rank",
    "spoke_tokens_ago", "same_clause_subject", "governing_subject", "chained_tokens_ago",
    "took_previous", "label", "name_words", "description_head_fit", "description_mods_fit")
FEATURES = ANAPHOR_FEATURES + PAIR_FEATURES
CATEGORICAL = ("anaphor_dep", "last_dep", "label", "anaphor_gender", "title_gender",
               "given_gender")
# "Nobody" is ranked with the people: its row has the anaphor's features and no person's.
NONE_ROW = {f: float("nan") for f in PAIR_FEATURES} | {"is_none": 1.0}


def rows_for(a: Anaphor, cands: Sequence[_Person], ctx: _Context,
             previous: str | None) -> list[dict[str, float]]:
    """One row per candidate, in order, then the row of "nobody"; ``previous``: the entity
    id the section's previous pronoun or description went to."""
    own = anaphor_features(a, cands, ctx)
    return [own | pair_features(a, p, cands, ctx, previous) for p in cands] + [own | NONE_ROW]


# A pronoun that speaks ("…,” he said) continues the last speaker this many tokens on (a long
# quotation between them included), when nothing says the speaker is of the other gender.
SPEAKER_REACH = 250


def previous_speaker(a: Anaphor, rows: Sequence[Mapping[str, float]]) -> int | None:
    """The candidate who spoke last, for a pronoun that is the subject of a speech verb: the
    reporter's convention of "he said" for the person just quoted, over a nearer name. GUM
    has too few quotations for the ranker to learn it (it gave the seed's "…,” he said" after
    Rodger Baker's quotation to Vladimir Putin, named more often)."""
    if a.kind != "pronoun" or not rows or rows[0]["anaphor_speaks"] != 1.0:
        return None
    for i, row in enumerate(rows[:-1]):
        if row["speaker_rank"] == 0.0 and row["spoke_tokens_ago"] <= SPEAKER_REACH and \
                row["agreement"] >= 0 and row["given_agreement"] >= 0:
            return i
    return None


# --- the pipeline's use -----------------------------------------------------------------------


def resolved_people(sections: Sequence[Section], entities: Sequence[Any],
                    model: CorefModel) -> dict[tuple[str, str | None, int], Resolution]:
    """(section, caption_id, character offset of the head word) -> who each pronoun and
    description is, decided once per article for every table that reads a mention."""
    scores: dict[tuple[str, str | None, int], tuple[str, float]] = {}

    def choose(a: Anaphor, ents: Sequence[Any], rows: Sequence[dict[str, float]]) -> Any:
        best, lead = previous_speaker(a, rows), 0.0
        if best is None:
            best, lead = model.choice(rows)
        scores[a.key] = (a.kind, lead)
        return ents[best] if best is not None else None

    picked = walk(sections, entities, model.given_names, model.person_nouns, choose)
    return {k: Resolution(getattr(e, "entity_id", None), scores[k][0], round(scores[k][1], 3))
            for k, e in picked.items()}

