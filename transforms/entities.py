"""spaCy entities -> canonical entities per article: one entity per person (or organisation,
place...) however the article writes it.

Pipeline (all pure; spaCy ``Doc``s are read, never written):

1. ``doc.ents`` of every section -> raw mentions, junk labels dropped, surface forms cleaned
   (leading "the", titles, possessives, quotes), obvious label errors fixed
   ("Kim Il Sung Square" as PERSON -> FAC, "Putin-Kim" -> two mentions), acronyms defined in
   parentheses added as mentions of their long form. Datelines ("FRANKFURT (Reuters) -") are
   dropped; a title's mentions count only as the longest run of their words that the rest of
   the article names (Title Case fools the model: "Donald Trump Claims").
2. Mentions grouped by casefolded cleaned name; each name gets the label most of its mentions
   carry (spaCy tags the same name differently from sentence to sentence).
3. Names joined into people: a full name joins its one fuller form ("Donald Trump" ->
   "Donald J. Trump", "Wasserman Schultz" -> an earlier "Debbie Wasserman Schultz"); a one-word
   name, whatever its label, joins the person whose last (else first) word it is, unless it
   stands where places do ("flew to Washington"); when several people share it ("Clinton"),
   each mention goes to the one its paragraph last named in full, else to the one the article
   names most. An acronym joins its long form. The entity's label is PERSON when its fullest
   name is a PERSON, else its mentions' majority.

The id here comes from the article alone (kind + name key); the corpus-level resolver
(transforms/identity.py) maps it to the corpus-wide id at publish.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from transforms.documents import NEWS_DATELINE
from transforms.names import NAME_PARTICLES, words_fit
from transforms.schemas import ENTITY_LABELS, stable_id
from transforms.sections import Section


@dataclass(frozen=True)
class Mention:
    section: str  # "title" | "body" | "caption"
    caption_id: str | None
    start: int  # char offsets into that section's text
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    entity_id: str
    name: str
    label: str
    aliases: tuple[str, ...]
    mentions: tuple[Mention, ...]
    roles: tuple[str, ...]

    @property
    def key(self) -> str:
        """The name as the corpus-level resolver compares it (see name_key)."""
        return name_key(self.name)

    @property
    def kind(self) -> str:
        return label_group(self.label)


# Words that introduce a person without being part of the name. spaCy usually leaves them
# outside the entity, but not always ("President Biden"); they are kept as roles instead.
TITLE_WORDS = frozenset({
    "president", "vice", "prime", "minister", "mr", "mrs", "ms", "miss", "dr", "sir", "dame",
    "lord", "lady", "sen", "senator", "rep", "gov", "governor", "gen", "general", "col", "lt",
    "capt", "adm", "sgt", "leader", "chancellor", "king", "queen", "prince", "princess", "pope",
    "secretary", "chairman", "chairwoman", "chair", "ceo", "director", "advisor", "adviser",
    "senior", "premier", "ambassador", "judge", "justice", "spokesman", "spokeswoman",
    "spokesperson", "professor", "prof", "rev", "foreign", "defense", "defence", "deputy",
    "former", "chief", "executive", "supreme", "state", "mayor", "analyst", "economist",
})
# Last words that make a "name" a place or building, whatever spaCy says ("Kim Il Sung Square").
FACILITY_HEADS = frozenset({
    "square", "street", "avenue", "boulevard", "road", "airport", "station", "bridge", "palace",
    "stadium", "tower", "plaza", "building", "hall", "park", "port", "harbor", "harbour",
})
# Appositions that say where someone stands in a photo, not who they are.
POSITION_WORDS = frozenset({
    "right", "left", "center", "centre", "top", "bottom", "front", "back", "second", "third",
    "middle", "above", "below", "foreground", "background", "l", "r", "c",
})
# When votes tie and PERSON is not anchored by a full name, the order below decides; ORG first
# because single capitalised tokens tagged PERSON are most often agencies or companies.
TIE_ORDER = ("ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
             "LANGUAGE", "PERSON")
# Why these groups: spaCy confuses GPE, LOC and FAC with each other far more than with ORG or
# PERSON ("the West" LOC/GPE, "Kim Il Sung Square" FAC/GPE), so one "place" group keeps a place's
# id stable across articles when the winning label flips; PERSON and ORG are what downstream
# joins (speakers, sources) care about and stay apart; the rare labels share one group.
LABEL_GROUPS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place",
                "NORP": "norp"}

# "." is not junk at the end: "U.S.", "Inc.", "Jr.".
_TRAILING_JUNK = re.compile(r"(?:\s*(?:['’]s|[\"'“”‘’,;:!?)\]]))+$")
_LEADING_JUNK = re.compile(r"^(?:[\"'“”‘’(\[\-–—]\s*|(?:the|The|THE)\s+)+")
_WORD = re.compile(r"\w")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_ACRONYM_TEXT = re.compile(r"[A-Z][A-Za-z&]*[A-Z]")
_ACRONYM = re.compile(r"\((" + _ACRONYM_TEXT.pattern + r")\)")
_ACRONYM_SKIP = frozenset({"of", "for", "and", "the", "on", "in", "&", "de", "du", "des", "la"})


@dataclass(frozen=True)
class _Raw:
    """One cleaned mention before merging: where it is, what spaCy called it, roles seen."""

    mention: Mention
    label: str
    roles: tuple[str, ...]
    before: str = ""  # the word before the mention, lower-cased ("in" Washington)
    paragraph: int = 0  # line breaks before the mention in its section
    possessive: bool = False  # "Trump's": a possessive followed the name

    @cached_property  # read on every comparison while names are joined
    def key(self) -> str:
        return " ".join(unbracketed(self.mention.text).split()).casefold()


# --- public API -------------------------------------------------------------------------------


def canonical_entities(sections: Sequence[Section]) -> tuple[Entity, ...]:
    """The article's entities, one per real-world referent, in order of first mention."""
    # Sections are visited in order and each one's mentions sorted, so groups (and entities)
    # come out in order of first mention.
    raws = _split_hyphenated([raw for section in sections for raw in _section_mentions(section)
                              if not _is_dateline(section.text, raw.mention)])
    raws = _placed_people(_headline_names(raws))
    if not raws:
        return ()
    labels = _voted_labels(raws)
    groups: dict[str, list[_Raw]] = {}
    for raw, root in zip(raws, _group_roots(raws, labels), strict=True):
        groups.setdefault(root, []).append(raw)
    # Roots are distinct normalised names, so entity ids are unique within the article.
    return tuple(_entity(root, members, labels) for root, members in groups.items())


