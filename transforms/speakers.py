"""Who is speaking: source spans as written -> canonical person(s), entity id and role.

A reader resolves a source the way this module does:

* a named mention -> its canonical entity (``Brady`` -> ``James Brady``); coordinated names
  (``Brady and Cha``) -> every entity, ``" and "``-joined, no single entity id;
* ``he``/``she``/``him``/``her`` -> the most recent singular PERSON speaker before it (the previous
  quote's speaker first), else the most recent PERSON mentioned before it;
* ``they``/``them`` -> the most recent plural (coordinated) speaker;
* a description (``the Russian leader``) -> the entity whose aliases or roles contain it;
* the role comes from an apposition (``Rodger Baker, executive director of ...``) or from
  title words before the name (``Senior Advisor Victor Cha``).

Entities are only read through the attributes of ``transforms.entities.Entity``/``Mention``
(``entity_id``, ``name``, ``label``, ``aliases``, ``roles``, ``mentions`` with ``section``,
``caption_id``, ``start``, ``end``), so this module needs nothing else from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.tokens import Span, Token

from transforms.entities import TITLE_WORDS, gender_of

SINGULAR_PRONOUNS = {"he", "she", "him", "her", "i", "me"}
PLURAL_PRONOUNS = {"they", "them", "we", "us"}
PERSONAL_LABELS = ("PERSON",)
SOURCE_LABELS = ("PERSON", "ORG", "NORP", "GPE")
# dependency labels that hang a role or a clause off a source head, not part of its name
_NOT_NAME = {"appos", "relcl", "acl", "punct", "advcl", "prep", "cc", "conj", "det", "poss"}


@dataclass(frozen=True)
class Speaker:
    """A source as written and as resolved."""

    text: str
    start: int
    end: int
    name: str | None = None
    entity_id: str | None = None
    role: str | None = None
    plural: bool = False
    confidence: float = 0.5
    label: str | None = None
    # every person a joint source names ("Brady and Cha": both); (entity_id,) for one entity
    entity_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.entity_id is not None and not self.entity_ids:
            object.__setattr__(self, "entity_ids", (self.entity_id,))


def paragraph_bounds(tok: Token) -> tuple[int, int]:
    """Character bounds of the paragraph (line) holding ``tok``: spans never cross one.

    Found by walking the tokens out to the nearest line break on each side (spaCy keeps a
    line break in a whitespace token of its own), so no section text is needed."""
    doc = tok.doc
    p0 = 0
    for j in range(tok.i - 1, -1, -1):
        t = doc[j]
        if t.is_space and "\n" in t.text:
            p0 = t.idx + t.text.rfind("\n") + 1
            break
    last = doc[len(doc) - 1]
    p1 = last.idx + len(last.text_with_ws)
    for j in range(tok.i, len(doc)):
        t = doc[j]
        if t.is_space and "\n" in t.text:
            p1 = t.idx + t.text.find("\n")
            break
    return p0, p1


def subtree_span(tok: Token, exclude: Sequence[Token] = ()) -> Span:
    """The contiguous span of ``tok``'s subtree (minus any excluded subtrees at the edges)."""
    ex = {t.i for e in exclude for t in e.subtree}
    p0, p1 = paragraph_bounds(tok)
    keep = {t.i for t in tok.subtree if t.i not in ex and p0 <= t.idx < p1} | {tok.i}
    lo, hi = tok.i, tok.i + 1  # the contiguous run around the head
    while lo - 1 in keep:
        lo -= 1
    while hi in keep:
        hi += 1
    doc = tok.doc
    while lo < hi - 1 and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > lo + 1 and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        hi -= 1
    return doc[lo:hi]


def source_span(head: Token) -> Span:
    """The source as written: the head's subtree without relative clauses; an apposition is kept
    out too (it becomes the role) unless it comes before the name."""
    cut = [c for c in head.children if c.dep_ in ("relcl", "acl") and c.i > head.i]
    cut += [c for c in head.children if c.dep_ == "appos" and c.i > head.i]
    return subtree_span(head, cut)


def role_of(head: Token) -> str | None:
    """Role from an apposition, or from title words before a PERSON name."""
    for c in head.children:
        # "Mehmet Yildiz, 42, said": an age is not a role
        if c.dep_ == "appos" and c.i > head.i and c.ent_type_ != "PERSON" and not c.like_num:
            return subtree_span(c).text
    # "Senior Advisor Victor Cha", "Teneo Consultants Vice President James Brady"
    heads = [head] + [c for c in head.children if c.dep_ == "conj"]
    roles = []
    p0, p1 = paragraph_bounds(head)
    doc = head.doc
    for h in heads:
        if h.ent_type_ != "PERSON":
            continue
        i = h.i
        while i > 0 and doc[i - 1].ent_type_ == "PERSON" and doc[i - 1].ent_iob_ != "O":
            i -= 1
        titles: list[Token] = []
        while i > 0 and doc[i - 1].idx >= p0 and doc[i - 1].is_title and \
                doc[i - 1].ent_type_ not in ("ORG", "GPE", "NORP", "PERSON") and \
                doc[i - 1].pos_ in ("PROPN", "NOUN", "ADJ"):
            i -= 1
            titles.insert(0, doc[i])
        while titles and titles[0].lower_ not in TITLE_WORDS and \
                any(t.lower_ in TITLE_WORDS for t in titles):
            titles.pop(0)  # "Teneo Consultants Vice President" -> "Vice President"
        if not any(t.lower_ in TITLE_WORDS or t.pos_ == "NOUN" for t in titles):
            titles = []  # "Mehmet" before a "Yildiz" the model tagged alone is a first name
        if titles:
            roles.append(" ".join(t.text for t in titles))
    if roles:
        return " and ".join(dict.fromkeys(roles))
    if head.ent_type_ == "" and head.pos_ == "NOUN":  # "a spokesman", "analysts"
        mods = [t for t in head.lefts if t.dep_ in ("compound", "amod")]
        if mods:
            return " ".join(t.text for t in [*mods, head])
    return None


