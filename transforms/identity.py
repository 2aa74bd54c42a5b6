"""One id per real-world entity across the corpus: per-article entities -> corpus entities.

Streaming: :class:`Corpus` folds per-article entity rows into a table of distinct names (kind,
key) with counts; its memory grows with distinct names, not with articles. Counts are sums, so
the state, and everything resolved from it, is the same whatever order articles arrive in, in
one go or file by file.

Resolution (:func:`resolve`) is a pure function of that state:

* a name's coarse kind (person, org, place, other) is the one most of its articles give it,
  counting articles where it is an alias of a person ("Trump" in a "Donald Trump" entity) as
  person: so "Trump" tagged ORG where it stands alone is still the person;
* full names of a person with the same first and last word are one person when their middle
  parts agree ("Donald Trump", "Donald J. Trump", "Donald John Trump"); the id then derives from
  first + last word, so a fuller form arriving later changes no id. When two fuller forms differ
  ("George W. Bush", "George H.W. Bush"), each keeps its own id and the bare "George Bush" is
  ambiguous;
* a one-word name resolves to the one person with that last or first word, or, when there
  are several, to the most prominent: the one that articles naming both resolve it to in at
  least ``DOMINANT_SHARE`` of cases (``ALIAS_MIN_ARTICLES`` at least), else, when no article
  does, the one named in full in that share of the candidates' articles; otherwise it stays
  itself and is marked ambiguous. Inside an article the article's own evidence has already
  decided (transforms/entities.py: who it names in full, who its paragraph last named);
* an acronym in capitals resolves to the one multi-word name of its kind with those initials
  ("U.S." -> "United States"), or to the name articles define it as ("CSIS").

An id is ``stable_id("entity", kind, canonical key)``: identity only, never arrival order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from transforms.entities import id_for, name_key
from transforms.names import words_fit

# A bare surname several people carry goes to the most prominent of them when that one holds
# this share of the evidence (articles that call each candidate by it, else articles naming
# each in full): a president named in 15 articles beside his wife in 4 takes the bare name.
DOMINANT_SHARE = 0.75
ALIAS_MIN_ARTICLES = 3
_INITIAL_SKIP = frozenset({"of", "for", "and", "the", "on", "in", "&"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclass
class Name:
    """Everything the corpus knows about one distinct (kind, key)."""

    articles: int = 0
    mentions: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    spellings: Counter[str] = field(default_factory=Counter)
    alias_of: Counter[str] = field(default_factory=Counter)  # root keys it was an alias of


@dataclass
class Corpus:
    """The streaming state: distinct names with their counts."""

    names: dict[tuple[str, str], Name] = field(default_factory=dict)
    # names changed since the state was last made canonical (add, subtract)
    touched: set[tuple[str, str]] = field(default_factory=set, compare=False, repr=False)

    def add(self, rows: Iterable[Mapping[str, Any]]) -> Corpus:
        """Fold per-article entity rows (kind, key, label, name, aliases, mention_count) in."""
        for r in rows:
            kind, key = r["kind"], r["key"]
            n = self._name(kind, key)
            self.touched.add((kind, key))
            n.articles += 1
            n.mentions += int(r["mention_count"])
            n.labels[r["label"]] += 1
            for spelling in dict.fromkeys([r["name"], *r["aliases"]]):
                if name_key(spelling) == key:
                    n.spellings[" ".join(spelling.split())] += 1
            for alias in {name_key(a) for a in r["aliases"]} - {key}:
                self._name(kind, alias).alias_of[key] += 1
                self.touched.add((kind, alias))
        return self

    def subtract(self, rows: Iterable[Mapping[str, Any]]) -> Corpus:
        """Fold rows out that ``add`` folded in (an article replaced or removed): counts are
        sums, so what remains is the state of the articles that remain."""
        removed = Corpus().add(rows)
        for k, o in removed.names.items():
            n = self._name(*k)
            self.touched.add(k)
            n.articles -= o.articles
            n.mentions -= o.mentions
            n.labels.subtract(o.labels)
            n.spellings.subtract(o.spellings)
            n.alias_of.subtract(o.alias_of)
        return self

    def canonical(self) -> Corpus:
        """The same state with names and counts in sorted order and nothing at zero, so that a
        state built article by article, or loaded, or with articles taken out, is the very
        state built in one go (resolution never depends on arrival order). Only names touched
        since the state was canonical are rebuilt: a run's cost is its names, not the corpus's."""
        names = {}
        for k in sorted(self.names):
            n = self.names[k]
            if k not in self.touched:
                names[k] = n
                continue
            kept = Name(n.articles, n.mentions, *(_sorted_counts(counter) for counter in
                                                  (n.labels, n.spellings, n.alias_of)))
            if kept.articles or kept.mentions or kept.alias_of:
                names[k] = kept
        return Corpus(names)

    def merge(self, other: Corpus) -> Corpus:
        for k, o in other.names.items():
            n = self._name(*k)
            n.articles += o.articles
            n.mentions += o.mentions
            n.labels.update(o.labels)
            n.spellings.update(o.spellings)
            n.alias_of.update(o.alias_of)
        return self

    def _name(self, kind: str, key: str) -> Name:
        return self.names.setdefault((kind, key), Name())


def _sorted_counts(counter: Counter[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    dict.update(out, sorted((v, c) for v, c in counter.items() if c > 0))  # no per-item checks
    return out


@dataclass(frozen=True)
class Resolved:
    entity_id: str
    kind: str
    key: str  # the canonical key the id derives from
    ambiguous: bool = False


def resolve(corpus: Corpus) -> dict[tuple[str, str], Resolved]:
    """Every (kind, key) of the corpus -> its corpus entity."""
    kinds = _kinds(corpus)
    people = _person_groups([k for k, kind in kinds.items() if kind == "person" and " " in k])
    called = _people_by_word(people)
    by_last: dict[str, list[tuple[str, str | None]]] = {}
    for (_, last), g in people.items():
        by_last.setdefault(last, []).extend(g.canonical.items())
    initials = _by_initials(corpus, kinds)
    capitals = _capitalised_keys(corpus)
    out: dict[tuple[str, str], Resolved] = {}
    for (kind, key) in corpus.names:
        final = kinds[key]
        if final == "person":
            out[(kind, key)] = _person(corpus, key, people, called, by_last)
        else:
            out[(kind, key)] = _other(corpus, final, key, initials if key in capitals else {})
    return out


def _kinds(corpus: Corpus) -> dict[str, str]:
    """Each key's one kind: the one most articles give it; articles where it is an alias of a
    person count as person."""
    votes: dict[str, Counter[str]] = {}
    for (kind, key), n in corpus.names.items():
        v = votes.setdefault(key, Counter())
        v[kind] += n.articles
        if kind == "person":
            v["person"] += sum(n.alias_of.values())
    return {key: max(sorted(v), key=lambda k: (v[k], k == "person")) for key, v in votes.items()}


def _parts(key: str) -> tuple[str, tuple[str, ...], str]:
    """first word, middle words, last word (with its suffix: "trump jr" is not "trump")."""
    words = key.split()
    if len(words) > 2 and words[-1] in _SUFFIXES:
        words = [*words[:-2], f"{words[-2]} {words[-1]}"]
    return words[0], tuple(words[1:-1]), words[-1]


@dataclass(frozen=True)
class _Group:
    """Full names sharing a first and last word, and the canonical key of each."""

    canonical: dict[str, str | None]  # key -> canonical key (None: ambiguous)


def _person_groups(full: Iterable[str]) -> dict[tuple[str, str], _Group]:
    by_ends: dict[tuple[str, str], list[str]] = {}
    for key in full:
        first, _, last = _parts(key)
        by_ends.setdefault((first, last), []).append(key)
    return {ends: _group(ends, keys) for ends, keys in by_ends.items()}


def _group(ends: tuple[str, str], keys: list[str]) -> _Group:
    middles = {k: _parts(k)[1] for k in keys}
    maximal = [k for k in keys if not any(
        words_fit(middles[k], middles[o]) and not words_fit(middles[o], middles[k]) for o in keys)]
    if len(maximal) == 1:
        return _Group({k: f"{ends[0]} {ends[1]}" for k in keys})
    canonical: dict[str, str | None] = {}
    for k in keys:
        over = [m for m in maximal if m == k or words_fit(middles[k], middles[m])]
        canonical[k] = over[0] if len(over) == 1 else None
    return _Group(canonical)


def _person(corpus: Corpus, key: str, groups: Mapping[tuple[str, str], _Group],
            called: Mapping[tuple[int, str], list[str]],
            by_last: Mapping[str, list[tuple[str, str | None]]]) -> Resolved:
    if " " in key:
        first, _, last = _parts(key)
        group = groups[(first, last)]
        canonical = group.canonical.get(key)
        if len(group.canonical) == 1:
            # "wasserman schultz" alone: the one person whose name ends with it
            longer = {c for k, c in by_last.get(last, []) if k.endswith(" " + key)}
            canonical = longer.pop() if len(longer) == 1 else canonical
        return Resolved(id_for("person", canonical or key), "person", canonical or key,
                        canonical is None)
    candidates = sorted({*called.get((1, key), []), *called.get((0, key), [])})
    if len(candidates) == 1:
        return Resolved(id_for("person", candidates[0]), "person", candidates[0])
    chosen = _dominant(corpus, key, candidates, groups)
    if chosen is not None:
        return Resolved(id_for("person", chosen), "person", chosen)
    return Resolved(id_for("person", key), "person", key, bool(candidates))


def _people_by_word(groups: Mapping[tuple[str, str], _Group]) -> dict[tuple[int, str], list[str]]:
    """(1, last word) and (0, first word) -> canonical keys of the people with that word."""
    out: dict[tuple[int, str], set[str]] = {}
    for ends, g in groups.items():
        for pos in (0, 1):
            out.setdefault((pos, ends[pos]), set()).update(
                c for c in g.canonical.values() if c is not None)
    return {k: sorted(v) for k, v in out.items()}


def _dominant(corpus: Corpus, word: str, candidates: Sequence[str],
              groups: Mapping[tuple[str, str], _Group]) -> str | None:
    """The candidate that articles naming the word beside a full name resolve it to, when one
    clearly dominates."""
    votes: Counter[str] = Counter()
    for kind in ("person", "org", "place", "other", "norp"):
        n = corpus.names.get((kind, word))
        if n is None:
            continue
        for root, count in n.alias_of.items():
            if " " in root:
                first, _, last = _parts(root)
                group = groups.get((first, last))
                canonical = group.canonical.get(root) if group else None
                if canonical is not None and canonical in candidates:
                    votes[canonical] += count
    if not votes:
        votes = _prominence(corpus, candidates, groups)
    total = sum(votes.values())
    if not total:
        return None
    top, count = max(sorted(votes.items()), key=lambda kv: kv[1])
    return top if count >= ALIAS_MIN_ARTICLES and count >= DOMINANT_SHARE * total else None


def _prominence(corpus: Corpus, candidates: Sequence[str],
                groups: Mapping[tuple[str, str], _Group]) -> Counter[str]:
    """Articles that name each candidate in full (any of its full names)."""
    out: Counter[str] = Counter()
    for g in groups.values():
        for key, canonical in g.canonical.items():
            if canonical is not None and canonical in candidates:
                out[canonical] += corpus.names.get(("person", key), Name()).articles
    return out


def _by_initials(corpus: Corpus, kinds: Mapping[str, str]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for (_, key) in corpus.names:
        words = [w for w in key.split() if w not in _INITIAL_SKIP]
        if len(words) > 1 and kinds[key] != "person":
            out.setdefault((kinds[key], "".join(w[0] for w in words)), []).append(key)
    return {k: sorted(set(v)) for k, v in out.items()}


def _other(corpus: Corpus, kind: str, key: str,
           initials: Mapping[tuple[str, str], list[str]]) -> Resolved:
    target = None
    if " " not in key:
        long_forms = initials.get((kind, key), [])
        if len(long_forms) == 1:
            target = long_forms[0]
    if target is None:
        defined: Counter[str] = Counter()
        for k in ("org", "place", "other", "norp", "person"):
            n = corpus.names.get((k, key))
            if n is not None:
                defined.update(n.alias_of)
        total = sum(defined.values())
        if total:
            top, count = max(sorted(defined.items()), key=lambda kv: kv[1])
            if count >= ALIAS_MIN_ARTICLES and count >= DOMINANT_SHARE * total:
                target = top
    return Resolved(id_for(kind, target or key), kind, target or key)


def _capitalised_keys(corpus: Corpus) -> set[str]:
    """Keys mostly written in capitals (acronyms: "U.S.", "NATO"; "us" is also a pronoun the
    model sometimes tags)."""
    votes: dict[str, Counter[bool]] = {}
    for (_, key), n in corpus.names.items():
        for spelling, count in n.spellings.items():
            votes.setdefault(key, Counter())[spelling.replace(".", "").isupper()] += count
    return {k for k, v in votes.items() if v[True] > v[False]}


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One corpus entity, as the registry lists it."""

    entity_id: str
    kind: str
    key: str
    name: str
    label: str
    aliases: tuple[str, ...]
    articles: int
    mentions: int
    ambiguous: bool


