"""The name facts several transforms share (transforms/names.py)."""

from __future__ import annotations

import pytest

from transforms.names import NAME_JOINERS, NAME_PARTICLES, words_fit


@pytest.mark.parametrize(("short", "long", "fits"), [
    ("j", "john", True),  # an initial for its word
    ("john", "john", True),
    ("j f", "john fitzgerald", True),
    ("f j", "john fitzgerald", False),  # out of order
    ("k", "john fitzgerald", False),
    ("jo", "john", False),  # only a one-letter initial stands for a word
    ("", "john", True),
])
def test_words_fit(short: str, long: str, fits: bool) -> None:
    assert words_fit(short.split(), long.split()) is fits


def test_joiners_are_the_particles_and_the_words_of_a_list() -> None:
    assert {"and", "&"} == NAME_JOINERS - NAME_PARTICLES
    assert {"de", "van", "von", "bin", "al"} <= NAME_PARTICLES