def entity_for_span(
    entities: Sequence[Entity], section: str, caption_id: str | None, start: int, end: int
) -> Entity | None:
    """The entity whose mention overlaps ``[start, end)`` in that section most, else None."""
    best: Entity | None = None
    best_overlap = 0
    for entity in entities:
        for m in entity.mentions:
            if m.section != section or m.caption_id != caption_id:
                continue
            overlap = min(end, m.end) - max(start, m.start)
            if overlap > best_overlap:
                best, best_overlap = entity, overlap
    return best


def entity_records(article_id: str, entities: Sequence[Entity]) -> list[dict]:
    """Rows for the ENTITIES table (without the provenance columns the flow adds)."""
    return [
        {
            "entity_id": e.entity_id,
            "article_id": article_id,
            "name": e.name,
            "label": e.label,
            "kind": e.kind,
            "key": e.key,
            "mention_count": len(e.mentions),
            "aliases": list(e.aliases),
            "mentions": [
                {"section": m.section, "caption_id": m.caption_id, "start": m.start,
                 "end": m.end, "text": m.text}
                for m in e.mentions
            ],
        }
        for e in entities
    ]


def label_group(label: str) -> str:
    """The coarse kind that goes into entity_id (see LABEL_GROUPS for why)."""
    return LABEL_GROUPS.get(label, "other")


def name_key(name: str) -> str:
    """A name as compared across mentions and articles: casefolded, curly apostrophes
    straightened, periods and editorial brackets dropped ("Donald J. Trump" -> "donald j trump",
    "U.S." -> "us", "[Vladimir] Putin" -> "vladimir putin")."""
    return " ".join(unbracketed(name).replace("’", "'").replace(".", "").split()).casefold()


def unbracketed(text: str) -> str:
    """A name without the square brackets an editor put inside a quotation ("[Vladimir] Putin")."""
    return text.replace("[", "").replace("]", "")


def entity_id(label: str, name: str) -> str:
    return id_for(label_group(label), name_key(name))


def id_for(kind: str, key: str) -> str:
    """An entity id from identity alone: its coarse kind and its name key."""
    return stable_id("entity", kind, key)


# --- step 1: raw mentions ---------------------------------------------------------------------


