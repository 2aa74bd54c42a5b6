"""Synthetic *extracted* rows for the scale benchmark (issue 19): what extraction would hand the
publish step for N articles, without running spaCy on N articles.

    from bench.synthetic import synthetic_shards
    for tables, result in synthetic_shards(1_000_000, seed=1):   # shards of 5,000 articles
        write_shard(Warehouse(root), run_id, shard_no, tables)

Every table of ``transforms.schemas.TABLES`` comes out schema-valid and passes the GX suites:
ids from ``schemas.stable_id`` as extraction builds them (entity ids from
``transforms.entities.id_for(kind, key)``), ``published_month`` from ``published_date``, every
offset slicing its text out of the section, confidences in 0..1, speakers and sources pointing
at a person entity of their own article.

The shape of an article, on average: ~600 body words over a 20,000-word vocabulary drawn
Zipf-like (so that 5-word shingles are mostly distinct and near-duplicate detection has real
candidate work), ~1 caption, ~10 entities (~2.2 mentions each, a person's later mentions by
surname, so identity resolution has aliases to fold), ~3 quotes, each also a direct claim,
~3 indirect claims (~6 claims), dates spread over 2015-2024. ~5 % of articles are republished
copies of an earlier article of their shard with ~1 % of their words changed (Jaccard of
5-shingles ~0.9, above the detector's 0.5); ~0.4 % of files are rejects.

Names follow Heaps' law: the pool of names an article can draw from holds
``HEAPS_K * n ** HEAPS_BETA`` names, n being the article's position in the corpus, and a name is
drawn log-uniformly from the pool (Zipf with exponent 1: rank r has probability ~1/r), so a few
names are everywhere and new, rare names keep arriving. β = 0.55 sits in the 0.5-0.6 that
vocabulary growth measures on news give; k = 120 makes ~5,000 distinct names at PolNeAR's 840
articles, ~240,000 at 1M, ~850,000 at 10M (the name pool; the names seen trail it on small
corpora, where a draw has not yet reached every rare name).

Everything is vectorised with numpy and pyarrow, one shard (a few thousand articles) at a
time: memory is bounded by the shard, not the corpus. A shard's rows depend only on (seed,
shard number, shard size), never on n_articles, so 10k articles are the first two shards of 1M.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flows.run.records import FileResult, ShardResult
from transforms import schemas
from transforms.entities import id_for, label_group, name_key

HEAPS_K = 120.0
HEAPS_BETA = 0.55
VOCAB_SIZE = 20_000
BODY_WORDS = (450, 750)  # uniform: ~600 on average
TITLE_WORDS = (6, 12)
CAPTION_WORDS = (8, 20)
ENTITIES_PER_ARTICLE = 11  # drawn; ~10 remain once an article's repeated names are merged
EXTRA_MENTIONS = 1.2  # Poisson: mentions per entity beyond the first
QUOTES_PER_ARTICLE = 3
INDIRECT_CLAIMS_PER_ARTICLE = 3
COPY_RATE = 0.05
COPY_EDIT_RATE = 0.01
REJECT_RATE = 0.004
FIRST_DATE = dt.date(2015, 1, 1)
DAYS = (dt.date(2025, 1, 1) - FIRST_DATE).days
# Fixed, so that two calls give identical rows (ingested_at is a column like any other).
INGESTED_AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
RUN_ID = "synthetic"  # the run id the rejects carry

# kind, its share of entity names, the labels it takes (spaCy's, as LABEL_GROUPS groups them)
KINDS = (("person", 40, ("PERSON",)), ("org", 25, ("ORG",)), ("place", 20, ("GPE", "LOC", "FAC")),
         ("norp", 7, ("NORP",)), ("other", 8, ("EVENT", "LAW", "PRODUCT", "WORK_OF_ART")))
ORG_SUFFIXES = ("Group", "Party", "Council", "Institute", "Bank", "Agency", "Foundation", "Union")
OTHER_SUFFIXES = {"EVENT": "Summit", "LAW": "Act", "PRODUCT": "Phone", "WORK_OF_ART": "Report"}
# cue word -> (lemma, stance)
CUES = {"said": ("say", "assert"), "says": ("say", "assert"), "added": ("add", "assert"),
        "denied": ("deny", "deny"), "warned": ("warn", "predict"), "argued": ("argue", "believe"),
        "accused": ("accuse", "accuse"), "asked": ("ask", "question")}
AGENCIES = ("AP", "AFP", "Reuters", "Getty Images", "EPA")
_SYLLABLES = ("ka", "lo", "mi", "ra", "ven", "tor", "sa", "del", "mar", "ni", "qua", "bel", "tan",
              "do", "ri", "fen", "gal", "pe", "sor", "lin", "cha", "mo", "zu", "ber")
_PLACE_SYLLABLES = ("ar", "ost", "vel", "ora", "kan", "ist", "um", "bra", "dor", "esk", "ia",
                    "lan", "mir", "tov", "una", "grad")
_FIRST_NAMES = tuple(f"{a}{b}".capitalize() for a in ("al", "be", "ca", "da", "el", "fi", "gi",
                                                       "ha", "jo", "ke", "li", "ma", "no", "pa",
                                                       "ro", "sa")
                     for b in ("an", "ra", "lia", "ton", "na", "mes", "rie", "vin", "la", "die",
                               "ssa", "mon", "ny", "ra", "lix", "ren"))
_WORD_PATTERN = r"\w+(?:['’\-.]\w+)*"  # transforms.documents.word_count's words
SURNAMES = 20_000  # person ids share a surname only every SURNAMES ranks (Bush, Bush)
_COINED_ORGS = VOCAB_SIZE + SURNAMES  # organisations' words: neither body words nor surnames


# -- vocabulary and names ----------------------------------------------------------------------

def coined(i: int, syllables: tuple[str, ...] = _SYLLABLES, least: int = 2) -> str:
    """The i-th word made of syllables (bijective: distinct i, distinct words)."""
    parts = []
    i += sum(len(syllables) ** k for k in range(1, least))  # skip the too-short words
    while True:
        i, r = divmod(i, len(syllables))
        parts.append(syllables[r])
        if i == 0:
            return "".join(parts)
        i -= 1


@functools.cache
def vocabulary() -> pa.Array:
    """Lower-case body words, fixed for every seed (the text's style is not what varies)."""
    return pa.array([coined(i, least=2) for i in range(VOCAB_SIZE)], pa.string())


@functools.cache
def _kind_thresholds() -> np.ndarray:
    return np.cumsum([share for _, share, _ in KINDS])


def kind_and_label(name_id: int) -> tuple[str, str]:
    """A name's kind and label, from a hash of its id so that kinds mix at every rank."""
    h = int(hashlib.blake2b(name_id.to_bytes(8, "little"), digest_size=4).hexdigest(), 16)
    k = int(np.searchsorted(_kind_thresholds(), h % 100, side="right"))
    kind, _, labels = KINDS[k]
    return kind, labels[(h // 100) % len(labels)]


@dataclass(frozen=True)
class Name:
    entity_id: str
    kind: str
    key: str
    label: str
    full: str  # its first mention in an article
    short: str  # its later mentions (a person's surname)


@functools.cache
def name(name_id: int) -> Name:
    """The entity a name id stands for; kind, key and label agree as extraction makes them."""
    kind, label = kind_and_label(name_id)
    if kind == "person":
        short = coined(VOCAB_SIZE + name_id % SURNAMES).capitalize()  # never a body word
        full = f"{_FIRST_NAMES[(name_id // SURNAMES) % len(_FIRST_NAMES)]} {short}"
    elif kind == "org":
        suffix = ORG_SUFFIXES[name_id % len(ORG_SUFFIXES)]
        full = short = f"{coined(_COINED_ORGS + name_id).capitalize()} {suffix}"
    elif kind == "place":
        full = short = coined(name_id, _PLACE_SYLLABLES).capitalize()
    elif kind == "norp":
        full = short = coined(name_id, _PLACE_SYLLABLES).capitalize() + "ans"
    else:
        full = short = f"{coined(_COINED_ORGS + name_id).capitalize()} {OTHER_SUFFIXES[label]}"
    assert label_group(label) == kind
    key = name_key(full)
    return Name(id_for(kind, key), kind, key, label, full, short)


def photographer_name(i: int) -> str:
    return f"{_FIRST_NAMES[i % len(_FIRST_NAMES)]} {coined(i + 7919).capitalize()}"


# -- grouped arrays -------------------------------------------------------------------------------

def group_starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated arange(start, start + count) for every pair, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = group_starts(counts)
    within = np.arange(total) - np.repeat(offsets, counts)
    return np.repeat(starts, counts) + within


def joined(tokens: pa.Array, token_ids: np.ndarray, counts: np.ndarray) -> pa.Array:
    """Strings made of consecutive runs of token ids (counts per string), space-joined."""
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    words = tokens.take(pa.array(token_ids))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), words), " ")


