"""The extraction stream: the model's docs in order beside the consumer, and a crash of the
model costing only the text that caused it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from flows.run.flow import in_background, spacy_docs


class Model:
    """Stands in for nlp: upper-cases texts in batches of 3; a batch holding "boom" fails."""

    def __init__(self) -> None:
        self.pipes = 0

    def pipe(self, texts: Any) -> Iterator[str]:
        self.pipes += 1
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) == 3:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, batch: list[str]) -> list[str]:
        if "boom" in batch:
            raise ValueError("model crashed")
        return [t.upper() for t in batch]


@pytest.mark.parametrize(("texts", "expected"), [
    ([], []),
    (["a", "b"], ["A", "B"]),
    (["a", "b", "c", "d"], ["A", "B", "C", "D"]),
    (["a", "boom", "c", "d", "e", "f", "g"], ["A", None, "C", "D", "E", "F", "G"]),
    (["boom"], [None]),
    (["a", "b", "c", "boom", "boom", "f", "g"], ["A", "B", "C", None, None, "F", "G"]),
])
def test_spacy_docs_loses_only_the_culprit(texts: list[str], expected: list[Any]) -> None:
    assert list(spacy_docs(Model(), iter(texts))) == expected


def test_spacy_docs_resumes_batching_after_a_crash() -> None:
    model = Model()
    out = list(spacy_docs(model, ["boom", "b", "c", "d", "e", "f", "g", "h"]))
    assert out == [None, "B", "C", "D", "E", "F", "G", "H"]
    # 1 crashed stream + 3 single texts of its batch + 1 resumed stream, not one per text
    assert model.pipes == 5


@pytest.mark.parametrize("n", [0, 1, 5, 100])
def test_in_background_keeps_order(n: int) -> None:
    assert list(in_background(iter(range(n)), depth=4)) == list(range(n))


def test_in_background_raises_the_producer_error() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise OSError("disk gone")

    stream = in_background(items())
    assert next(stream) == 1
    with pytest.raises(OSError, match="disk gone"):
        next(stream)


def test_in_background_stops_the_producer_when_closed() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            produced.append(i)
            yield i

    before = threading.active_count()
    stream = in_background(items(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert threading.active_count() == before
    assert len(produced) < 10


def _todo(n: int, size: int = 5_000) -> list[tuple[Any, str]]:
    from pathlib import Path

    from flows.adapters.sources import SourceFile

    return [(SourceFile(Path(f"{i}.txt"), f"{i}.txt", size), f"sha{i}") for i in range(n)]


@pytest.mark.parametrize(("n", "workers", "cap", "sizes"), [
    (0, 1, 64, []),
    (20, 1, 64, [20]),
    (130, 1, 64, [64, 64, 2]),
    (20, 2, 64, [5, 4, 4, 4, 3]),
    (100, 2, 64, [25, 19, 14, 11, 8, 6, 5, 4, 4, 4]),
    (840, 2, 64, None),  # checked below: shrinking, capped, ends small
])
def test_guided_shards(n: int, workers: int, cap: int, sizes: list[int] | None) -> None:
    from flows.run.flow import guided_shards

    todo = _todo(n)
    shards = guided_shards(todo, workers, cap)
    assert [item for shard in shards for item in shard] == todo
    got = [len(s) for s in shards]
    if sizes is not None:
        assert got == sizes
    else:
        assert max(got) == cap and got == sorted(got, reverse=True) and got[-1] <= 4
        assert len(got) < 30  # a task costs tens of ms: not one per document


def test_guided_shards_respect_the_byte_budget() -> None:
    from flows.run.flow import guided_shards

    shards = guided_shards(_todo(10, size=3_000_000), 1, 64)
    assert [len(s) for s in shards] == [2, 2, 2, 2, 2]