def _mentions_in(entities: Sequence[Any], section: str, caption_id: str | None,
                 start: int, end: int) -> list[tuple[int, Any]]:
    found = []
    for ent in entities:
        for m in ent.mentions:
            if m.section == section and m.caption_id == caption_id and \
                    m.start < end and start < m.end:
                found.append((m.start, ent))
                break
    return sorted(found, key=lambda x: x[0])


# Abbreviated titles as roles write them ("Sen. Warren") -> the word a description uses.
TITLE_SPELLINGS = {"sen": "senator", "gov": "governor", "rep": "representative",
                   "sec": "secretary", "gen": "general", "pres": "president"}


# A role's own pronoun is someone else's ("her husband"), so pronouns are not role words.
PRONOUN_GENDERS = {"he": "male", "him": "male", "she": "female", "her": "female"}


def pronoun_gender(word: str) -> str | None:
    return PRONOUN_GENDERS.get(word.lower())


def _title_words(text: str) -> set[str]:
    """A role's words as a description would write them ("then-Sen." -> {"then", "senator"})."""
    words = (w.rstrip(".").lower() for w in text.replace("-", " ").split())
    return {TITLE_SPELLINGS.get(w, w) for w in words}


# Titles a description may use for someone the article introduced with another one.
LEADER_TITLES = frozenset({"leader", "president", "premier", "chancellor", "head", "chief",
                           "ruler", "dictator", "king", "queen", "monarch", "minister"})


def described_person(entities: Sequence[Any], span: Span, head: Token) -> Any | None:
    """The one PERSON whose role fits a description: its modifiers ("Russian") and its title
    ("leader", or any leader title for a leader word) all appear in one of the person's roles
    ("Russian President"). None when no person, or more than one, fits."""
    mods = [TITLE_SPELLINGS.get(w, w) for t in span if t.i != head.i
            and t.dep_ in ("amod", "compound") for w in _title_words(t.text) - {"then"}]
    word = TITLE_SPELLINGS.get(head.lower_.rstrip("."), head.lower_)
    titles = LEADER_TITLES if word in LEADER_TITLES else frozenset({word})
    fits = [e for e in entities if e.label == "PERSON" and any(
        all(m in _title_words(role) for m in mods) and titles & _title_words(role)
        for role in e.roles)]
    return fits[0] if len(fits) == 1 else None


def entity_for_span(entities: Sequence[Any], section: str, caption_id: str | None,
                    start: int, end: int) -> Any | None:
    """The entity with a mention overlapping ``[start, end)`` (PERSON first), or None."""
    found = [e for _, e in _mentions_in(entities, section, caption_id, start, end)]
    for label in SOURCE_LABELS:
        for e in found:
            if e.label == label:
                return e
    return found[0] if found else None


