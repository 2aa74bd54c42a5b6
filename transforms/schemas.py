"""One pyarrow schema per table: the single declaration that Parquet, GX and DuckDB derive from.

Every field carries a ``description`` in its metadata so that the data dictionary
(``COMMENT ON`` in DuckDB, ``newsflow describe``) is generated from here and cannot drift.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

# Hive partition key shared by every per-article table, so that one article's rows
# live in the same month folder of each dataset.
PARTITION = "published_month"
UNKNOWN_MONTH = "unknown"

SECTIONS = ("title", "body", "caption")
# Where an article's published_date came from: a date line of the text, the caller's record
# (JSON lines field, crawl header), or the web page's own sources (transforms.page_dates).
DATE_SOURCES = ("dateline", "metadata", "visible", "json_ld", "meta", "time", "url", "htmldate")
CLAIM_KINDS = ("direct", "indirect", "mixed")
STANCES = ("assert", "deny", "accuse", "predict", "believe", "want", "question", "other")
ENTITY_LABELS = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE",
)
ENTITY_KINDS = ("person", "org", "place", "norp", "other")
RUN_STATUSES = ("running", "succeeded", "failed", "rejected by validation", "unchanged")


def _f(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


def _provenance() -> list[pa.Field]:
    return [
        _f("article_id", pa.string(), "Stable id of the article the row comes from.", False),
        _f("source_uri", pa.string(), "Where the source document was read from.", False),
        _f("content_sha256", pa.string(), "SHA-256 of the source document's bytes.", False),
    ]


def _span(prefix: str, what: str) -> list[pa.Field]:
    return [
        _f(f"{prefix}_start", pa.int32(), f"Start character offset of the {what} in its section."),
        _f(f"{prefix}_end", pa.int32(), f"End character offset (exclusive) of the {what}."),
    ]


def _located() -> list[pa.Field]:
    return [
        _f("section", pa.string(), "Section whose text the offsets index: title, body or caption.",
           False),
        _f("caption_id", pa.string(), "When section = caption, the caption whose text is indexed."),
        _f("start_char", pa.int32(), "Start character offset into the section's text.", False),
        _f("end_char", pa.int32(), "End character offset (exclusive) into the section's text.",
           False),
    ]


def _month() -> pa.Field:
    return _f(PARTITION, pa.string(),
              "Partition key: YYYY-MM of published_date, or 'unknown'.", False)


MENTION = pa.struct([
    ("section", pa.string()), ("caption_id", pa.string()),
    ("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()),
])

# one part of a quotation interrupted by its attribution: offsets into the section's text
QUOTE_PART = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])

ARTICLES = pa.schema([
    *_provenance(),
    _f("title", pa.string(), "Headline as the document gives it; null when it has none."),
    _f("published_date", pa.date32(), "Publication date as the document gives it, or null."),
    _f("date_source", pa.string(),
       "Where published_date came from: dateline (a date line of the text), metadata (the "
       "record's own field or crawl header), or the web page's visible (the date shown by the "
       "headline), json_ld (datePublished), meta (a published-time tag), time (<time> in the "
       "article), url (the URL's path), htmldate (its guess); never a modified date. Null when "
       "published_date is."),
    _f("body_text", pa.string(),
       "Clean body text: paragraphs and sub-headings, without captions, credits or boilerplate.",
       False),
    _f("word_count", pa.int32(), "Number of words in body_text.", False),
    _f("language", pa.string(), "ISO 639-1 code of the body's language.", False),
    _f("authors", pa.list_(pa.string()), "Bylines, when the source names them."),
    _f("publisher", pa.string(), "Publisher or site name, when known."),
    _f("url", pa.string(), "URL of the article, when known."),
    _f("canonical_url", pa.string(), "Canonical URL the page declares, when known."),
    _f("source_format", pa.string(), "Input format: txt, html, jsonl or warc.", False),
    _f("source_encoding", pa.string(),
       "Character encoding the source's bytes were read in (utf-8, cp1252, shift_jis, "
       "utf-16-le...): declared, else detected (charset-normalizer); null only when the text "
       "came already decoded."),
    _f("fetched_at", pa.timestamp("us", tz="UTC"), "When the source was fetched, when known."),
    _f("ingested_at", pa.timestamp("us", tz="UTC"), "When newsflow first processed this content.",
       False),
    _f("duplicate_of", pa.string(), "article_id of the earliest near-duplicate copy, or null."),
    _f("duplicate_similarity", pa.float32(), "Estimated Jaccard similarity to duplicate_of."),
    _month(),
])

CAPTIONS = pa.schema([
    _f("caption_id", pa.string(), "Stable id of the caption.", False),
    *_provenance(),
    _f("position", pa.int32(), "0-based order of the caption in the article.", False),
    _f("caption_text", pa.string(), "Caption text without its credit line.", False),
    _f("credit_text", pa.string(), "The raw credit line, as written."),
    _f("photographer", pa.string(), "Photographer named in the credit, or null."),
    _f("agency", pa.string(), "Photo agency named in the credit (AFP, AP, Reuters...); a "
       "picture library named alone (\"Name/Getty Images\") is the agency."),
    _f("distributor", pa.string(), "Library that passed on another agency's picture (\"AFP "
       "via Getty Images\")."),
    _month(),
])

QUOTES = pa.schema([
    _f("quote_id", pa.string(), "Stable id of the quote.", False),
    *_provenance(),
    *_located(),
    _f("quote_text", pa.string(),
       "The quoted words only, without the quotation marks; a quotation interrupted by its own "
       "attribution (“A,” he said, “B.”) is one row whose parts are joined by a space.", False),
    _f("parts", pa.list_(QUOTE_PART),
       "The quotation's parts in order, each with start/end offsets into the section's text "
       "and the text they slice; start_char/end_char run from the first part to the last.",
       False),
    _f("speaker_text", pa.string(), "The speaker as written ('he', 'Brady and Cha')."),
    *_span("speaker", "speaker as written"),
    _f("speaker_name", pa.string(), "Resolved canonical speaker name(s); ' and '-joined."),
    _f("speaker_entity_id", pa.string(), "entity_id of the resolved speaker, when one entity."),
    _f("speaker_entity_ids", pa.list_(pa.string()),
       "entity_id of every person the speaker names: each of a joint speaker's ('Brady and "
       "Cha'), else the one speaker_entity_id; empty when none resolved."),
    _f("speaker_role", pa.string(), "Speaker's title or affiliation as the article gives it."),
    _f("cue_text", pa.string(), "The attribution cue ('said', 'told CNBC')."),
    _f("cue_lemma", pa.string(), "Lemma of the cue verb."),
    _f("is_scare_quote", pa.bool_(), "A word or short phrase in quotes that nobody speaks.",
       False),
    _f("confidence", pa.float32(),
       "Calibrated probability that the speaker is right (for a scare quote: that nobody is "
       "quoted), 0..1; measured on PolNeAR TRAIN.", False),
    _month(),
])

ENTITIES = pa.schema([
    _f("entity_id", pa.string(), "Corpus-wide id of the entity, the same in every article: "
       "derived from its kind and canonical key, never from arrival order (entity_ids).",
       False),
    *_provenance(),
    _f("name", pa.string(), "Canonical name ('Vladimir Putin' for 'Putin').", False),
    _f("label", pa.string(), "Entity label, one per corpus entity (decided over all its articles): "
       "PERSON, ORG, GPE, LOC, NORP, FAC, ...", False),
    _f("kind", pa.string(), "Coarse kind of the entity as its article alone shows it: "
       + ", ".join(ENTITY_KINDS) + ". With key, what the corpus-wide entity_id is resolved from.",
       False),
    _f("key", pa.string(), "The entity's fullest name in its article, normalised (casefolded, "
       "periods dropped): 'donald j trump'.", False),
    _f("mention_count", pa.int32(), "Mentions of the entity in the article.", False),
    _f("aliases", pa.list_(pa.string()), "Distinct surface forms seen in the article.", False),
    _f("mentions", pa.list_(MENTION), "Every mention: section, caption_id, offsets and text.",
       False),
    _month(),
])

CLAIMS = pa.schema([
    _f("claim_id", pa.string(), "Stable id of the claim.", False),
    *_provenance(),
    *_located(),
    _f("content_text", pa.string(), "What is attributed: the quoted or reported content.", False),
    _f("source_text", pa.string(), "The source as written ('analysts', 'he'); null if none."),
    *_span("source", "source as written"),
    _f("source_name", pa.string(), "Resolved canonical source name(s)."),
    _f("source_entity_id", pa.string(), "entity_id of the resolved source, when one entity."),
    _f("source_entity_ids", pa.list_(pa.string()),
       "entity_id of every person the source names: each of a joint source's ('Brady and "
       "Cha'), else the one source_entity_id; empty when none resolved."),
    _f("source_role", pa.string(), "Source's title or affiliation as the article gives it."),
    _f("cue_text", pa.string(), "The cue as written ('said', 'according to', 'denies')."),
    *_span("cue", "cue"),
    _f("cue_lemma", pa.string(), "Lemma of the cue ('say', 'deny', 'accuse')."),
    _f("kind", pa.string(), "direct (quoted), indirect (reported) or mixed.", False),
    _f("stance", pa.string(), "Coarse stance of the cue in its context (particle, negation): "
       + ", ".join(STANCES) + ".", False),
    _f("is_hedged", pa.bool_(),
       "A hedge scopes over the content ('may', 'could', 'likely' on its main verb).", False),
    _f("confidence", pa.float32(),
       "Calibrated probability that the claim is right (it matches an attribution a reader "
       "would mark, with the right source), 0..1; filter on it for stricter work.", False),
    _month(),
])

REJECTS = pa.schema([
    _f("source_uri", pa.string(), "The document that was rejected.", False),
    _f("content_sha256", pa.string(), "SHA-256 of its bytes, when they could be read."),
    _f("reason", pa.string(), "Short machine-readable reason (empty, binary, encoding, ...).",
       False),
    _f("detail", pa.string(), "Human-readable explanation."),
    _f("seen_at", pa.timestamp("us", tz="UTC"), "When the document was rejected.", False),
    _f("run_id", pa.string(), "The run that rejected it.", False),
])

RUNS = pa.schema([
    _f("run_id", pa.string(), "Id of the run.", False),
    _f("started_at", pa.timestamp("us", tz="UTC"), "When the run started.", False),
    _f("finished_at", pa.timestamp("us", tz="UTC"), "When the run ended."),
    _f("status", pa.string(), "succeeded, failed, rejected by validation or unchanged.", False),
    _f("docs_read", pa.int32(), "Documents found in the input.", False),
    _f("docs_new", pa.int32(), "Documents not seen before.", False),
    _f("docs_changed", pa.int32(), "Documents whose content changed.", False),
    _f("docs_unchanged", pa.int32(), "Documents skipped because unchanged.", False),
    _f("docs_rejected", pa.int32(), "Documents rejected in this run.", False),
    _f("rows_json", pa.string(), "Rows per table after the run, as JSON.", False),
    _f("validation", pa.string(), "Validation summary."),
    _f("error", pa.string(), "Error message of a failed run."),
    _f("code_version", pa.string(), "newsflow version (and git commit when known).", False),
    _f("model_name", pa.string(), "spaCy model used.", False),
    _f("model_version", pa.string(), "Version of the spaCy model.", False),
])

# Not an article table: rebuilt from all entity rows at every publish (transforms/identity.py).
ENTITY_IDS = pa.schema([
    _f("entity_id", pa.string(), "An entity id the warehouse has issued.", False),
    _f("kind", pa.string(), "Coarse kind: " + ", ".join(ENTITY_KINDS) + ".", False),
    _f("key", pa.string(), "Canonical key the id derives from ('donald trump').", False),
    _f("name", pa.string(), "Canonical name: the fullest form as a reader writes it.", False),
    _f("label", pa.string(), "The label most of the entity's articles give it (PERSON for a "
       "person).", False),
    _f("aliases", pa.list_(pa.string()), "Every spelling of its names seen in the corpus.",
       False),
    _f("articles", pa.int32(), "Articles in which one of its names is an entity of its own.",
       False),
    _f("mentions", pa.int32(), "Mentions over all articles.", False),
    _f("ambiguous", pa.bool_(), "A name several known entities could carry ('Bush' beside "
       "George W. and Jeb Bush): kept apart rather than guessed.", False),
    _f("merged_into", pa.string(), "For a superseded id, the current id its entity now carries; "
       "null for a current id. Saved queries on an old id follow it."),
])

# Not an article table: which corpus id each article's own entity id resolves to, rewritten at
# every publish. The Parquet files of entities, quotes and claims keep each article's own ids;
# news.duckdb applies this map where they are read, so old rows are never rewritten.
ENTITY_ID_MAP = pa.schema([
    _f("article_entity_id", pa.string(), "An entity id as one article's extraction gives it: "
       "stable_id of the entity's kind and key in that article.", False),
    _f("entity_id", pa.string(), "The corpus id it resolves to (entity_ids).", False),
])

# Not an article table: each near-duplicate copy and the earliest copy of its story, rewritten
# at every publish; applied to articles where they are read.
DUPLICATE_LINKS = pa.schema([
    _f("article_id", pa.string(), "A republished copy.", False),
    _f("duplicate_of", pa.string(), "article_id of the earliest copy of its story.", False),
    _f("duplicate_similarity", pa.float32(), "Estimated Jaccard similarity to duplicate_of."),
])

# -- state: what the next run needs and readers never query (a release's state/ folder) -------

# What each input file turned into: the state behind discovery and replacement. One row per
# input file; a changed file's row is replaced like an article's rows.
FILES = pa.schema([
    pa.field("source_uri", pa.string(), nullable=False),
    pa.field("sha256", pa.string(), nullable=False),
    pa.field("size", pa.int64()),
    pa.field("mtime_ns", pa.int64()),
    pa.field("article_ids", pa.list_(pa.string())),
    pa.field("reject_uris", pa.list_(pa.string())),
])
# Each article's MinHash and LSH band keys (transforms/duplicates.py), computed once.
SKETCHES = pa.schema([
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("published_date", pa.date32()),
    pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
    pa.field("bands", pa.list_(pa.uint64())),  # null: too short to sketch
    # a plain list (NUM_PERM values, null when too short to sketch): Parquet datasets cannot
    # write a fixed-size list with null entries
    pa.field("hashvalues", pa.list_(pa.uint32())),
])
# The entity resolver's state (transforms/identity.py Corpus): one row per distinct (kind, key)
# with its counts, a counter as its values and their counts (flat lists read and write much
# faster than lists of structs). Kept with each release so the next run adds and subtracts
# articles instead of folding in every entity row of the warehouse again.
NAME_COUNTERS = ("labels", "spellings", "alias_of")
ENTITY_NAMES = pa.schema([
    pa.field("kind", pa.string(), nullable=False), pa.field("key", pa.string(), nullable=False),
    pa.field("articles", pa.int64()), pa.field("mentions", pa.int64()),
    *(f for c in NAME_COUNTERS
      for f in (pa.field(c, pa.list_(pa.string())), pa.field(f"{c}_counts",
                                                             pa.list_(pa.int64())))),
])
# The duplicate step's output: every article of a run, duplicate_of null for a first copy
# (duplicate_links keeps the copies only).
ARTICLE_LINKS = pa.schema([
    DUPLICATE_LINKS.field("article_id"),
    DUPLICATE_LINKS.field("duplicate_of").with_nullable(True),
    DUPLICATE_LINKS.field("duplicate_similarity"),
])

TABLES: Mapping[str, pa.Schema] = {
    "articles": ARTICLES,
    "captions": CAPTIONS,
    "quotes": QUOTES,
    "entities": ENTITIES,
    "claims": CLAIMS,
    "rejects": REJECTS,
}
# Corpus-level tables, rebuilt at every publish rather than merged article by article.
CORPUS_TABLES: Mapping[str, pa.Schema] = {"entity_ids": ENTITY_IDS,
                                          "entity_id_map": ENTITY_ID_MAP,
                                          "duplicate_links": DUPLICATE_LINKS}
# Tables whose rows belong to one article (replaced together when the article changes).
ARTICLE_TABLES = ("articles", "captions", "quotes", "entities", "claims")
# Tables whose entity ids (and, for entities, labels and rows) the corpus-level step decides.
# Their Parquet rows stay as extraction gave them; readers get them resolved (news.duckdb's
# views), so a warehouse depends on its set of documents, never on how runs split them.
RESOLVED_TABLES = ("entities", "quotes", "claims")
PRIMARY_KEYS: Mapping[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "captions": ("caption_id",),
    "quotes": ("quote_id",),
    "entities": ("article_id", "entity_id"),
    "claims": ("claim_id",),
    "rejects": ("source_uri",),
    "entity_ids": ("entity_id",),
    "entity_id_map": ("article_entity_id",),
    "duplicate_links": ("article_id",),
}


def stable_id(*parts: object) -> str:
    """A 16-hex-digit id that depends only on its parts, so reruns give identical ids."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def description(schema: pa.Schema, column: str) -> str:
    meta = schema.field(column).metadata or {}
    return meta.get(b"description", b"").decode("utf-8")


def to_table(name: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts) to an Arrow table of the named schema; missing keys become nulls."""
    schema = TABLES[name]
    rows = list(rows)
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)
