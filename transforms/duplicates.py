"""Republished copies: near-duplicate articles linked to the earliest copy of their story.

Each body is cut into word 5-gram shingles, sketched with a 128-permutation MinHash
(datasketch) and indexed in a MinHashLSH tuned for a Jaccard threshold of 0.5. Candidate pairs
the index returns are confirmed on the sketches' estimated Jaccard similarity; confirmed pairs
are joined into groups (union-find), and every member of a group points to its earliest copy:
earliest published_date, then earliest fetched_at (unknowns last), then smallest article_id,
so the choice is deterministic whatever the input order.

Shingles are hashed without a Python-level call per shingle (CRC32 per word through map(), then
a vectorised polynomial over 5 consecutive words): that and the LSH index keep 100,000 articles
to a couple of minutes on one core. Everything is pure: a table in, a new table out.

Incremental relinking: a run costs what its new articles cost, not the corpus
------------------------------------------------------------------------------
An article's sketch (``sketch_table``, SKETCH_SCHEMA) is computed once, when the article
arrives, and stored with the release: its 128 MinHash values and its 25 LSH band keys (the
band partition MinHashLSH picks for THRESHOLD and NUM_PERM, b=25 bands of r=5 values). Two
articles are an *edge* exactly when the one-go index pairs them: both sketched, equal in at
least one band (same position), and estimated Jaccard >= THRESHOLD. Groups are the connected
components of that graph, and the links follow from the groups and the ordering keys alone.

A run adds the articles ``new`` (replacements included) and drops the articles ``removed``
(replaced ones included: a replaced id is in both). What the caller loads, per run:

1. the sketches of the new articles (``sketch_table`` of their bodies);
2. ``candidate_ids(stored bands, new)``: stored articles that share a band key with a new one
   (a scan of the article_id and bands columns only, ~0.15 s for a million rows; a 64-bit key
   collision only adds a candidate, and a removed article among the stored rows is harmless);
3. ``groups_to_load(links, candidates | removed)``: the group ids (earliest copies) of those,
   from the article_id and duplicate_of columns of the links (all rows, or just theirs);
4. the links rows of every member of those groups (``group_links``, or
   ``WHERE coalesce(duplicate_of, article_id) IN groups``) and the stored sketch rows of the
   same article_ids; whole groups, never part of one;
5. ``relinked(new, stored, links, removed)``: the links rows to write (upsert by article_id)
   after deleting the rows of ``removed``.

Why that is enough. Only an edge can change a group, and an edge to a new article needs a
shared band, so every stored article a new one touches is a candidate. A group that holds no
candidate and no removed article keeps every member and every edge, gains no edge, and keeps
its earliest copy and similarities: none of its links change. Conversely, the groups of the
next state that hold a loaded article lie wholly inside the loaded set (a path from a new
article leaves it only through a candidate, and old-to-old edges stay inside an old group), so
recomputing them on the loaded sketches alone is exact. A loaded group that lost no member is
still connected (it kept all its edges) and is taken whole; a group that lost a member is
re-joined from its pairs, by the LSH's own criterion (shared band, then estimated Jaccard), so
two members that share no band are joined only through others, as in the one-go index. Sketches
too short to compare have no bands, are never candidates and never linked. The cost of a run
is the scan of step 2 plus work on the loaded groups only.

Repeated article_ids: a new article whose id is already stored is a replacement and must be
listed in ``removed`` (the flows layer knows every stored id; this module sees only the loaded
ones). A repeat that still arrives (twice in ``new``, or a loaded surviving id again in ``new``)
is, as in ``DuplicateIndex.add``, an unlinked row of its own while the first copy keeps its
links; the output then holds that id twice, like the one-go links, and primary-key validation
is where it gets reported.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash, MinHashLSH

from transforms import schemas

__all__ = [
    "SHINGLE_WORDS", "NUM_PERM", "THRESHOLD", "MIN_SHINGLES", "LINKS_SCHEMA", "shingle_hashes",
    "signature", "DuplicateIndex", "duplicate_links", "SKETCH_SCHEMA",
    "touched_groups", "next_copies",
    "BANDS", "BAND_ROWS", "sketch_table", "candidate_ids", "groups_to_load", "group_links",
    "relinked",
]

SHINGLE_WORDS = 5
NUM_PERM = 128
THRESHOLD = 0.5
SEED = 1
# Bodies with fewer shingles are left alone: a 12-word brief shares most of its shingles with
# any other brief built from the same wire sentence, and that is not a republished copy.
MIN_SHINGLES = 20

LINKS_SCHEMA = schemas.ARTICLE_LINKS
SKETCH_SCHEMA = schemas.SKETCHES


def _band_partition() -> tuple[int, int]:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


# The stored band keys must cut the sketch exactly where the one-go index does.
BANDS, BAND_ROWS = _band_partition()

_WORD = re.compile(r"\w+")
_MASK32 = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(0x100000001B3)  # FNV-64 prime: spreads words over the 64-bit polynomial
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)  # murmur3 finaliser constants
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)


def _identity(value: Any) -> Any:
    return value


def shingle_hashes(text: str, *, words: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the text's distinct word n-grams (lower-cased, punctuation ignored)."""
    tokens = _WORD.findall(text.lower())
    if len(tokens) < words:
        return np.empty(0, dtype=np.uint64)
    # map() over C functions: no Python frame per word.
    ids = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64,
                      count=len(tokens))
    n = len(tokens) - words + 1
    with np.errstate(over="ignore"):
        acc = np.zeros(n, dtype=np.uint64)
        for k in range(words):
            acc = acc * _MULT + ids[k:k + n]
        acc ^= acc >> np.uint64(33)
        acc *= _MIX1
        acc ^= acc >> np.uint64(33)
        acc *= _MIX2
        acc ^= acc >> np.uint64(33)
    return np.unique(acc & _MASK32)


