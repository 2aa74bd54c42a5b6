"""The corpus-level entity step of a publish: every entity row of the next release -> corpus
ids (transforms/identity.py), then the rows that carry an entity id rewritten with them.

Streams like near-duplicate detection: one pass folds the entity rows into the resolver's
table of distinct names (memory grows with distinct names, not articles); the tables are then
rewritten batch by batch as they are staged. Both read the rows as extraction gave them (kept
with each release), never a previous resolution, so the tables depend only on the set of
documents. The previous release's entity_ids come in for history only: an id superseded by new
knowledge ("Biden" alone, then "Joe Biden") keeps pointing at its entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from transforms import identity, schemas

_RESOLVER_COLUMNS = ["kind", "key", "label", "name", "aliases", "mention_count"]
ENTITY_IDS = "entity_ids"


@dataclass(frozen=True)
class Identity:
    """What the step decided: id rewrites and the next entity_ids table."""

    ids: Mapping[str, str]  # article-level id (as extraction gives it) -> corpus id
    entries: Mapping[str, identity.Entry]
    table: pa.Table

    def rewritten(self, name: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The table's batches with corpus ids (and, for entities, labels and merged rows)."""
        if name == "entities":
            return self._entities(batches)
        column = {"quotes": "speaker_entity_id", "claims": "source_entity_id"}.get(name)
        if column is None:
            return batches
        return (self._remapped(b, column) for b in batches)

    def _remapped(self, batch: pa.RecordBatch, column: str) -> pa.RecordBatch:
        """The speaker's id and every id of a joint speaker's list, as corpus ids (two names of
        a joint speaker that are one corpus entity count once)."""
        ids = [None if v is None else self.ids.get(v, v) for v in batch.column(column).to_pylist()]
        i = batch.schema.get_field_index(column)
        batch = batch.set_column(i, batch.schema.field(i), pa.array(ids, pa.string()))
        j = batch.schema.get_field_index(column + "s")
        lists = [list(dict.fromkeys(self.ids.get(v, v) for v in vs or []))
                 for vs in batch.column(j).to_pylist()]
        return batch.set_column(j, batch.schema.field(j), pa.array(lists, pa.list_(pa.string())))

    def _entities(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Rows of one article come together (shards and releases are written article by
        article); two rows of an article that are one corpus entity become one row."""
        schema = schemas.ENTITIES
        pending: list[dict[str, Any]] = []
        for batch in batches:
            rows = batch.to_pylist()
            out: list[dict[str, Any]] = []
            for row in rows:
                if pending and pending[-1]["article_id"] != row["article_id"]:
                    out.extend(identity.resolved_rows(pending, self.ids, self.entries))
                    pending = []
                pending.append(row)
            if out:
                yield pa.RecordBatch.from_pylist(out, schema=schema)
        if pending:
            yield pa.RecordBatch.from_pylist(
                identity.resolved_rows(pending, self.ids, self.entries), schema=schema)


def corpus_of(batches: Iterable[pa.RecordBatch]) -> identity.Corpus:
    corpus = identity.Corpus()
    for b in batches:
        corpus.add(b.select(_RESOLVER_COLUMNS).to_pylist())
    return corpus


def previous_ids(current_release: Path | None) -> list[dict[str, Any]]:
    d = current_release / "parquet" / ENTITY_IDS if current_release else None
    if d is None or not d.exists() or not any(d.glob("*.parquet")):
        return []
    return pq.read_table(d, schema=schemas.ENTITY_IDS).to_pylist()


def resolved_identity(entity_batches: Iterable[pa.RecordBatch],
                      current_release: Path | None) -> Identity:
    """The corpus ids of the extracted entity rows, and the next entity_ids table. The previous
    release's ids only add history (superseded ids and what they merged into): resolution and
    rewrites come from the extracted rows alone."""
    corpus = corpus_of(entity_batches)
    resolved = identity.resolve(corpus)
    entries = identity.registry(corpus, resolved)
    old = identity.superseded(previous_ids(current_release), entries, resolved)
    ids = identity.id_map(resolved)
    rows = [identity.entry_row(e) for e in entries.values()] + old
    rows.sort(key=lambda r: r["entity_id"])
    return Identity(ids, entries, pa.Table.from_pylist(rows, schema=schemas.ENTITY_IDS))


def stage_ids(staged_release: Path, table: pa.Table) -> None:
    out = staged_release / "parquet" / ENTITY_IDS
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "part-0.parquet")