def zipf_ids(rng: np.random.Generator, size: int, pool: np.ndarray | int) -> np.ndarray:
    """Ranks in [0, pool) with probability ~1/rank (log-uniform)."""
    return np.minimum((np.exp(rng.random(size) * np.log(pool)) - 1).astype(np.int64),
                      np.asarray(pool) - 1)


# -- one shard ----------------------------------------------------------------------------------

@dataclass
class Plan:
    """A shard in token space, before it becomes text: every position relative to its article."""

    body_len: np.ndarray  # per article
    body: np.ndarray  # token ids, flat, grouped by article
    ent_art: np.ndarray  # per entity row: article
    ent_name: np.ndarray  # per entity row: name id
    men_ent: np.ndarray  # per mention: entity row
    men_pos: np.ndarray  # per mention: token position in its article's body
    cue_art: np.ndarray  # per cue (one per quote or indirect claim): article
    cue_pos: np.ndarray
    cue_len: np.ndarray  # content tokens before the cue
    cue_quote: np.ndarray  # bool: a quote (and its direct claim), else an indirect claim


def name_ids(rng: np.random.Generator, first_article: int, n: int) -> tuple[np.ndarray, ...]:
    """Entity rows (article, name id) of n articles, one row per distinct name of an article."""
    counts = np.maximum(rng.poisson(ENTITIES_PER_ARTICLE, n), 1)
    art = np.repeat(np.arange(n), counts)
    pool = np.maximum(HEAPS_K * (first_article + art + 1.0) ** HEAPS_BETA, 50).astype(np.int64)
    ids = zipf_ids(rng, len(art), pool)
    # a name once per article: (article_id, entity_id) is the table's key
    _, keep = np.unique(art * (1 << 40) + ids, return_index=True)
    keep.sort()
    return art[keep], ids[keep]