def signature(hashes: np.ndarray) -> MinHash:
    """The MinHash of a set of shingle hashes (from shingle_hashes)."""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity,
                permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    if len(hashes):
        m.update_batch(hashes.tolist())
    return m


@dataclass(frozen=True)
class _Doc:
    article_id: str
    order: tuple[Any, ...]  # sort key of "earliest copy"


def _order_key(article_id: str, published: dt.date | None,
               fetched: dt.datetime | None) -> tuple[Any, ...]:
    return (published is None, published or dt.date.min,
            fetched is None, fetched.timestamp() if fetched else 0.0, article_id)


class DuplicateIndex:
    """Incremental form: add batches of articles, then ask for the links.

    ``add`` keeps only the sketches (128 x 4 bytes per article) and the ordering keys, never the
    bodies, so batches can be streamed from Parquet. ``links()`` is pure with respect to what was
    added: the same articles in any order and any batching give the same links.
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        # The partition is worked out once, at import (datasketch integrates for ~50 ms).
        params = (BANDS, BAND_ROWS) if threshold == THRESHOLD else None
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, params=params)
        self._docs: list[_Doc] = []
        self._sketches: list[np.ndarray | None] = []
        self._pairs: list[tuple[int, int, float]] = []
        self._index_of: dict[str, int] = {}

    def add(self, article_ids: Sequence[str], bodies: Sequence[str | None],
            published: Sequence[dt.date | None] | None = None,
            fetched: Sequence[dt.datetime | None] | None = None) -> None:
        n = len(article_ids)
        published = published if published is not None else [None] * n
        fetched = fetched if fetched is not None else [None] * n
        for aid, body, pub, fetch in zip(article_ids, bodies, published, fetched, strict=True):
            i = len(self._docs)
            repeated = aid in self._index_of  # a broken primary key is validation's to report;
            self._index_of.setdefault(aid, i)  # here the row just stays unlinked
            self._docs.append(_Doc(aid, _order_key(aid, pub, fetch)))
            hashes = shingle_hashes(body or "")
            if repeated or len(hashes) < MIN_SHINGLES:
                self._sketches.append(None)
                continue
            m = signature(hashes)
            hv = m.hashvalues
            for other in self._lsh.query(m):
                j = self._index_of[other]
                sim = float(np.mean(hv == self._sketches[j]))  # type: ignore[operator]
                if sim >= self.threshold:
                    self._pairs.append((j, i, sim))
            self._lsh.insert(aid, m, check_duplication=False)
            self._sketches.append(hv)

    def links(self) -> pa.Table:
        """article_id, duplicate_of (earliest copy, null for originals and singletons),
        duplicate_similarity (estimated Jaccard between the article and that copy)."""
        parent = list(range(len(self._docs)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b, _ in self._pairs:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        earliest: dict[int, int] = {}
        for i, doc in enumerate(self._docs):
            root = find(i)
            best = earliest.get(root)
            if best is None or doc.order < self._docs[best].order:
                earliest[root] = i
        ids: list[str] = []
        dup_of: list[str | None] = []
        sims: list[float | None] = []
        for i, doc in enumerate(self._docs):
            first = earliest[find(i)]
            ids.append(doc.article_id)
            if first == i:
                dup_of.append(None)
                sims.append(None)
            else:
                dup_of.append(self._docs[first].article_id)
                mine, theirs = self._sketches[i], self._sketches[first]
                sims.append(float(np.mean(mine == theirs))
                            if mine is not None and theirs is not None else None)
        return pa.table({"article_id": ids, "duplicate_of": dup_of,
                         "duplicate_similarity": pa.array(sims, pa.float32())},
                        schema=LINKS_SCHEMA)


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist() if name in table.column_names else [None] * len(table)


def _batches(table: pa.Table, size: int) -> Iterable[pa.Table]:
    for start in range(0, table.num_rows, size):
        yield table.slice(start, size)


def duplicate_links(articles: pa.Table, *, threshold: float = THRESHOLD,
                    batch_rows: int = 5_000) -> pa.Table:
    """One row per article: article_id, duplicate_of, duplicate_similarity.

    ``articles`` needs article_id and body_text; published_date and fetched_at, when present,
    decide which copy is the earliest.
    """
    index = DuplicateIndex(threshold)
    for batch in _batches(articles, batch_rows):  # bounded Python-object memory
        index.add(_column(batch, "article_id"), _column(batch, "body_text"),
                  _column(batch, "published_date"), _column(batch, "fetched_at"))
    return index.links()


def _hashvalues(body: str | None) -> np.ndarray | None:
    hashes = shingle_hashes(body or "")
    if len(hashes) < MIN_SHINGLES:
        return None
    return np.asarray(signature(hashes).hashvalues, dtype=np.uint32)


def _band_keys(hashvalues: np.ndarray) -> np.ndarray:
    """(n, BANDS) 64-bit keys of an (n, NUM_PERM) sketch matrix, one per LSH band.

    FNV-style xor-multiply over the band's values, seeded by the band position and finished with
    murmur3's mixer: fixed arithmetic, so the same key in every process (unlike hash())."""
    n = len(hashvalues)
    cut = hashvalues[:, :BANDS * BAND_ROWS].astype(np.uint64).reshape(n, BANDS, BAND_ROWS)
    with np.errstate(over="ignore"):
        acc = np.broadcast_to(np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX1, (n, BANDS))
        for k in range(BAND_ROWS):
            acc = (acc ^ cut[:, :, k]) * _MULT
        acc = acc ^ (acc >> np.uint64(33))
        acc = acc * _MIX2
        acc = acc ^ (acc >> np.uint64(33))
    return np.ascontiguousarray(acc)


