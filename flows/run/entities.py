"""The corpus-level entity step of a publish: the resolver's state (distinct names with their
counts, transforms/identity.py) carried from release to release, the run's articles added and
the ones it replaces subtracted; then the corpus ids of every name, the entity_ids registry and
entity_id_map (article-level id -> corpus id), which news.duckdb's views apply where rows are
read. Nothing here reads the warehouse's other rows: the step costs what distinct names cost.

Counts are sums, so the state after any sequence of runs is the state of its set of documents
(``Corpus.canonical``); resolution is a function of that state, so a warehouse built run by run
resolves exactly as one built in one go. The previous release's entity_ids come in for history
only: an id superseded by new knowledge ("Biden" alone, then "Joe Biden") keeps pointing at its
entity. The decisions are applied where rows are read, by news.duckdb's views (warehouse/
tables.sql), which is also what validation reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms import identity, schemas

_RESOLVER_COLUMNS = ["kind", "key", "label", "name", "aliases", "mention_count"]


@dataclass(frozen=True)
class Identity:
    """What the step decided: article-level id -> corpus id, and the next entity_ids table."""

    ids: Mapping[str, str]
    table: pa.Table


NAMES = "entity_names"
NAMES_SCHEMA = schemas.ENTITY_NAMES
_COUNTERS = schemas.NAME_COUNTERS


def state_table(corpus: identity.Corpus) -> pa.Table:
    """The state as columns (a counter as its values and their counts: flat lists read and
    write much faster than lists of structs)."""
    names = corpus.canonical().names
    columns: dict[str, list[Any]] = {
        "kind": [k for k, _ in names], "key": [k for _, k in names],
        "articles": [n.articles for n in names.values()],
        "mentions": [n.mentions for n in names.values()]}
    for c in _COUNTERS:
        counters = [getattr(n, c) for n in names.values()]
        columns[c] = [list(counter) for counter in counters]
        columns[f"{c}_counts"] = [list(counter.values()) for counter in counters]
    return pa.table(columns, schema=NAMES_SCHEMA)


def _counter(values: list[str] | None, counts: list[int] | None) -> Counter[str]:
    out: Counter[str] = Counter()
    dict.update(out, zip(values or [], counts or [], strict=True))  # no per-item checks
    return out


def corpus_from(state: pa.Table) -> identity.Corpus:
    """The state a release kept (canonical as written)."""
    cols = {name: state.column(name).to_pylist() for name in NAMES_SCHEMA.names}
    counters = [[_counter(v, n) for v, n in zip(cols[c], cols[f"{c}_counts"], strict=True)]
                for c in _COUNTERS]
    names = {(kind, key): identity.Name(a, m, *(c[i] for c in counters))
             for i, (kind, key, a, m) in enumerate(zip(cols["kind"], cols["key"],
                                                       cols["articles"], cols["mentions"],
                                                       strict=True))}
    return identity.Corpus(names)


def next_corpus(state: pa.Table, removed: pa.Table,
                added: Iterable[pa.RecordBatch]) -> identity.Corpus:
    """The resolver's state of the next release: the current one, without the entity rows of
    articles the run replaces, with the run's new rows."""
    corpus = corpus_from(state)
    if removed.num_rows:
        corpus.subtract(removed.select(_RESOLVER_COLUMNS).to_pylist())
    for b in added:
        corpus.add(b.select(_RESOLVER_COLUMNS).to_pylist())
    return corpus.canonical()


def map_table(ids: Mapping[str, str]) -> pa.Table:
    return pa.Table.from_pylist([{"article_entity_id": k, "entity_id": v}
                                 for k, v in sorted(ids.items())], schema=schemas.ENTITY_ID_MAP)


def resolved_identity(corpus: identity.Corpus, previous_ids: pa.Table) -> Identity:
    """The corpus ids of every name the state holds, and the next entity_ids table. The previous
    release's ids only add history (superseded ids and what they merged into)."""
    resolved = identity.resolve(corpus)
    entries = identity.registry(corpus, resolved)
    current = pa.array(sorted(entries), pa.string())
    # only ids that are no longer current can be history: the rest is not read row by row
    gone = previous_ids.filter(pc.invert(pc.is_in(previous_ids.column("entity_id"),
                                                  value_set=current)))
    old = identity.superseded(gone.to_pylist(), entries, resolved)
    ids = identity.id_map(resolved)
    rows = [identity.entry_row(e) for e in entries.values()] + old
    rows.sort(key=lambda r: r["entity_id"])
    return Identity(ids, pa.Table.from_pylist(rows, schema=schemas.ENTITY_IDS))