def registry(corpus: Corpus, resolved: Mapping[tuple[str, str], Resolved]) -> dict[str, Entry]:
    """entity_id -> its entry: the fullest name as readers see it written (most words, then the
    spelling most articles use, then a reader's casing before capitals), the label most of its
    articles give it (PERSON for a person), every alias, and its counts."""
    members: dict[str, list[tuple[str, str]]] = {}
    for k, r in resolved.items():
        members.setdefault(r.entity_id, []).append(k)
    out = {}
    for eid, keys in members.items():
        r = resolved[keys[0]]
        spellings: Counter[str] = Counter()
        labels: Counter[str] = Counter()
        for k in keys:
            spellings.update(corpus.names[k].spellings)
            labels.update(corpus.names[k].labels)
        name = max(sorted(spellings), key=lambda s: (len(s.split()), spellings[s],
                                                     not s.isupper())) if spellings else r.key
        label = "PERSON" if r.kind == "person" else max(sorted(labels), key=labels.__getitem__,
                                                          default="ORG")
        out[eid] = Entry(eid, r.kind, r.key, name, label, tuple(sorted(spellings)),
                         sum(corpus.names[k].articles for k in keys),
                         sum(corpus.names[k].mentions for k in keys),
                         any(resolved[k].ambiguous for k in keys))
    return out