def _list_column(matrix: np.ndarray, valid: np.ndarray, value_type: pa.DataType) -> pa.Array:
    """Rows of ``matrix`` where ``valid``, null elsewhere (``matrix`` holds the valid rows)."""
    mask = pa.array(~valid)
    offsets = np.concatenate([[0], np.cumsum(valid * matrix.shape[1])]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(matrix.ravel(), value_type),
                                    mask=mask)


def sketch_table(article_ids: Sequence[str], bodies: Sequence[str | None],
                 published: Sequence[dt.date | None] | None = None,
                 fetched: Sequence[dt.datetime | None] | None = None) -> pa.Table:
    """One SKETCH_SCHEMA row per article, in input order: what relinking needs of it, for good
    (bands and hashvalues null when the body is too short to compare)."""
    n = len(article_ids)
    sketches = [_hashvalues(body) for body in bodies]
    valid = np.array([h is not None for h in sketches], dtype=bool)
    matrix = (np.stack([h for h in sketches if h is not None]) if valid.any()
              else np.empty((0, NUM_PERM), dtype=np.uint32))
    return pa.table({
        "article_id": pa.array(article_ids, pa.string()),
        "published_date": pa.array(published if published is not None else [None] * n,
                                   pa.date32()),
        "fetched_at": pa.array(fetched if fetched is not None else [None] * n,
                               pa.timestamp("us", tz="UTC")),
        "bands": _list_column(_band_keys(matrix), valid, pa.uint64()),
        "hashvalues": _list_column(matrix, valid, pa.uint32()),
    }, schema=SKETCH_SCHEMA)