def shard_plan(rng: np.random.Generator, first_article: int, n: int) -> Plan:
    body_len = rng.integers(*BODY_WORDS, n)
    body = zipf_ids(rng, int(body_len.sum()), VOCAB_SIZE).astype(np.int64)
    ent_art, ent_name = name_ids(rng, first_article, n)
    mentions = 1 + np.minimum(rng.poisson(EXTRA_MENTIONS, len(ent_art)), 6)
    n_cues = rng.poisson(QUOTES_PER_ARTICLE, n) + rng.poisson(INDIRECT_CLAIMS_PER_ARTICLE, n)
    cue_art = np.repeat(np.arange(n), n_cues)
    cue_quote = rng.random(len(cue_art)) < QUOTES_PER_ARTICLE / (
        QUOTES_PER_ARTICLE + INDIRECT_CLAIMS_PER_ARTICLE)
    men_ent = np.repeat(np.arange(len(ent_art)), mentions)
    # Mentions and cues overwrite body tokens: give each a distinct position, spread over the
    # article (stratified), in a random order so no kind of slot clusters at the start.
    slot_art = np.concatenate([ent_art[men_ent], cue_art])
    order = np.lexsort((rng.random(len(slot_art)), slot_art))
    per_art = np.bincount(slot_art, minlength=n)
    rank = np.arange(len(order)) - np.repeat(group_starts(per_art), per_art)
    arts = slot_art[order]
    pos = np.empty(len(order), np.int64)
    pos[order] = 1 + ((rank + rng.random(len(order))) * (body_len[arts] - 1)
                      / per_art[arts]).astype(np.int64)
    men_pos, cue_pos = pos[:len(men_ent)], pos[len(men_ent):]
    cue_len = np.minimum(rng.integers(6, 25, len(cue_art)), cue_pos)
    return Plan(body_len, body, ent_art, ent_name, men_ent, men_pos, cue_art, cue_pos, cue_len,
                cue_quote)


