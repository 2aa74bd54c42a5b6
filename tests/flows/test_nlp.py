"""FastAnnotator must give the stock pipeline's annotations wherever the tables read them."""

from __future__ import annotations

import pytest
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, MORPH, POS, TAG

from flows.adapters.nlp import FastAnnotator, load

TEXTS = [
    "He was there and is gonna go, the senator said on Tuesday.",
    "“We won’t back down,” Kim Jong Un told KCNA, according to Russian state media.",
    "Western officials accuse North Korea of circumventing sanctions; Pyongyang denies it.",
    "",
    "   ",
    "“ ” \" ' ‘ ’",
    "Analysts say Russia may provide food.\n\nThey believed it would happen.",
]
ATTRS = [POS, MORPH, TAG, HEAD, DEP, ENT_IOB, ENT_TYPE]


@pytest.fixture(scope="module")
def both():  # type: ignore[no-untyped-def]
    nlp = load()
    return list(nlp.pipe(TEXTS)), list(FastAnnotator(nlp).pipe(TEXTS))


@pytest.mark.parametrize("i", range(len(TEXTS)))
def test_same_annotations_as_stock(both, i: int) -> None:  # type: ignore[no-untyped-def]
    stock, fast = both[0][i], both[1][i]
    assert [t.text for t in stock] == [t.text for t in fast]
    assert (stock.to_array(ATTRS) == fast.to_array(ATTRS)).all()


@pytest.mark.parametrize("i", range(len(TEXTS)))
def test_same_lemmas_on_verbs(both, i: int) -> None:  # type: ignore[no-untyped-def]
    stock, fast = both[0][i], both[1][i]
    verbs = [(a.lemma_, b.lemma_) for a, b in zip(stock, fast, strict=True)
             if a.pos_ in ("VERB", "AUX")]
    assert all(a == b for a, b in verbs)


def test_known_lemmas(both) -> None:  # type: ignore[no-untyped-def]
    fast = both[1][0]
    assert [t.lemma_ for t in fast if t.pos_ in ("VERB", "AUX")][:3] == ["be", "be", "go"]