def _band_rows(bands: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row numbers of the rows holding keys, their (rows, BANDS) keys read in place from the
    list's offsets (no copy of a million rows' keys), and which of them are not null (Arrow
    lets a null row span values; Parquet and sketch_table never do)."""
    if bands.type != pa.list_(pa.uint64()):
        bands = bands.cast(pa.list_(pa.uint64()))
    offsets = bands.offsets.to_numpy(zero_copy_only=False)
    spans = np.diff(offsets)
    filled = np.flatnonzero(spans)
    if not np.all(spans[filled] == BANDS):
        raise ValueError(f"bands must hold {BANDS} keys (or be null) on every row")
    values = bands.values.to_numpy(zero_copy_only=False)[offsets[0]:offsets[-1]]
    valid = bands.is_valid().to_numpy(zero_copy_only=False)[filled]
    return filled, values.reshape(len(filled), BANDS), valid


_SIEVE_BLOCK = 8192  # rows per step: a block's keys stay in cache across the lookups


def _sharing(keys: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """Rows of ``keys`` equal to a row of ``fresh`` in at least one position.

    A bitmap of the fresh keys' low bits, per position, sifts the long column with one lookup
    per key (twice as fast as comparing it with each fresh row); the few rows it lets through
    are then checked exactly."""
    if not len(keys) or not len(fresh):
        return np.empty(0, dtype=np.intp)
    sieve = np.zeros((BANDS, 1 << 16), dtype=bool)
    sieve[np.arange(BANDS), fresh.astype(np.uint16)] = True  # astype keeps the low 16 bits
    flat = sieve.ravel()
    shift = np.arange(BANDS, dtype=np.intp) << 16
    passed = np.zeros(len(keys), dtype=bool)
    for start in range(0, len(keys), _SIEVE_BLOCK):
        block = keys[start:start + _SIEVE_BLOCK].astype(np.uint16)
        passed[start:start + _SIEVE_BLOCK] = flat[block + shift].any(axis=1)
    maybe = np.flatnonzero(passed)
    exact = np.zeros(len(maybe), dtype=bool)
    for band in range(BANDS):
        exact |= np.isin(keys[maybe, band], fresh[:, band])
    return maybe[exact]


def candidate_ids(stored_bands: pa.Table, new: pa.Table) -> set[str]:
    """Ids of the stored articles that share a band key, at the same band position, with any
    article of ``new`` (both tables need article_id and bands)."""
    _, fresh, fresh_valid = _band_rows(new.column("bands").combine_chunks())
    fresh = fresh[fresh_valid]
    found: set[str] = set()
    for batch in stored_bands.select(["article_id", "bands"]).to_batches():
        rows, keys, valid = _band_rows(batch.column("bands"))
        hits = _sharing(keys, fresh)
        hits = rows[hits[valid[hits]]]
        found.update(batch.column("article_id").take(pa.array(hits)).to_pylist())
    return found


def _roots(links: pa.Table) -> pa.ChunkedArray:
    return pc.coalesce(links.column("duplicate_of"), links.column("article_id"))


def _id_set(ids: Set[str]) -> pa.Array:
    return pa.array(sorted(ids), pa.string())


def groups_to_load(links: pa.Table, article_ids: Set[str]) -> set[str]:
    """Group ids (the earliest copy, coalesce(duplicate_of, article_id)) of the given stored
    articles, read from links rows that include theirs; ids without a row are skipped."""
    mine = links.filter(pc.is_in(links.column("article_id"), value_set=_id_set(article_ids)))
    return set(_roots(mine).to_pylist())


def group_links(links: pa.Table, groups: Set[str]) -> pa.Table:
    """The links rows of every member of the given groups."""
    return links.filter(pc.is_in(_roots(links), value_set=_id_set(groups)))


def touched_groups(copies: pa.Table, touched: Set[str]) -> pa.Table:
    """LINKS_SCHEMA rows of every member of the groups the touched articles belong to, what
    ``relinked`` needs whole, from duplicate_links (copies only: an earliest copy or a lone
    article has no row there, so it gets one with no duplicate_of)."""
    mine = copies.filter(pc.is_in(copies.column("article_id"), value_set=_id_set(touched)))
    copied = set(mine.column("article_id").to_pylist())
    lone = sorted((touched - copied) | set(mine.column("duplicate_of").to_pylist()))  # roots
    links = pa.concat_tables([
        copies.select(LINKS_SCHEMA.names).cast(LINKS_SCHEMA),
        pa.table({"article_id": lone, "duplicate_of": [None] * len(lone),
                  "duplicate_similarity": [None] * len(lone)}, schema=LINKS_SCHEMA)])
    return group_links(links, groups_to_load(links, touched)).sort_by("article_id")


def next_copies(copies: pa.Table, changed: pa.Table, removed: Set[str]) -> pa.Table:
    """duplicate_links after a run (copies only, by article_id): the stored copies but those
    removed or relinked, then the relinked rows that are copies."""
    out = _id_set({*removed, *changed.column("article_id").to_pylist()})
    kept = copies.filter(pc.invert(pc.is_in(copies.column("article_id"), value_set=out)))
    fresh = changed.filter(pc.is_valid(changed.column("duplicate_of")))
    return pa.concat_tables([kept.cast(schemas.DUPLICATE_LINKS),
                             fresh.cast(schemas.DUPLICATE_LINKS)]).sort_by("article_id")


def _sketch_matrix(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(n, NUM_PERM) hash values (zeros where null) and which rows are sketched."""
    column = table.column("hashvalues").combine_chunks()
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    matrix = np.zeros((len(table), NUM_PERM), dtype=np.uint32)
    matrix[valid] = column.flatten().to_numpy(zero_copy_only=False).reshape(-1, NUM_PERM)
    return matrix, valid


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _join_bucket(members: np.ndarray, band: int, matrix: np.ndarray,
                 groups: _UnionFind) -> None:
    """Union the confirmed pairs of one bucket (rows with one key at ``band``), skipping pairs
    already joined: they cannot change a group, and a bucket of one intact group costs nothing.
    """
    cut = slice(band * BAND_ROWS, (band + 1) * BAND_ROWS)
    roots = np.array([groups.find(int(m)) for m in members])
    for at in range(len(members) - 1):
        others = members[at + 1:][roots[at + 1:] != roots[at]]
        if not len(others):
            continue
        mine = matrix[members[at]]
        same_band = np.all(matrix[others, cut] == mine[cut], axis=1)  # not a key collision
        sims = np.mean(matrix[others] == mine, axis=1)
        hits = others[same_band & (sims >= THRESHOLD)]
        for other in hits:
            groups.union(int(members[at]), int(other))
        if len(hits):
            roots = np.array([groups.find(int(m)) for m in members])
            if np.all(roots == roots[0]):
                return