@dataclass
class SpeakerResolver:
    """Resolves source spans in reading order; remembers who spoke last."""

    entities: Sequence[Any]
    history: list[tuple[str, int, Speaker]] = field(default_factory=list)
    # entity id -> "male"/"female": its titles and roles, then the pronouns resolved to it
    genders: dict[str, str] = field(default_factory=dict)
    # (section, caption_id, head's char offset) -> transforms.coref.Resolution: who each
    # pronoun and description is, decided once per article for the quotes and claims alike
    people: Mapping[tuple[str, str | None, int], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for e in self.entities:
            gender = gender_of(e.roles) if e.label == "PERSON" else None
            if gender is not None:
                self.genders[e.entity_id] = gender

    def remember(self, section: str, pos: int, speaker: Speaker) -> None:
        if speaker.name:
            self.history.append((section, pos, speaker))
        gender = pronoun_gender(speaker.text)
        if gender is not None and speaker.entity_id is not None:
            self.genders.setdefault(speaker.entity_id, gender)

    def last(self, plural: bool | None = None, label: str | None = None,
             gender: str | None = None) -> Speaker | None:
        for _, _, sp in reversed(self.history):
            if (plural is None or sp.plural == plural) and (label is None or sp.label == label) \
                    and self._agrees(sp.entity_id, gender):
                return sp
        return None

    def _agrees(self, entity_id: str | None, gender: str | None) -> bool:
        """Whether what the article says of the entity allows a pronoun of that gender."""
        if gender is None or entity_id is None:
            return True
        known = self.genders.get(entity_id)
        return known is None or known == gender

    def _last_person_before(self, section: str, caption_id: str | None, pos: int,
                            gender: str | None = None) -> Any | None:
        best, best_pos = None, -1
        for ent in self.entities:
            if ent.label != "PERSON" or not self._agrees(ent.entity_id, gender):
                continue
            for m in ent.mentions:
                if m.section == section and m.caption_id == caption_id and best_pos < m.start < pos:
                    best, best_pos = ent, m.start
        return best

    def _learned(self, section: str, caption_id: str | None, head: Token, span: Span,
                 role: str | None) -> Speaker | None:
        """The speaker the coreference step found for a pronoun or description head; None
        when the step did not read this head, or found nobody for a description (the role
        rules below may still fit one). A pronoun it left unresolved stays unresolved: no
        nearer-person guess where the text supports none."""
        if (section, caption_id, head.idx) not in self.people:
            return None
        found = self.people[(section, caption_id, head.idx)]
        ent = next((e for e in self.entities if e.entity_id == found.entity_id), None)
        if ent is None:
            if found.how == "pronoun":
                return Speaker(span.text, span.start_char, span.end_char, None, None, None,
                               False, 0.4)
            return None
        # a name a personal pronoun or a person's description refers to is a PERSON
        return Speaker(span.text, span.start_char, span.end_char, ent.name, ent.entity_id,
                       role, False, 0.75, "PERSON")

    def resolve(self, section: str, caption_id: str | None, head: Token,
                span: Span | None = None) -> Speaker:
        span = span if span is not None else source_span(head)
        start, end = span.start_char, span.end_char
        text = span.text
        role = role_of(head)
        low = head.lower_
        if low in ("who", "which", "that") and head.head.dep_ == "relcl" and \
                head.head.head.pos_ in ("NOUN", "PROPN"):
            # "the council, which said ...": the relative pronoun as written, the antecedent
            # as resolved
            ante = self.resolve(section, caption_id, head.head.head)
            return replace(ante, text=text, start=start, end=end)
        learned = self._learned(section, caption_id, head, span, role)
        if learned is not None:
            return learned
        found = _mentions_in(self.entities, section, caption_id, start, end)
        people = [e for _, e in found if e.label in SOURCE_LABELS]
        coordinated = any(t.dep_ == "conj" for t in head.children) or low in PLURAL_PRONOUNS
        if head.tag_ in ("PRP", "PRP$") or low in SINGULAR_PRONOUNS | PLURAL_PRONOUNS:
            if low in PLURAL_PRONOUNS:
                prev = self.last(plural=True)
                if prev is None:
                    return Speaker(text, start, end, None, None, None, True, 0.4)
                return Speaker(text, start, end, prev.name, prev.entity_id, prev.role, True, 0.7)
            gender = pronoun_gender(low)
            prev = self.last(plural=False, label="PERSON", gender=gender)
            if prev is not None and prev.entity_id is not None:
                return Speaker(text, start, end, prev.name, prev.entity_id, prev.role, False, 0.75,
                               "PERSON")
            ent = self._last_person_before(section, caption_id, start, gender)
            if ent is not None:
                return Speaker(text, start, end, ent.name, ent.entity_id, None, False, 0.6,
                               "PERSON")
            return Speaker(text, start, end, None, None, None, False, 0.4)
        if any(e.label == "PERSON" for e in people):
            people = [e for e in people if e.label == "PERSON"]
        if len(people) > 1 and coordinated:
            joint = list(dict.fromkeys(people))
            names = " and ".join(dict.fromkeys(e.name for e in joint))
            return Speaker(text, start, end, names, None, role, True, 0.85, "PERSON",
                           tuple(dict.fromkeys(e.entity_id for e in joint)))
        ent = entity_for_span(self.entities, section, caption_id, head.idx,
                              head.idx + len(head.text))
        if ent is None and head.pos_ == "NOUN":
            # The head is a common noun: a name inside only modifies it ("the Clinton
            # campaign", "Clinton's spokeswoman", "a Trump supporter") and is never the source;
            # a title fits the one person whose role it is ("the Russian leader").
            ent = described_person(self.entities, span, head)
            people = []
        if ent is None and people:
            ent = people[0]
        if ent is not None:
            return Speaker(text, start, end, ent.name, ent.entity_id, role,
                           coordinated or head.tag_ in ("NNS", "NNPS"), 0.9, ent.label)
        # a description: "the Russian leader" -> an entity whose alias/role says so
        desc = " ".join(t.lower_ for t in span if t.dep_ not in ("det", "poss"))
        for ent in self.entities:
            known = [a.lower() for a in (*ent.aliases, *ent.roles)]
            if desc and any(desc == n or desc in n for n in known):
                return Speaker(text, start, end, ent.name, ent.entity_id, role, False, 0.6,
                               ent.label)
        plural = coordinated or head.tag_ in ("NNS", "NNPS")
        return Speaker(text, start, end, None, None, role, plural, 0.5)