def copies(rng: np.random.Generator, n: int) -> np.ndarray:
    """src[a]: the article whose text a republishes (itself for an original)."""
    src = np.arange(n)
    is_copy = (rng.random(n) < COPY_RATE) & (src > 0)
    src[is_copy] = (rng.random(int(is_copy.sum())) * src[is_copy]).astype(np.int64)
    while not np.array_equal(src, src[src]):  # a copy of a copy republishes the original
        src = src[src]
    return src


def regrouped(group: np.ndarray, n: int, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (sorted by group) gathered so group a holds group src[a]'s rows: (index, group)."""
    counts = np.bincount(group, minlength=n)
    idx = ranges(group_starts(counts)[src], counts[src])
    return idx, np.repeat(np.arange(n), counts[src])


def republished(rng: np.random.Generator, plan: Plan, src: np.ndarray) -> Plan:
    """The plan with every copy holding its original's text and rows, ~1 % of its words edited
    (names and cues are written in afterwards, at the positions the rows point at)."""
    n = len(src)
    art_of_tok = np.repeat(np.arange(n), plan.body_len)
    tok_idx, tok_art = regrouped(art_of_tok, n, src)
    body = plan.body[tok_idx]
    edit = (src[tok_art] != tok_art) & (rng.random(len(body)) < COPY_EDIT_RATE)
    body[edit] = zipf_ids(rng, int(edit.sum()), VOCAB_SIZE)
    ent_idx, ent_art = regrouped(plan.ent_art, n, src)
    # mentions follow their entity rows: renumber to the gathered rows
    men_order = np.argsort(plan.men_ent, kind="stable")
    men_counts = np.bincount(plan.men_ent, minlength=len(plan.ent_art))
    men_idx = ranges(group_starts(men_counts)[ent_idx], men_counts[ent_idx])
    men_ent = np.repeat(np.arange(len(ent_idx)), men_counts[ent_idx])
    cue_idx, cue_art = regrouped(plan.cue_art, n, src)
    return Plan(plan.body_len[src], body, ent_art, plan.ent_name[ent_idx], men_ent,
                plan.men_pos[men_order][men_idx], cue_art, plan.cue_pos[cue_idx],
                plan.cue_len[cue_idx], plan.cue_quote[cue_idx])


@dataclass(frozen=True)
class Vocabulary:
    """The shard's token table: words, then cues, then each distinct name's full and short form."""

    tokens: pa.Array
    lengths: np.ndarray
    name_ids: np.ndarray  # sorted, distinct
    names: list[Name]  # of name_ids, in that order
    first_cue: int
    first_name: int

    def slot(self, name_ids: np.ndarray) -> np.ndarray:
        """Index into names of each name id."""
        return np.searchsorted(self.name_ids, name_ids)

    def of(self, name_ids: np.ndarray) -> list[Name]:
        return [self.names[s] for s in self.slot(name_ids)]

    def full(self, k: np.ndarray) -> np.ndarray:
        return self.first_name + 2 * k

    def short(self, k: np.ndarray) -> np.ndarray:
        return self.first_name + 2 * k + 1


def shard_vocabulary(name_ids: np.ndarray) -> Vocabulary:
    names = [name(int(i)) for i in name_ids]
    words = [*vocabulary().to_pylist(), *CUES]
    tokens = pa.array([*words, *(f for n in names for f in (n.full, n.short))], pa.string())
    lengths = pc.utf8_length(tokens).to_numpy().astype(np.int64)
    return Vocabulary(tokens, lengths, name_ids, names, VOCAB_SIZE, len(words))


# -- rows -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Located:
    """A plan turned into text: final tokens and their character offsets in their article."""

    plan: Plan
    vocab: Vocabulary
    tokens: np.ndarray
    tok_start: np.ndarray  # per flat token, relative to its article's body
    art_first_tok: np.ndarray  # per article: index of its first flat token
    men_first: np.ndarray  # per mention: is it its entity's first in the article

    def start(self, art: np.ndarray, pos: np.ndarray) -> np.ndarray:
        return self.tok_start[self.art_first_tok[art] + pos]

    def end(self, art: np.ndarray, pos: np.ndarray) -> np.ndarray:
        tok = self.art_first_tok[art] + pos
        return self.tok_start[tok] + self.vocab.lengths[self.tokens[tok]]


def located(plan: Plan, vocab: Vocabulary, rng: np.random.Generator) -> Located:
    """Names and cues written into the body (a person's first mention in full, later ones by
    surname), then every token's offset."""
    art_first_tok = group_starts(plan.body_len)
    men_art = plan.ent_art[plan.men_ent]
    by_entity = np.lexsort((plan.men_pos, plan.men_ent))
    first = np.zeros(len(by_entity), bool)
    first[by_entity] = np.concatenate([[True], np.diff(plan.men_ent[by_entity]) != 0])
    slot = vocab.slot(plan.ent_name)[plan.men_ent]
    tokens = plan.body.copy()
    tokens[art_first_tok[men_art] + plan.men_pos] = np.where(first, vocab.full(slot),
                                                            vocab.short(slot))
    cue_words = vocab.first_cue + rng.integers(0, len(CUES), len(plan.cue_art))
    tokens[art_first_tok[plan.cue_art] + plan.cue_pos] = cue_words
    step = vocab.lengths[tokens] + 1
    cum = np.cumsum(step) - step
    tok_start = cum - np.repeat(cum[art_first_tok], plan.body_len)
    return Located(plan, vocab, tokens, tok_start, art_first_tok, first)


@dataclass(frozen=True)
class Articles:
    """Per-article columns every table stamps its rows with."""

    ids: list[str]
    uris: list[str]
    shas: list[str]
    dates: np.ndarray  # days since FIRST_DATE
    months: list[str]

    def stamp(self, art: np.ndarray) -> dict[str, pa.Array]:
        take = pa.array(art, pa.int64())
        return {"article_id": pa.array(self.ids).take(take),
                "source_uri": pa.array(self.uris).take(take),
                "content_sha256": pa.array(self.shas).take(take),
                schemas.PARTITION: pa.array(self.months).take(take)}


def file_sha256(seed: int, uri: str) -> str:
    return hashlib.sha256(f"synthetic\x1f{seed}\x1f{uri}".encode()).hexdigest()


def shard_articles(seed: int, first: int, dates: np.ndarray) -> Articles:
    uris = [f"synthetic://{first + i + 1:06d}.txt" for i in range(len(dates))]
    days = [FIRST_DATE + dt.timedelta(days=int(d)) for d in dates]
    return Articles([schemas.stable_id("article", u) for u in uris], uris,
                    [file_sha256(seed, u) for u in uris], dates,
                    [d.strftime("%Y-%m") for d in days])


def table(name_: str, columns: dict[str, pa.Array], rows: int) -> pa.Table:
    """The schema's table from the given columns; the others null (nullable ones only)."""
    schema = schemas.TABLES[name_]
    arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(rows, f.type)
              for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def articles_table(loc: Located, arts: Articles, rng: np.random.Generator,
                   src: np.ndarray) -> pa.Table:
    n = len(arts.ids)
    body = joined(loc.vocab.tokens, loc.tokens, loc.plan.body_len)
    title_len = rng.integers(*TITLE_WORDS, n)
    titles = pc.utf8_capitalize(joined(loc.vocab.tokens, zipf_ids(
        rng, int(title_len.sum()), VOCAB_SIZE), title_len))
    titles = pa.array(titles.to_numpy(zero_copy_only=False)[src])  # a copy keeps its headline
    epoch_days = (FIRST_DATE - dt.date(1970, 1, 1)).days
    cols = {"title": titles, "body_text": body,
            "published_date": pa.array((arts.dates + epoch_days).astype(np.int32)).cast(
                pa.date32()),
            "word_count": pc.count_substring_regex(body, _WORD_PATTERN),
            "language": pa.array(["en"] * n), "source_format": pa.array(["txt"] * n),
            "source_encoding": pa.array(["utf-8"] * n),
            "ingested_at": pa.array([INGESTED_AT] * n, pa.timestamp("us", tz="UTC")),
            **arts.stamp(np.arange(n))}
    return table("articles", cols, n)


def captions_table(arts: Articles, rng: np.random.Generator, src: np.ndarray,
                   vocab: Vocabulary) -> pa.Table:
    """~1 caption per article (0, 1 or 2), credited to a photographer and an agency."""
    per = rng.choice([0, 1, 2], len(arts.ids), p=[0.25, 0.5, 0.25])[src]
    art = np.repeat(np.arange(len(per)), per)
    position = np.arange(len(art)) - np.repeat(group_starts(per), per)
    words = rng.integers(*CAPTION_WORDS, len(art))
    text = pc.utf8_capitalize(joined(vocab.tokens, zipf_ids(rng, int(words.sum()), VOCAB_SIZE),
                                     words))
    photographer = [photographer_name(int(i)) for i in zipf_ids(rng, len(art), 5_000)]
    agency = [AGENCIES[i] for i in rng.integers(0, len(AGENCIES), len(art))]
    ids = [schemas.stable_id(arts.ids[a], "caption", int(p)) for a, p in zip(art, position,
                                                                           strict=True)]
    cols = {"caption_id": pa.array(ids), "position": pa.array(position, pa.int32()),
            "caption_text": text, "photographer": pa.array(photographer),
            "agency": pa.array(agency),
            "credit_text": pa.array([f"{p}/{a}" for p, a in zip(photographer, agency,
                                                                 strict=True)]),
            **arts.stamp(art)}
    return table("captions", cols, len(art))


def entities_table(loc: Located, arts: Articles) -> pa.Table:
    plan = loc.plan
    order = np.lexsort((plan.men_pos, plan.men_ent))  # mentions of a row, in text order
    men_ent = plan.men_ent[order]
    men_art = plan.ent_art[men_ent]
    men_pos = plan.men_pos[order]
    counts = np.bincount(men_ent, minlength=len(plan.ent_art))
    start = loc.start(men_art, men_pos)
    end = loc.end(men_art, men_pos)
    text = loc.vocab.tokens.take(pa.array(loc.tokens[loc.art_first_tok[men_art] + men_pos]))
    n_men = len(men_ent)
    mentions = pa.StructArray.from_arrays(
        [pa.array(["body"] * n_men), pa.nulls(n_men, pa.string()),
         pa.array(start, pa.int32()), pa.array(end, pa.int32()), text],
        fields=list(schemas.MENTION))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    rows = loc.vocab.of(plan.ent_name)
    aliases = [[r.full] if c == 1 or r.short == r.full else [r.full, r.short]
               for r, c in zip(rows, counts, strict=True)]
    cols = {"entity_id": pa.array([r.entity_id for r in rows]),
            "name": pa.array([r.full for r in rows]), "label": pa.array([r.label for r in rows]),
            "kind": pa.array([r.kind for r in rows]), "key": pa.array([r.key for r in rows]),
            "mention_count": pa.array(counts, pa.int32()),
            "aliases": pa.array(aliases, pa.list_(pa.string())),
            "mentions": pa.ListArray.from_arrays(offsets, mentions),
            **arts.stamp(plan.ent_art)}
    return table("entities", cols, len(rows))


def cue_sources(loc: Located, rng: np.random.Generator) -> np.ndarray:
    """Per cue, the entity row of a person of its own article it is attributed to (-1 when
    the article names nobody)."""
    plan = loc.plan
    rows = np.flatnonzero([n.kind == "person" for n in loc.vocab.of(plan.ent_name)])
    if not len(rows):
        return np.full(len(plan.cue_art), -1)
    per = np.bincount(plan.ent_art[rows], minlength=len(plan.body_len))  # rows sorted by article
    have = per[plan.cue_art]
    idx = group_starts(per)[plan.cue_art] + (rng.random(len(have)) * have).astype(np.int64)
    return np.where(have > 0, rows[np.minimum(idx, len(rows) - 1)], -1)


def source_columns(loc: Located, sources: np.ndarray, cues: np.ndarray,
                   prefix: str) -> dict[str, pa.Array]:
    """The source as written (its first mention in the article), its name and entity id."""
    plan = loc.plan
    row = sources[cues]
    first_men = np.full(len(plan.ent_art), -1)
    firsts = np.flatnonzero(loc.men_first)
    first_men[plan.men_ent[firsts]] = firsts
    has = row >= 0
    men = first_men[np.where(has, row, 0)]
    art = plan.cue_art[cues]
    start = np.where(has, loc.start(art, plan.men_pos[men]), 0)
    end = np.where(has, loc.end(art, plan.men_pos[men]), 0)
    names = loc.vocab.of(plan.ent_name)
    who = [names[r] if r >= 0 else None for r in row]
    return {f"{prefix}_text": pa.array([w.full if w else None for w in who], pa.string()),
            f"{prefix}_start": pa.array(start, pa.int32(), mask=~has),
            f"{prefix}_end": pa.array(end, pa.int32(), mask=~has),
            f"{prefix}_name": pa.array([w.full if w else None for w in who], pa.string()),
            f"{prefix}_entity_id": pa.array([w.entity_id if w else None for w in who],
                                            pa.string()),
            f"{prefix}_entity_ids": pa.array([[w.entity_id] if w else [] for w in who],
                                             pa.list_(pa.string()))}


def content_columns(loc: Located, cues: np.ndarray) -> dict[str, pa.Array]:
    """Offsets and text of what each cue attributes: the words just before the cue."""
    plan = loc.plan
    art, pos, n = plan.cue_art[cues], plan.cue_pos[cues], plan.cue_len[cues]
    start = loc.start(art, pos - n)
    end = loc.end(art, pos - 1)
    tok = ranges(loc.art_first_tok[art] + pos - n, n)
    cue_tok = loc.tokens[loc.art_first_tok[art] + pos]
    return {"start_char": pa.array(start, pa.int32()), "end_char": pa.array(end, pa.int32()),
            "text": joined(loc.vocab.tokens, loc.tokens[tok], n),
            "cue_text": loc.vocab.tokens.take(pa.array(cue_tok)),
            "cue_start": pa.array(loc.start(art, pos), pa.int32()),
            "cue_end": pa.array(loc.end(art, pos), pa.int32()),
            "_cue_word": pa.array(cue_tok - loc.vocab.first_cue)}


def attributed_ids(kind: str, arts: Articles, loc: Located, cues: np.ndarray,
                   content: dict[str, pa.Array]) -> pa.Array:
    starts, ends = content["start_char"].to_pylist(), content["end_char"].to_pylist()
    return pa.array([schemas.stable_id(kind, arts.ids[a], "body", None, s, e) for a, s, e in
                     zip(loc.plan.cue_art[cues], starts, ends, strict=True)])


def confidences(rng: np.random.Generator, n: int) -> pa.Array:
    return pa.array(rng.beta(5, 2, n).astype(np.float32), pa.float32())


def quotes_table(loc: Located, arts: Articles, sources: np.ndarray,
                 rng: np.random.Generator) -> pa.Table:
    cues = np.flatnonzero(loc.plan.cue_quote)
    content = content_columns(loc, cues)
    speaker = source_columns(loc, sources, cues, "speaker")
    cue_word = content.pop("_cue_word").to_numpy()
    n = len(cues)
    parts = pa.StructArray.from_arrays([content["start_char"], content["end_char"],
                                        content["text"]], fields=list(schemas.QUOTE_PART))
    cols = {"quote_id": attributed_ids("quote", arts, loc, cues, content),
            "section": pa.array(["body"] * n), "start_char": content["start_char"],
            "end_char": content["end_char"], "quote_text": content["text"],
            "parts": pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), parts),
            **speaker, "cue_text": content["cue_text"],
            "cue_lemma": pa.array([list(CUES.values())[w][0] for w in cue_word], pa.string()),
            "is_scare_quote": pa.array(np.zeros(n, bool)), "confidence": confidences(rng, n),
            **arts.stamp(loc.plan.cue_art[cues])}
    return table("quotes", cols, n)