def id_map(resolved: Mapping[tuple[str, str], Resolved]) -> dict[str, str]:
    """Article-level entity id (from the article's own kind and key) -> corpus entity id."""
    return {id_for(kind, key): r.entity_id for (kind, key), r in resolved.items()}


def superseded(previous: Iterable[Mapping[str, Any]], current: Mapping[str, Entry],
               resolved: Mapping[tuple[str, str], Resolved]) -> list[dict[str, Any]]:
    """Ids an earlier registry issued that are no longer current, each with the id it merged
    into, so saved queries on an old id still find their entity. Kept release after release,
    until nothing holds its name any more (its articles were replaced): a null merged_into
    would make it look current."""
    by_key = {(r.kind, r.key): r.entity_id for r in resolved.values()}
    by_key.update({k: r.entity_id for k, r in resolved.items()})
    out = []
    for row in previous:
        if row["entity_id"] in current:
            continue
        into = row.get("merged_into")
        if into not in current:
            into = by_key.get((row["kind"], row["key"]))
        if into is not None:
            out.append({**row, "merged_into": into})
    return out


def resolve_corpus(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], dict[str, Entry]]:
    """All entity rows of a corpus at once -> (article-level id -> corpus id, registry)."""
    resolved = resolve(Corpus().add(rows))
    return id_map(resolved), registry(Corpus().add(rows), resolved)


def entry_row(e: Entry) -> dict[str, Any]:
    """A registry entry as an entity_ids row (a current id: merged_into is null)."""
    return {"entity_id": e.entity_id, "kind": e.kind, "key": e.key, "name": e.name,
            "label": e.label, "aliases": list(e.aliases), "articles": e.articles,
            "mentions": e.mentions, "ambiguous": e.ambiguous, "merged_into": None}