def _join_pairs(matrix: np.ndarray, sketched: np.ndarray, groups: _UnionFind) -> None:
    """Every edge of the one-go index among the sketched rows: equal in some band, then
    estimated Jaccard >= THRESHOLD. Rows are bucketed on (band, key) in one sort."""
    rows = np.flatnonzero(sketched)
    if len(rows) < 2:
        return
    keys = _band_keys(matrix[rows])
    band = np.broadcast_to(np.arange(BANDS), keys.shape).ravel()
    member = np.broadcast_to(rows[:, None], keys.shape).ravel()
    key = keys.ravel()
    order = np.lexsort((member, key, band))
    band, key, member = band[order], key[order], member[order]
    starts = np.flatnonzero(np.r_[True, (band[1:] != band[:-1]) | (key[1:] != key[:-1])])
    ends = np.r_[starts[1:], len(order)]
    shared = ends - starts > 1
    for start, end in zip(starts[shared], ends[shared], strict=True):
        _join_bucket(member[start:end], int(band[start]), matrix, groups)


def _first_copies(ids: list[str]) -> np.ndarray:
    """Which rows are an id's first copy among the survivors then the new rows."""
    seen: set[str] = set()
    first = np.zeros(len(ids), dtype=bool)
    for i, aid in enumerate(ids):
        first[i] = aid not in seen
        seen.add(aid)
    return first


def _check_whole_groups(kept: pa.Table, links: pa.Table, removed: Set[str]) -> None:
    linked = set(links.column("article_id").to_pylist())
    if set(kept.column("article_id").to_pylist()) != linked - removed:
        raise ValueError("stored sketches and links must cover the same articles")
    if not set(links.column("duplicate_of").drop_null().to_pylist()) <= linked:
        raise ValueError("links must hold whole groups: an earliest copy is missing")