def _section_mentions(section: Section) -> list[_Raw]:
    doc = section.doc
    raws = [raw for ent in doc.ents if ent.label_ in ENTITY_LABELS
            for raw in _ent_mentions(section, ent)]
    raws.extend(_acronym_long_forms(section, raws))
    return sorted(raws, key=lambda r: (r.mention.start, r.mention.end))


def _is_dateline(text: str, mention: Mention) -> bool:
    """A place in capitals opening its line as a news dateline ("FRANKFURT (Reuters) -"): it
    says where the story was filed, and is no entity of it."""
    if not mention.text.isupper() or len(mention.text) < 3:
        return False
    line_start = text.rfind("\n", 0, mention.start) + 1
    found = NEWS_DATELINE.match(text, mention.start, mention.end + 60)
    return not text[line_start:mention.start].strip() and found is not None \
        and found.end() > mention.end


def _headline_names(raws: Sequence[_Raw]) -> list[_Raw]:
    """A title's Title Case fools the model ("Donald Trump Claims", "Rip Donald Trump"), so a
    title mention counts only as the longest run of its words that the rest of the article
    names; the rest of it is dropped."""
    known = {r.key for r in raws if r.mention.section != "title"}
    known |= {w for r in raws if r.mention.section != "title" and r.label == "PERSON"
              for w in r.key.split()}
    out = []
    for raw in raws:
        if raw.mention.section != "title":
            out.append(raw)
            continue
        part = _known_part(raw.mention, known)
        if part is not None:
            out.append(_Raw(part, raw.label, raw.roles, raw.before, raw.paragraph))
    return out


_NAME_WORD = re.compile(r"[\w’'.-]+")


def _known_part(mention: Mention, known: set[str]) -> Mention | None:
    words = list(_NAME_WORD.finditer(mention.text))
    for size in range(len(words), 0, -1):
        for i in range(len(words) - size + 1):
            s, e = words[i].start(), words[i + size - 1].end()
            text = mention.text[s:e]
            if " ".join(text.split()).casefold() in known:
                return Mention(mention.section, mention.caption_id, mention.start + s,
                               mention.start + e, text)
    return None


def _ent_mentions(section: Section, ent: SpacySpan) -> list[_Raw]:
    """The cleaned mention(s) one spaCy entity stands for: none if it is junk, two for
    "Putin-Kim"."""
    label = ent.label_
    tokens = _name_tokens(ent, label)
    if not tokens:
        return []
    roles = _roles(ent, tokens) if label in ("PERSON", "ORG") else ()
    raws = []
    for start, end in _lines(section.text, tokens[0].idx, tokens[-1].idx + len(tokens[-1])):
        start, end = _bracketed(section.text, *_clean_offsets(section.text, start, end))
        name = section.text[start:end]
        if _WORD.search(name):
            before = section.text[max(0, start - 12):start].split()
            word = before[-1].casefold() if before else ""
            tail = section.text[end:end + 8]
            raws.append(_Raw(Mention(section.name, section.caption_id, start, end, name),
                             _context_label(_fixed_label(name, label), word,
                                            tail), roles,
                             word, section.text.count("\n", 0, start),
                             tail.startswith(("'s", "’s"))))
    return raws


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An entity spaCy ran across a line break ("Getty Images\n\nTeneo Consultants") is one
    name per line: a credit line and the next paragraph's first words."""
    spans, pos = [], start
    for brk in _LINE_BREAK.finditer(text, start, end):
        spans.append((pos, brk.start()))
        pos = brk.end()
    spans.append((pos, end))
    return [(s, e) for s, e in spans if e > s]


def _name_tokens(ent: SpacySpan, label: str) -> list[Token]:
    """The tokens of the entity that belong to the name itself."""
    tokens = list(ent)
    if label == "PERSON":
        # "Teneo’s Brady": the name starts after the last possessive.
        last_pos = max((i for i, t in enumerate(tokens) if t.tag_ == "POS"), default=-1)
        if 0 <= last_pos < len(tokens) - 1:
            tokens = tokens[last_pos + 1:]
    while tokens and _is_leading_noise(tokens[0], label, len(tokens)):
        tokens = tokens[1:]
    while tokens and (tokens[-1].tag_ == "POS" or tokens[-1].is_punct):
        tokens = tokens[:-1]
    return tokens