def claims_table(loc: Located, arts: Articles, sources: np.ndarray,
                 rng: np.random.Generator) -> pa.Table:
    """A direct claim per quote, and the indirect ones."""
    cues = np.arange(len(loc.plan.cue_art))
    content = content_columns(loc, cues)
    source = source_columns(loc, sources, cues, "source")
    cue_word = content.pop("_cue_word").to_numpy()
    lemmas_stances = [list(CUES.values())[w] for w in cue_word]
    n = len(cues)
    cols = {"claim_id": attributed_ids("claim", arts, loc, cues, content),
            "section": pa.array(["body"] * n), "start_char": content["start_char"],
            "end_char": content["end_char"], "content_text": content["text"], **source,
            "cue_text": content["cue_text"], "cue_start": content["cue_start"],
            "cue_end": content["cue_end"],
            "cue_lemma": pa.array([ls[0] for ls in lemmas_stances]),
            "stance": pa.array([ls[1] for ls in lemmas_stances]),
            "kind": pa.array(np.where(loc.plan.cue_quote, "direct", "indirect")),
            "is_hedged": pa.array(rng.random(n) < 0.1), "confidence": confidences(rng, n),
            **arts.stamp(loc.plan.cue_art)}
    return table("claims", cols, n)


def rejects_table(seed: int, first: int, n: int) -> pa.Table:
    uris = [f"synthetic://rejected-{first + i + 1:06d}.txt" for i in range(n)]
    cols = {"source_uri": pa.array(uris), "content_sha256": pa.array(
        [file_sha256(seed, u) for u in uris]), "reason": pa.array(["empty"] * n),
        "detail": pa.array(["synthetic: a file with no text"] * n),
        "seen_at": pa.array([INGESTED_AT] * n, pa.timestamp("us", tz="UTC")),
        "run_id": pa.array([RUN_ID] * n)}
    return table("rejects", cols, n)