def _join_intact_groups(links: pa.Table, ids: list[str], first: np.ndarray, kept: int,
                        removed: Set[str], groups: _UnionFind) -> None:
    """A stored group that lost no member kept every edge: it is still one group."""
    roots = _roots(links).to_pylist()
    broken = {r for a, r in zip(links.column("article_id").to_pylist(), roots, strict=True)
              if a in removed}
    root_of = dict(zip(links.column("article_id").to_pylist(), roots, strict=True))
    row_of = {ids[i]: i for i in range(kept) if first[i]}
    for i in range(kept):
        root = root_of[ids[i]]
        if first[i] and root not in broken:
            groups.union(i, row_of[root])


def _links_of(rows: pa.Table, matrix: np.ndarray, groups: _UnionFind) -> pa.Table:
    """LINKS_SCHEMA rows of ``rows``: each points at its group's earliest copy."""
    ids = rows.column("article_id").to_pylist()
    keys = [_order_key(a, p, f) for a, p, f in zip(
        ids, rows.column("published_date").to_pylist(), rows.column("fetched_at").to_pylist(),
        strict=True)]
    earliest: dict[int, int] = {}
    for i, key in enumerate(keys):
        root = groups.find(i)
        if root not in earliest or key < keys[earliest[root]]:
            earliest[root] = i
    target = np.array([earliest[groups.find(i)] for i in range(len(ids))], dtype=np.int64)
    copies = np.flatnonzero(target != np.arange(len(ids)))
    sims = np.full(len(ids), np.nan)
    sims[copies] = np.mean(matrix[copies] == matrix[target[copies]], axis=1)
    linked = target != np.arange(len(ids))
    return pa.table({
        "article_id": ids,
        "duplicate_of": [ids[t] if c else None for t, c in zip(target, linked, strict=True)],
        "duplicate_similarity": pa.array(sims.astype(np.float32), mask=~linked),
    }, schema=LINKS_SCHEMA)


def _changed(fresh: pa.Table, links: pa.Table, kept: int) -> pa.Table:
    """The new rows (from ``kept`` on) and the stored rows whose link differs from ``links``."""
    before = dict(zip(links.column("article_id").to_pylist(),
                      zip(links.column("duplicate_of").to_pylist(),
                          links.column("duplicate_similarity").cast(pa.float32()).to_pylist(),
                          strict=True), strict=True))
    now = zip(*(fresh.column(c).to_pylist() for c in LINKS_SCHEMA.names), strict=True)
    keep = [i >= kept or before.get(a) != (d, s) for i, (a, d, s) in enumerate(now)]
    return fresh.filter(pa.array(keep, pa.bool_()))


def relinked(new: pa.Table, stored: pa.Table, links: pa.Table, removed: Set[str]) -> pa.Table:
    """LINKS_SCHEMA rows to upsert after a run: one per new article, and one per stored article
    whose duplicate_of or duplicate_similarity changed. Exactly the one-go links of the final
    articles, given the loaded set the module docstring describes:

    ``new``: SKETCH_SCHEMA rows of this run's articles; ``stored``: SKETCH_SCHEMA rows of every
    member of the loaded groups (rows of ``removed`` ids are ignored); ``links``: the current
    LINKS_SCHEMA rows of the same members; ``removed``: ids dropped this run (replaced ones too).
    """
    gone = pc.is_in(stored.column("article_id"), value_set=_id_set(removed))
    kept_rows = stored.filter(pc.invert(gone))
    _check_whole_groups(kept_rows, links, removed)
    rows = pa.concat_tables([kept_rows.select(SKETCH_SCHEMA.names).cast(SKETCH_SCHEMA),
                             new.select(SKETCH_SCHEMA.names).cast(SKETCH_SCHEMA)])
    kept = kept_rows.num_rows
    ids = rows.column("article_id").to_pylist()
    first = _first_copies(ids)
    matrix, valid = _sketch_matrix(rows)
    groups = _UnionFind(len(ids))
    _join_intact_groups(links, ids, first, kept, removed, groups)
    _join_pairs(matrix, valid & first, groups)
    return _changed(_links_of(rows, matrix, groups), links, kept)