def _is_leading_noise(token: Token, label: str, remaining: int) -> bool:
    if token.is_punct or token.lower_ == "the":
        return True
    if label != "PERSON" or remaining == 1:
        return False
    # Titles and nationality adjectives spaCy pulled into a PERSON span; lower-case particles
    # ("de Gaulle", "van Gogh") are part of the name.
    if token.lower_ in NAME_PARTICLES:
        return False
    # A verb or common noun before a name is a headline's or a list's word the model took in
    # ("Entrusting Donald Trump", "Billionaire Donald Trump").
    return (token.lower_.rstrip(".") in TITLE_WORDS or token.tag_ in _NOT_NAME_TAGS
            or token.is_lower)


_NOT_NAME_TAGS = frozenset({"JJ", "NN", "NNS", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ"})


def _clean_offsets(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets shrunk past quotes, a leading "the" and a trailing possessive the tokenizer kept."""
    span = text[start:end]
    lead = _LEADING_JUNK.match(span)
    if lead and lead.end() < len(span):
        start += lead.end()
    span = text[start:end]
    trail = _TRAILING_JUNK.search(span)
    if trail and trail.start() > 0:
        end = start + trail.start()
    return start, end


def _bracketed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets grown to take back the opening bracket cleaning dropped from an editor's
    "[Vladimir] Putin" (or lost to the tokenizer), so the mention slices the name whole."""
    inside = text[start:end]
    if "]" in inside and "[" not in inside.partition("]")[0] and text[start - 1:start] == "[":
        return start - 1, end
    return start, end


_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_TOLD = frozenset({"told", "tells", "tell", "telling"})


def _context_label(label: str, before: str, after: str) -> str:
    """The label the words around a mention give away: "X-based" is a place ("a Berlin-based
    firm"); what someone "told" is a person or an organisation ("told Der Spiegel"), never a
    place."""
    if after.startswith(("-based", "–based")) and label not in _PLACE_LABELS:
        return "GPE"
    if before in _TOLD and label in _PLACE_LABELS:
        return "ORG"
    return label


# Words after which a one-word name is where something happens, not to whom ("talked to Brady",
# "a letter from Brady" are people).
_LOCATIVE = frozenset({"in", "near", "outside", "inside", "throughout", "across"})


def _placed_people(raws: Sequence[_Raw]) -> list[_Raw]:
    """A one-word "PERSON" the article puts only after "in" ("a rally in Antalya") is a place,
    unless it is a word of someone's name here or a possessive follows ("in Trump's view")."""
    people = {w for r in raws if r.label == "PERSON" and " " in r.key for w in r.key.split()}
    people |= {r.key for r in raws if r.label == "PERSON" and r.before not in _LOCATIVE}
    return [replace(r, label="GPE") if r.label == "PERSON" and r.before in _LOCATIVE
            and " " not in r.key and r.key not in people and not r.possessive else r
            for r in raws]


def _fixed_label(name: str, label: str) -> str:
    """spaCy's label, corrected where the name's last word gives it away."""
    words = name.split()
    if label == "PERSON" and len(words) > 1 and words[-1].casefold() in FACILITY_HEADS:
        return "FAC"
    return label


def _split_hyphenated(raws: Sequence[_Raw]) -> list[_Raw]:
    """"Putin-Kim" (as in "the Putin-Kim summit") and "Obama, Clinton" are two people, but
    "Jean-Pierre" is one name: a mention is split, whatever its label, only when every part is a
    person's name or a word of one elsewhere in the article; each part is then a PERSON."""
    known = {w for r in raws if r.label == "PERSON" and not _COORDINATION.search(r.key)
             for w in (r.key, *r.key.split())}
    out: list[_Raw] = []
    for raw in raws:
        parts = _coordinated_parts(raw.mention)
        if parts and all(" ".join(p.text.split()).casefold() in known for p in parts):
            out.extend(_Raw(p, "PERSON", (), raw.before, raw.paragraph) for p in parts)
        else:
            out.append(raw)
    return out


# what joins two names into one span: a hyphen or dash, a comma, a slash, "and", "&"
_COORDINATION = re.compile(r"\s*(?:[-–—,/&]|\band\b)\s*")


def _coordinated_parts(mention: Mention) -> list[Mention]:
    """The capitalised parts of "Putin-Kim", "Obama, Clinton" or "Brady and Cha"; [] for
    anything else."""
    parts, pos = [], 0
    for sep in [*_COORDINATION.finditer(mention.text), None]:
        end = sep.start() if sep else len(mention.text)
        piece = mention.text[pos:end]
        if not piece[:1].isupper():
            return []
        parts.append(Mention(mention.section, mention.caption_id, mention.start + pos,
                             mention.start + end, piece))
        pos = sep.end() if sep else end
    return parts if len(parts) > 1 else []


def _acronym_long_forms(section: Section, raws: Sequence[_Raw]) -> list[_Raw]:
    """"Center for Strategic and International Studies (CSIS)": spaCy often tags only one of the
    two, so the long form is recovered from the words before the parenthesis."""
    found = []
    for match in _ACRONYM.finditer(section.text):
        long_span = _long_form(section.doc, match.start(), match.group(1))
        if long_span is None:
            continue
        label = _label_at(raws, match.start(1), match.end(1)) or _label_at(
            raws, long_span[0], long_span[1]) or "ORG"
        for s, e in (long_span, (match.start(1), match.end(1))):
            if _label_at(raws, s, e) is None:
                found.append(_Raw(Mention(section.name, section.caption_id, s, e,
                                          section.text[s:e]), label, ()))
    return found


def _long_form(doc: Doc, paren: int, acronym: str) -> tuple[int, int] | None:
    """Char span of the capitalised words before ``paren`` whose initials spell ``acronym``."""
    # Only the words just before the parenthesis can spell it; scanning the whole Doc per
    # acronym made long articles quadratic.
    span = doc.char_span(0, paren, alignment_mode="contract")
    end = span.end if span is not None else 0
    before = [t for t in doc[max(0, end - 24):end] if not t.is_space]
    letters = [c for c in acronym if c.isupper()]
    words: list[Token] = []
    needed = list(letters)
    for token in reversed(before):
        if not needed:
            break
        if token.lower_ in _ACRONYM_SKIP and words:
            words.append(token)
            continue
        if not token.text[:1].isupper() or token.text[0] != needed[-1]:
            return None
        words.append(token)
        needed.pop()
    if needed or not words:
        return None
    first = words[-1]
    return first.idx, words[0].idx + len(words[0])


def _label_at(raws: Sequence[_Raw], start: int, end: int) -> str | None:
    for raw in raws:
        if raw.mention.start < end and start < raw.mention.end:
            return raw.label
    return None


# --- roles ------------------------------------------------------------------------------------


def _roles(ent: SpacySpan, name: list[Token]) -> tuple[str, ...]:
    """Titles and affiliations next to the name: pre-modifiers ("Russian President") and
    appositions ("executive director of the Stratford Center for Applied Geopolitics")."""
    found = [_premodifier(ent, name), *(_apposition(t) for t in _appositions(ent))]
    return tuple(r for r in found if r)


def _premodifier(ent: SpacySpan, name: list[Token]) -> str:
    doc = ent.doc
    inside = list(doc[ent.start:name[0].i])  # title words spaCy put inside the entity
    inside = [t for t in inside if not t.is_punct and t.lower_ != "the" and t.tag_ != "POS"]
    outside: list[Token] = []
    i = ent.start - 1
    while i >= 0 and _is_premodifier(doc[i], ent.end):
        outside.insert(0, doc[i])
        i -= 1
    return _role_text(outside + inside)


def _role_text(words: Sequence[Token]) -> str:
    """The words as written, or "" when they hold no noun: "Russian" alone is a nationality and
    "Getty Images" after a photographer's name is a credit, not a role."""
    words = list(words)
    while words and not _WORD.match(words[0].text):
        words = words[1:]
    if not any(t.pos_ == "NOUN" or t.lower_.rstrip(".") in TITLE_WORDS for t in words):
        return ""
    first, last = words[0], words[-1]
    # A Span's text is built from its own tokens; Doc.text would join the whole document.
    return " ".join(first.doc[first.i: last.i + 1].text.split())


def _is_premodifier(token: Token, end: int) -> bool:
    """A word modifying the name (or the modifier after it) from the left, not another name."""
    if token.ent_type_ == "PERSON" or token.is_punct or token.is_space:
        return False
    if token.text[:1].islower() and any(c.isupper() for c in token.text):
        return False  # "scheduleNorth": two words glued by a lost line break, not a title
    return (token.dep_ in ("compound", "amod", "nmod") and token.pos_ in ("PROPN", "NOUN", "ADJ")
            and token.i < token.head.i < end)


def _appositions(ent: SpacySpan) -> Iterable[Token]:
    return (t for t in ent.root.children if t.dep_ == "appos" and t.i >= ent.end)


def _apposition(token: Token) -> str:
    if token.lower_ in POSITION_WORDS or token.pos_ not in ("NOUN", "PROPN"):
        return ""
    if token.pos_ == "PROPN" and token.ent_type_ == "PERSON":
        return ""  # "Kim, Putin" parsed as apposition: two people, not a role
    words = [t for t in token.subtree if not t.is_space]
    while words and (not _WORD.match(words[-1].text) or words[-1].lower_ in POSITION_WORDS):
        words = words[:-1]
    # Long appositions are usually parse errors swallowing a clause.
    return _role_text(words) if len(words) <= 15 else ""


# --- step 2: labels ---------------------------------------------------------------------------


def _voted_labels(raws: Sequence[_Raw]) -> dict[str, str]:
    """Each cleaned name's label: the one most of its mentions carry."""
    votes: dict[str, Counter[str]] = {}
    for raw in raws:
        votes.setdefault(raw.key, Counter())[raw.label] += 1
    anchored = _anchored_person_names(raws)
    return {key: _winner(counts, key in anchored) for key, counts in votes.items()}


def _anchored_person_names(raws: Sequence[_Raw]) -> set[str]:
    """Names that are, or are the first/last word of, a multi-word PERSON name: for these a tie
    goes to PERSON. A lone word spaCy once called PERSON ("Sputnik") gets no such benefit."""
    full = {r.key for r in raws if r.label == "PERSON" and " " in r.key}
    edges = {w for name in full for w in (name.split()[0], name.split()[-1])}
    return full | edges


def _winner(counts: Counter[str], person_anchored: bool) -> str:
    top = max(counts.values())
    tied = [label for label, n in counts.items() if n == top]
    if len(tied) == 1:
        return tied[0]
    if person_anchored and "PERSON" in tied:
        return "PERSON"
    return min(tied, key=lambda label: TIE_ORDER.index(label) if label in TIE_ORDER else 99)


# --- step 3: joining names --------------------------------------------------------------------

# Words that put a place name after them: "in Washington" is the city even in an article about
# George Washington, while "Washington said" is the man.
PLACE_PREPOSITIONS = frozenset({"in", "to", "from", "at", "near", "across", "into", "outside",
                                "inside", "throughout", "around", "toward", "towards"})


def _group_roots(raws: Sequence[_Raw], labels: dict[str, str]) -> list[str]:
    """The root name (the entity's fullest name key) of every mention, in order."""
    parent = {raw.key: raw.key for raw in raws}
    full = [k for k in parent if labels[k] == "PERSON" and " " in k]
    first_seen: dict[str, int] = {}
    for i, raw in enumerate(raws):
        first_seen.setdefault(raw.key, i if raw.mention.section != "title" else len(raws) + i)
    for key in full:
        parent[key] = _fuller_name(key, full, first_seen) or key
    for short, long in [*_acronym_pairs(raws), *_clipped_pairs(parent, labels)]:
        if short in parent and long in parent and labels[short] != "PERSON":
            parent[short] = parent[long]
    roots = {k: _root(parent, k) for k in parent}
    people = sorted({roots[k] for k in full})
    candidates = {k: _people_named(k, people) for k in parent
                  if " " not in k and _may_be_person(k, raws, labels)}
    evidence = _people_evidence(raws, roots, full)
    out = []
    for i, raw in enumerate(raws):
        found = _fitting(raw, candidates.get(raw.key) or [], evidence)
        if len(found) == 1:
            out.append(found[0])
        elif found:
            out.append(_person_in_context(raws, i, found, roots))
        else:
            out.append(roots[raw.key])
    return out


# Words of a title or role that say whether a person is a man or a woman ("Mr.", "the first
# lady, Michelle Obama"): the article's own evidence, read here and by transforms/speakers.py.
MALE_WORDS = frozenset({"mr", "sir", "lord", "king", "prince", "spokesman", "chairman",
                        "congressman", "businessman", "husband", "father", "son", "brother"})
FEMALE_WORDS = frozenset({"mrs", "ms", "miss", "dame", "lady", "queen", "princess",
                          "spokeswoman", "chairwoman", "congresswoman", "businesswoman", "wife",
                          "mother", "daughter", "sister"})


def gender_of(texts: Iterable[str]) -> str | None:
    """"male", "female" or None from title and role words ("Mrs.", "spokeswoman")."""
    words = {w.strip(".,;:").lower() for t in texts for w in t.replace("-", " ").split()}
    male, female = bool(words & MALE_WORDS), bool(words & FEMALE_WORDS)
    return "male" if male and not female else "female" if female and not male else None


def _title_words(texts: Iterable[str]) -> set[str]:
    return {w.strip(".,;:").lower() for t in texts for w in t.replace("-", " ").split()} \
        & (TITLE_WORDS - MALE_WORDS - FEMALE_WORDS
           - {"former", "state", "senior", "chief", "deputy", "vice"})


@dataclass(frozen=True)
class _Evidence:
    """What the article says of one person named in full: gender and title words."""

    gender: str | None
    titles: frozenset[str]


def _said_of(raw: _Raw) -> list[str]:
    return [*raw.roles, raw.before]


def _people_evidence(raws: Sequence[_Raw], roots: Mapping[str, str],
                     full: Sequence[str]) -> dict[str, _Evidence]:
    said: dict[str, list[str]] = {}
    for raw in raws:
        if raw.key in full:
            said.setdefault(roots[raw.key], []).extend(_said_of(raw))
    return {p: _Evidence(gender_of(t), frozenset(_title_words(t))) for p, t in said.items()}


def _fitting(raw: _Raw, people: Sequence[str], evidence: Mapping[str, _Evidence]) -> list[str]:
    """The people a bare name's mention may be: none whose gender the mention's title
    contradicts ("Mr. Obama" is not Michelle Obama); and when its title is one only some of them
    carry ("then-Secretary Clinton"), those."""
    if not people:
        return []
    gender = gender_of(_said_of(raw))
    fit = [p for p in people if gender is None or evidence.get(p, _NONE).gender in (None, gender)]
    titles = _title_words(raw.roles)
    titled = [p for p in fit if titles & evidence.get(p, _NONE).titles]
    return titled or fit


_NONE = _Evidence(None, frozenset())


def _name_words(key: str) -> list[str]:
    return name_key(key).split()


# Generational suffixes: part of a name, never its surname ("Robert F. Kennedy Jr." is
# "Kennedy", and "Robert F. Kennedy" where no other Robert F. Kennedy is named).
GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _without_generation(words: Sequence[str]) -> list[str]:
    return list(words[:-1]) if len(words) > 2 and words[-1] in GENERATIONS else list(words)


def _fuller_name(key: str, full: Sequence[str], first_seen: Mapping[str, int]) -> str | None:
    """The one fuller form of a full name ("donald j. trump" for "donald trump"): same first and
    last word, more words in between; or a longer name ending with it that the article used
    first ("Debbie Wasserman Schultz", then "Wasserman Schultz"; a later "Crooked Hillary
    Clinton" in a quote is not a fuller form of "Hillary Clinton"). None when there is none, or
    several that differ ("george w. bush", "george h.w. bush" for "george bush")."""
    words = _name_words(key)
    longer = [f for f in full if f != key and (
        _is_shortening(words, _name_words(f))
        or (_is_surname_of(words, _name_words(f)) and first_seen[f] < first_seen[key]))]
    longest = [f for f in longer if not any(f != g and _is_shortening(_name_words(f),
                                                                      _name_words(g))
                                            for g in longer)]
    return longest[0] if len(longest) == 1 else None


def _is_surname_of(short: Sequence[str], long: Sequence[str]) -> bool:
    """"wasserman schultz" of "debbie wasserman schultz": the last words of a longer name,
    its generational suffix aside ("kennedy" of "robert f. kennedy jr.")."""
    long = _without_generation(long)
    return len(short) < len(long) and list(long[-len(short):]) == list(short)


def _is_shortening(short: Sequence[str], long: Sequence[str]) -> bool:
    """"vladimir putin" of "vladimir vladimirovich putin": same first and last word, the
    words in the same order; an initial stands for a word it starts ("j" of "john"). A name
    without its generational suffix is a shortening too ("john smith" of "john smith jr.")."""
    core = _without_generation(long)
    if len(core) < len(long) and _without_generation(short) == list(short) and \
            list(short) == core:
        return True
    long = core if _without_generation(short) == list(short) else long
    if len(short) >= len(long) or short[0] != long[0] or short[-1] != long[-1]:
        return False
    return words_fit(short[1:-1], long[1:-1])


def _people_named(word: str, people: Sequence[str]) -> list[str]:
    """The article's people whose last word (else first word: "Kim" of "Kim Jong Un",
    "Hillary") is this word."""
    w = name_key(word)
    for pos in (-1, 0):
        found = [p for p in people if _without_generation(_name_words(p))[pos] == w]
        if len({tuple(_without_generation(_name_words(p))) for p in found}) < len(found):
            return []  # father and son ("Ken Griffey Jr.", "Ken Griffey Sr."): nothing tells
        if found:
            return found
    return []


def _may_be_person(key: str, raws: Sequence[_Raw], labels: dict[str, str]) -> bool:
    """Whatever the model tagged it, a word that is part of a person's name is that person,
    unless it stands where places do ("flew to Washington")."""
    if labels[key] == "PERSON" or label_group(labels[key]) != "place":
        return True
    mine = [r for r in raws if r.key == key]
    return sum(r.before in PLACE_PREPOSITIONS for r in mine) * 2 < len(mine)


def _person_in_context(raws: Sequence[_Raw], i: int, people: Sequence[str],
                       roots: dict[str, str]) -> str:
    """Which of several people sharing a surname ("Clinton": Bill or Hillary) a mention means:
    the one named in full last in its paragraph, else the one the article names most."""
    here = raws[i].mention
    for raw in reversed(raws[:i]):
        m = raw.mention
        if (m.section, m.caption_id, raw.paragraph) != (here.section, here.caption_id,
                                                          raws[i].paragraph):
            break
        root = roots[raw.key]
        if root in people and " " in raw.key:
            return root
    counts = Counter(roots[r.key] for r in raws if " " in r.key)
    return max(people, key=lambda p: (counts[p], -people.index(p)))


def _acronym_pairs(raws: Sequence[_Raw]) -> list[tuple[str, str]]:
    """(acronym, long form) keys for every "Long Form (LF)" in the article's texts."""
    pairs = []
    by_section: dict[tuple[str, str | None], list[_Raw]] = {}
    for raw in raws:
        by_section.setdefault((raw.mention.section, raw.mention.caption_id), []).append(raw)
    for members in by_section.values():
        for short in members:
            if not _ACRONYM_TEXT.fullmatch(short.mention.text):
                continue
            capitals = "".join(c for c in short.mention.text if c.isupper())
            for long in members:
                gap = short.mention.start - long.mention.end  # "Long Form (LF": gap of " ("
                if 0 < gap <= 3 and _initials(long.mention.text) == capitals:
                    pairs.append((short.key, long.key))
    return pairs


def _clipped_pairs(keys: Iterable[str], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(clipped form, long form) of an organisation the article names both ways: "the Fed" and
    "Federal Reserve", when exactly one of its organisations' first words starts so."""
    orgs = [k for k in keys if labels[k] == "ORG" and " " in k]
    pairs = []
    for short in keys:
        if " " in short or len(short) < 3 or labels[short] == "PERSON":
            continue
        longs = [k for k in orgs if k.split()[0].startswith(short) and k.split()[0] != short]
        if len(longs) == 1:
            pairs.append((short, longs[0]))
    return pairs


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.casefold() not in _ACRONYM_SKIP)


def _root(parent: dict[str, str], key: str) -> str:
    seen = set()
    while parent[key] != key and key not in seen:
        seen.add(key)
        key = parent[key]
    return key


# --- assembling -------------------------------------------------------------------------------


def _entity(root: str, members: Sequence[_Raw], labels: dict[str, str]) -> Entity:
    mentions = tuple(sorted((m.mention for m in members), key=_reading_order))
    label = "PERSON" if labels.get(root) == "PERSON" and " " in root else _entity_label(
        members, labels)
    name = _canonical_name(root, members)
    return Entity(
        entity_id=entity_id(label, name),
        name=name,
        label=label,
        aliases=tuple(dict.fromkeys(m.text for m in mentions)),
        mentions=mentions,
        roles=tuple(dict.fromkeys(r for m in members for r in m.roles)),
    )


def _entity_label(members: Sequence[_Raw], labels: dict[str, str]) -> str:
    counts = Counter(raw.label for raw in members)
    anchored = any(labels[raw.key] == "PERSON" and " " in raw.key for raw in members)
    return _winner(counts, anchored)


_SECTION_ORDER = {name: i for i, name in enumerate(("title", "body", "caption"))}


def _reading_order(m: Mention) -> tuple[int, str, int, int]:
    return _SECTION_ORDER.get(m.section, 3), m.caption_id or "", m.start, m.end


def _canonical_name(root: str, members: Sequence[_Raw]) -> str:
    """The root name as most often written, a reader's casing before a headline's capitals
    ("Kim Jong Un", not "KIM JONG UN")."""
    spellings = Counter(raw.mention.text for raw in members if raw.key == root)
    best = max(spellings, key=lambda t: (not t.isupper(), spellings[t]))
    return " ".join(unbracketed(best).split())
