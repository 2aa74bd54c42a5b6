-- The tables as readers query them: the release's Parquet rows (schema raw, as extraction gave
-- each article), with the corpus-level decisions applied where they are read, so that a run
-- never rewrites old rows to change them:
--   entity_id_map: each article's own entity id -> its corpus id (and entity_ids the label);
--   duplicate_links: each republished copy -> the earliest copy of its story.
-- Read before the marts (warehouse/[0-9]*.sql), which query these.
-- These views are the only home of those rules: a run validates its rows as they give them
-- (flows/adapters/release.py readers_connection runs this file over the run's own rows and the
-- staged corpus tables), and the evaluation reads them from the warehouse it builds
-- (flows/app/evaluation.py).

CREATE OR REPLACE VIEW captions AS SELECT * FROM raw.captions;
CREATE OR REPLACE VIEW rejects AS SELECT * FROM raw.rejects;
CREATE OR REPLACE VIEW entity_ids AS SELECT * FROM raw.entity_ids;
CREATE OR REPLACE VIEW entity_id_map AS SELECT * FROM raw.entity_id_map;
CREATE OR REPLACE VIEW duplicate_links AS SELECT * FROM raw.duplicate_links;

CREATE OR REPLACE VIEW articles AS
SELECT a.* REPLACE (coalesce(l.duplicate_of, a.duplicate_of) AS duplicate_of,
                    coalesce(l.duplicate_similarity, a.duplicate_similarity)
                        AS duplicate_similarity)
FROM raw.articles AS a
LEFT JOIN raw.duplicate_links AS l USING (article_id);

-- A joint speaker's ids, each resolved, in order, each corpus entity once ([] for none).
CREATE OR REPLACE MACRO resolved_ids(ids) AS (
    SELECT coalesce(list_filter(r, lambda x, i: list_position(r, x) = i), [])
    FROM (SELECT list(coalesce(m.entity_id, u.id) ORDER BY u.pos) AS r
          FROM (SELECT unnest(ids) AS id, generate_subscripts(ids, 1) AS pos) AS u
          LEFT JOIN raw.entity_id_map AS m ON m.article_entity_id = u.id)
);

CREATE OR REPLACE VIEW quotes AS
SELECT q.* REPLACE (coalesce(m.entity_id, q.speaker_entity_id) AS speaker_entity_id,
                    resolved_ids(q.speaker_entity_ids) AS speaker_entity_ids)
FROM raw.quotes AS q
LEFT JOIN raw.entity_id_map AS m ON m.article_entity_id = q.speaker_entity_id;

CREATE OR REPLACE VIEW claims AS
SELECT c.* REPLACE (coalesce(m.entity_id, c.source_entity_id) AS source_entity_id,
                    resolved_ids(c.source_entity_ids) AS source_entity_ids)
FROM raw.claims AS c
LEFT JOIN raw.entity_id_map AS m ON m.article_entity_id = c.source_entity_id;

-- Two rows of one article that are one corpus entity become one row: the row with more
-- mentions gives the name, kind and key (on a tie the smaller id, then the name sorting first:
-- the order must be total, or the name would change with how DuckDB splits the scan); mentions
-- and aliases go together; the label is the registry's (decided over all the entity's articles).
CREATE OR REPLACE VIEW entities AS
WITH ranked AS (
    SELECT e.*, coalesce(m.entity_id, e.entity_id) AS corpus_id,
           row_number() OVER (PARTITION BY e.article_id, coalesce(m.entity_id, e.entity_id)
                              ORDER BY e.mention_count DESC, e.entity_id, e.name) AS rank
    FROM raw.entities AS e
    LEFT JOIN raw.entity_id_map AS m ON m.article_entity_id = e.entity_id
),
merged AS (
    SELECT corpus_id, article_id,
           arg_min(source_uri, rank) AS source_uri,
           arg_min(content_sha256, rank) AS content_sha256,
           arg_min(name, rank) AS name,
           arg_min(label, rank) AS label,
           arg_min(kind, rank) AS kind,
           arg_min(key, rank) AS key,
           sum(mention_count)::INTEGER AS mention_count,
           flatten(list(aliases ORDER BY rank)) AS all_aliases,
           -- a row of its own keeps its mentions in reading order; merged ones are sorted
           CASE WHEN count(*) = 1 THEN arg_min(mentions, rank)
                ELSE list_sort(flatten(list(mentions))) END AS mentions,
           arg_min(published_month, rank) AS published_month
    FROM ranked
    GROUP BY corpus_id, article_id
)
SELECT m.corpus_id AS entity_id, m.article_id, m.source_uri, m.content_sha256, m.name,
       coalesce(i.label, m.label) AS label, m.kind, m.key, m.mention_count,
       list_filter(m.all_aliases, lambda x, i: list_position(m.all_aliases, x) = i) AS aliases,
       m.mentions, m.published_month
FROM merged AS m
LEFT JOIN raw.entity_ids AS i ON i.entity_id = m.corpus_id AND i.merged_into IS NULL;
