"""The data dictionary: descriptions of every table (declared in transforms/schemas.py) and of
every view (warehouse/*.sql), and the ``COMMENT ON`` statements that put them into each DuckDB
release. Below both the release writer and ``newsflow describe``, which render the same words."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from transforms import schemas


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


RAW = "raw"  # the schema of views over the Parquet as stored, corpus decisions not applied
RAW_NOTE = (" As stored in Parquet: each article's own entity ids and no duplicate links (the "
            "view of the same name outside schema raw applies them).")


def comment_statements() -> Iterator[str]:
    """COMMENT ON statements generated from the schema declarations, for the tables readers
    query and for the same tables in schema raw."""
    for name, schema in {**schemas.TABLES, **schemas.CORPUS_TABLES, "runs": schemas.RUNS}.items():
        kind = "TABLE" if name == "runs" else "VIEW"  # the others are views over Parquet
        qualified = [name] if name == "runs" else [name, f"{RAW}.{name}"]
        for q in qualified:
            note = RAW_NOTE if q.startswith(f"{RAW}.") else ""
            yield f"COMMENT ON {kind} {q} IS {sql_literal(TABLE_DESCRIPTIONS[name] + note)}"
            for f in schema:
                yield (f"COMMENT ON COLUMN {q}.{f.name} IS "
                       f"{sql_literal(schemas.description(schema, f.name))}")


TABLE_DESCRIPTIONS = {
    "articles": "One row per article: metadata and clean body text. Every language (see "
                "`language`).",
    "captions": "Photo captions with their parsed credit lines. Every language.",
    "quotes": "Direct quotations with their resolved speakers. English articles only (the cue "
              "model is English).",
    "entities": "Canonical people, organisations and places, one row per entity per article. "
                "Languages with a spaCy pipeline: English, plus any named in "
                "NEWSFLOW_LANGUAGE_MODELS.",
    "claims": "Attributed statements (source, cue, content), direct and indirect. English "
              "articles only (the cue model is English).",
    "rejects": "Input documents that could not be processed, and why.",
    "entity_ids": "Every entity id the warehouse has issued: current ones with their canonical "
                  "name and label, superseded ones with the id they merged into.",
    "entity_id_map": "Which corpus entity id each article's own entity id resolves to "
                     "(applied by the entities, quotes and claims views; join it when reading "
                     "their Parquet files directly).",
    "duplicate_links": "Each republished copy with the earliest copy of its story (applied "
                       "by the articles view; join it when reading articles' Parquet directly).",
    "runs": "History of newsflow runs.",
}


def _as_in(table: str, *columns: str) -> dict[str, str]:
    """A view column that passes a table's column through says what that column says: its
    words live in the schema only (transforms/schemas.py)."""
    schema = {**schemas.TABLES, **schemas.CORPUS_TABLES}[table]
    return {c: schemas.description(schema, c) for c in columns}


_STORY = "story_id = coalesce(duplicate_of, article_id): an article and its near-duplicate copies"
_DAY = "Publication day (articles.published_date); null for undated articles."

VIEW_DESCRIPTIONS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    # warehouse/10_stories.sql
    "stories": (
        "One row per story: an article and its republished near-duplicate copies, counted once.",
        {
            "story_id": f"article_id of the story's earliest copy ({_STORY}).",
            "copies": "Articles in the story, the earliest copy included.",
            "first_published": "Earliest published_date among the copies, or null.",
            "first_fetched": "Earliest fetched_at among the copies, or null.",
            "title": "Title of the earliest copy, else of any copy.",
            "article_ids": "article_id of every copy, earliest published first.",
            "publishers": "Distinct publishers of the copies (null when none is known).",
        },
    ),
    "story_quotes": (
        "Quotes counted once per story: the same words quoted in several copies of a story are "
        "one row, taken from the earliest copy that has them.",
        {
            "story_id": f"The story the quote belongs to ({_STORY}).",
            "quote_key": "Normalised quote text (lower case, straight quotes, single spaces) "
                         "used to match the same quote across copies.",
            "quote_id": "quote_id of the quote in the earliest copy that has it.",
            "article_id": "The article that quote_id comes from.",
            **_as_in("quotes", "quote_text", "speaker_name", "speaker_entity_id",
                     "speaker_text", "cue_text", "is_scare_quote", "confidence"),
            "copies": "Copies of the story in which the same quote appears.",
        },
    ),
    # warehouse/20_marts.sql
    "entity_names": (
        "One canonical name and label per entity_id, as used by the other marts: the "
        "registry's (entity_ids), else the fullest form its rows give.",
        {
            "entity_id": "Corpus-wide id of the entity (entities.entity_id).",
            **_as_in("entity_ids", "name", "label"),
        },
    ),
    "claim_details": (
        "One row per claim with its article's date, publisher, title and link, and the kind of "
        "its source; the rows behind claims_by_source.",
        {
            **_as_in("claims", "claim_id"),
            "article_id": "The article the claim was found in.",
            "story_id": f"The story the article belongs to ({_STORY}).",
            **_as_in("articles", "published_date", "publisher", "title"),
            "article_url": "Link back to the article: url, else canonical_url, else source_uri.",
            "source_kind": "person, organisation (ORG, NORP), place (GPE, LOC, FAC) or other "
                           "when the source resolved to one entity; unresolved when a source is "
                           "written but not resolved to one entity; anonymous when no source is "
                           "given.",
            "source_name": "Canonical name of the source entity, else the resolved name(s).",
            **_as_in("claims", "source_entity_id", "source_text", "source_role", "cue_lemma",
                     "kind", "stance", "is_hedged", "content_text", "confidence"),
        },
    ),
    "speakers": (
        "Who is quoted or cited: one row per resolved speaker (the entity when the speaker or "
        "source resolved to one, otherwise the resolved name as given), counting non-scare "
        "quotes and claims.",
        {
            "speaker_entity_id": "entity_id of the speaker; each person of a joint speaker "
                                 "('Brady and Cha') has a row of their own; null when the "
                                 "speaker resolved to a name but to no entity.",
            "speaker_name": "Canonical name of the entity, else the resolved name.",
            "label": _as_in("entity_ids", "label")["label"] + " Null without an entity.",
            "quotes": "Direct quotations (not scare quotes) attributed to the speaker.",
            "claims": "Claims (direct and indirect) whose source is the speaker.",
            "articles": "Distinct articles with a quote or claim by the speaker.",
            "stories": f"Distinct stories among those articles ({_STORY}).",
            "first_seen": "Earliest published_date of those articles.",
            "last_seen": "Latest published_date of those articles.",
            "roles": "Distinct roles as the articles give them (speaker_role, source_role), "
                     "sorted; empty when none.",
        },
    ),
    "entity_mentions_by_day": (
        "Mentions of each entity per publication day.",
        {
            "entity_id": "Stable id of the canonical entity.",
            **_as_in("entity_ids", "name", "label"),
            "day": _DAY,
            "articles": "Articles of that day that mention the entity.",
            "stories": f"Distinct stories among those articles ({_STORY}).",
            "mentions": "Mentions of the entity in those articles (sum of mention_count).",
        },
    ),
    "entity_cooccurrence": (
        "Pairs of entities mentioned in the same article, each pair once (entity_id_a < "
        "entity_id_b).",
        {
            "entity_id_a": "The pair's entity with the smaller entity_id.",
            "name_a": "Canonical name of entity a.",
            "label_a": "Entity label of entity a.",
            "entity_id_b": "The pair's entity with the larger entity_id.",
            "name_b": "Canonical name of entity b.",
            "label_b": "Entity label of entity b.",
            "articles": "Articles that mention both entities.",
            "stories": f"Distinct stories among those articles ({_STORY}).",
            "first_seen": "Earliest published_date of those articles.",
            "last_seen": "Latest published_date of those articles.",
        },
    ),
    "claims_by_source": (
        "Claims per kind of source and stance.",
        {
            "source_kind": "person, organisation, place, other, unresolved or anonymous (see "
                           "claim_details.source_kind).",
            **_as_in("claims", "stance"),
            "claims": "Number of claims.",
            "articles": "Distinct articles those claims come from.",
        },
    ),
    "caption_credits": (
        "Photo credits: captions per agency, photographer and distributor (all three null: "
        "captions without a parsed credit).",
        {
            "agency": "Photo agency named in the credit, or null.",
            "photographer": "Photographer named in the credit, or null.",
            "distributor": "Distributor of the picture, or null.",
            "captions": "Captions with this credit.",
            "articles": "Distinct articles with such a caption.",
        },
    ),
    "story_counts": (
        "Articles and stories per publication day, counting republished copies of a story once.",
        {
            "day": _DAY,
            "articles": "Articles published that day, copies included.",
            "stories": f"Distinct stories with an article that day ({_STORY}).",
            "new_stories": "Stories whose earliest dated copy is from that day (0 on the null "
                           "day).",
        },
    ),
    # warehouse/30_entities.sql
    "entity_registry": (
        "One row per current corpus entity: its canonical name, label, every alias and where "
        "it was seen. Superseded ids are in entity_ids (merged_into) and listed here.",
        {
            "entity_id": "Corpus-wide id (entities.entity_id).",
            **_as_in("entity_ids", "name", "label", "kind"),
            "aliases": "Every surface form seen for it, over all articles.",
            "articles": "Articles with an entity row for it.",
            "mentions": "Mentions over all articles.",
            "first_seen": "Earliest publication day of those articles (null if all undated).",
            "last_seen": "Latest publication day of those articles.",
            "ambiguous": "A name several entities could carry, kept apart rather than guessed.",
            "superseded_ids": "Ids that earlier releases gave this entity.",
        },
    ),
    "claim_targets": (
        "About whom: each entity mentioned inside a claim's content or a quote's words (by "
        "offsets into the same section), the speakers themselves left out; a joint source "
        "('Brady and Cha') gives one row per person of it.",
        {
            "what": "claim or quote.",
            "statement_id": "claim_id or quote_id.",
            "article_id": "The article of the statement.",
            "source_entity_id": "Resolved entity of the speaker or source (each person of a "
                                "joint one), when one.",
            "target_entity_id": "Entity mentioned inside the statement.",
            "stance": "Stance of the claim's cue (null for a quote).",
            "mentions": "Mentions of the target inside the statement.",
            "target_texts": "Those mentions as written.",
        },
    ),
    "who_about_whom": (
        "Who speaks about whom: claims by each resolved source about each entity inside "
        "their content, by stance.",
        {
            "source_entity_id": "The source's corpus entity.",
            "source_name": "The source's canonical name.",
            "target_entity_id": "The entity the claims are about.",
            "target_name": "Its canonical name.",
            "target_label": "Its label.",
            "stance": "Stance of the claims' cue.",
            "claims": "Claims.",
            "articles": "Articles holding them.",
            "first_day": _DAY.replace("Publication day", "First publication day"),
            "last_day": _DAY.replace("Publication day", "Last publication day"),
        },
    ),
}


# the claims an analyst can take at their word: the same columns as claim_details
VIEW_DESCRIPTIONS = {**VIEW_DESCRIPTIONS, "high_confidence_claims": (
    "claim_details rows with confidence >= 0.7 (calibrated: about that share of them or more "
    "are right; the README gives precision and recall per cut).",
    VIEW_DESCRIPTIONS["claim_details"][1])}


def view_comment_statements() -> Iterator[str]:
    """COMMENT ON statements for the views of warehouse/*.sql, run after those files."""
    for view, (text, columns) in VIEW_DESCRIPTIONS.items():
        yield f"COMMENT ON VIEW {view} IS {sql_literal(text)}"
        for column, col_text in columns.items():
            yield f"COMMENT ON COLUMN {view}.{column} IS {sql_literal(col_text)}"