def shard_tables(seed: int, shard_no: int, shard_articles_: int,
                 n: int) -> tuple[dict[str, pa.Table], ShardResult]:
    """Shard shard_no (of shard_articles_ articles each) of the corpus, holding n articles."""
    rng = np.random.default_rng([seed, shard_no])
    first = shard_no * shard_articles_
    src = copies(rng, n)
    plan = shard_plan(rng, first, n)
    distinct = np.unique(plan.ent_name)
    vocab = shard_vocabulary(distinct)
    plan = republished(rng, plan, src)
    loc = located(plan, vocab, rng)
    dates = rng.integers(0, DAYS, n)
    dates = dates[src] + np.where(src != np.arange(n), rng.integers(0, 4, n), 0)
    dates = np.minimum(dates, DAYS - 1)
    arts = shard_articles(seed, first, dates)
    sources = cue_sources(loc, rng)
    n_rejects = int(np.ceil(n * REJECT_RATE))  # at least one a shard: the table is never empty
    tables = {"articles": articles_table(loc, arts, rng, src),
              "captions": captions_table(arts, rng, src, vocab),
              "quotes": quotes_table(loc, arts, sources, rng),
              "entities": entities_table(loc, arts),
              "claims": claims_table(loc, arts, sources, rng),
              "rejects": rejects_table(seed, first, n_rejects)}
    return tables, shard_result(arts, tables)


def shard_result(arts: Articles, tables: dict[str, pa.Table]) -> ShardResult:
    files = {u: FileResult(s, [a]) for u, s, a in zip(arts.uris, arts.shas, arts.ids,
                                                      strict=True)}
    rejects = tables["rejects"]
    for uri, sha in zip(rejects["source_uri"].to_pylist(), rejects["content_sha256"].to_pylist(),
                        strict=True):
        files[uri] = FileResult(sha, [], [uri])
    return ShardResult(files, documents=len(files), rejected=rejects.num_rows,
                       words=int(pc.sum(tables["articles"]["word_count"]).as_py() or 0))


def synthetic_shards(n_articles: int, seed: int, shard_articles: int = 5000,
                     ) -> Iterator[tuple[dict[str, pa.Table], ShardResult]]:
    """n_articles synthetic articles' rows of every table, shard by shard, with what each
    shard's files turned into (as an extraction task reports it)."""
    for shard_no, first in enumerate(range(0, n_articles, shard_articles)):
        yield shard_tables(seed, shard_no, shard_articles,
                           min(shard_articles, n_articles - first))
