"""Facts about personal names that several transforms use, each written once here.

Pure: no I/O, no state.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["NAME_PARTICLES", "NAME_JOINERS", "words_fit"]

# Lower-case words inside a personal name ("Charles de Gaulle", "Vincent van Gogh", "Osama bin
# Laden", "Gabriel García Márquez y ..."): a name is still a name with them.
NAME_PARTICLES = frozenset({
    "de", "da", "das", "do", "dos", "del", "della", "di", "du", "van", "von", "der", "den",
    "ter", "ten", "zu", "bin", "ibn", "al", "el", "la", "le", "y",
})
# What may stand between the names of a list of people ("Jane Doe and John van Roe").
NAME_JOINERS = NAME_PARTICLES | {"and", "&"}


def words_fit(short: Sequence[str], long: Sequence[str]) -> bool:
    """The words of a shorter form fit a longer one's: each found in order, as itself or as an
    initial of the word it starts ("j" of "john")."""
    rest = iter(long)
    return all(any(w == x or (len(w) == 1 and x.startswith(w)) for x in rest) for w in short)
