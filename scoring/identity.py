"""The two identity figures of issue 10, scored against a hand-made list of people.

* entity identity: for each person and each article whose body names them (a whole-word alias
  match that is not part of a longer name: "Trump" in "Trump Tower" or "Ivanka Trump" does not
  count), the article has exactly one entity row whose aliases include one of the person's forms,
  that row is labelled PERSON and it carries the person's corpus-wide id (the id most of their
  articles use);
* speaker identity: for quotes and claims whose speaker or source as written is one of those
  forms, the share that carries that id.

Pure: texts, rows and the gold list come in as values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A capitalised word right before or after a match makes it part of a longer name ("Ivanka
# Trump", "Trump Tower"); a title counts as such a word too ("Mrs. Trump" may be Melania).
_NAME_BEFORE = re.compile(r"[A-Z][\w’'.-]*\s+$")
_NAME_AFTER = re.compile(r"^\s+[A-Z]")


@dataclass(frozen=True)
class Person:
    name: str
    forms: tuple[str, ...]


def people_of(gold: Iterable[Mapping[str, Any]]) -> list[Person]:
    return [Person(p["name"], tuple(p["forms"])) for p in gold]


def names_in(text: str, person: Person) -> bool:
    """Whether the text names the person by one of their forms, not inside a longer name."""
    for form in person.forms:
        for m in re.finditer(r"(?<![\w.])" + re.escape(form) + r"(?![\w])", text):
            before, after = text[max(0, m.start() - 40):m.start()], text[m.end():m.end() + 3]
            if not _NAME_BEFORE.search(before) and not _NAME_AFTER.match(after):
                return True
    return False


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _holds(aliases: Sequence[str], person: Person) -> bool:
    forms = {_norm(f) for f in person.forms}
    return any(_norm(a) in forms for a in aliases)


def entity_identity(bodies: Mapping[str, str], entities: Iterable[Mapping[str, Any]],
                    people: Sequence[Person]) -> dict[str, Any]:
    """Share of (person, article naming them) pairs with exactly one PERSON row carrying the
    person's corpus-wide id; also that id per person."""
    rows_by_article: dict[str, list[Mapping[str, Any]]] = {}
    for r in entities:
        rows_by_article.setdefault(r["article_id"], []).append(r)
    pairs = passed = 0
    ids: dict[str, str | None] = {}
    for person in people:
        named = [a for a, body in bodies.items() if names_in(body, person)]
        holding = {a: [r for r in rows_by_article.get(a, []) if _holds(r["aliases"], person)]
                   for a in named}
        votes = Counter(r["entity_id"] for rows in holding.values() for r in rows[:1]
                        if len(rows) == 1)
        ids[person.name] = votes.most_common(1)[0][0] if votes else None
        for rows in holding.values():
            pairs += 1
            passed += (len(rows) == 1 and rows[0]["label"] == "PERSON"
                       and rows[0]["entity_id"] == ids[person.name])
    return {"entity_identity": passed / pairs if pairs else 0.0, "pairs": pairs,
            "ids": ids}


def speaker_identity(speakers: Iterable[tuple[str | None, str | None]], people: Sequence[Person],
                     ids: Mapping[str, str | None]) -> dict[str, Any]:
    """(speaker as written, speaker entity id) of every quote and claim -> share of those whose
    text is one of a person's forms that carry that person's id."""
    by_form = {_norm(f): p.name for p in people for f in p.forms}
    total = hits = 0
    for text, entity in speakers:
        person = by_form.get(_norm(text or ""))
        if person is None:
            continue
        total += 1
        hits += entity is not None and entity == ids.get(person)
    return {"speaker_identity": hits / total if total else 0.0, "speaker_rows": total}
