-- Entities across the corpus, and who speaks about whom.
-- entity_ids is written by the corpus-level step (transforms/identity.py): one row per id the
-- warehouse ever issued; merged_into is null for a current id and names the current id for a
-- superseded one, so a saved query on an old id can follow it:
--   SELECT coalesce(merged_into, entity_id) FROM entity_ids WHERE entity_id = '<old id>'.

-- One row per current corpus entity.
CREATE OR REPLACE VIEW entity_registry AS
SELECT
    i.entity_id,
    i.name,
    i.label,
    i.kind,
    list_sort(list_distinct(list_concat(i.aliases, flatten(list(e.aliases))))) AS aliases,
    count(DISTINCT e.article_id) AS articles,
    coalesce(sum(e.mention_count), 0)::BIGINT AS mentions,
    min(a.published_date) AS first_seen,
    max(a.published_date) AS last_seen,
    i.ambiguous,
    list_sort(coalesce(any_value(old.ids), []::VARCHAR[])) AS superseded_ids
FROM entity_ids AS i
LEFT JOIN entities AS e ON e.entity_id = i.entity_id
LEFT JOIN articles AS a ON a.article_id = e.article_id
LEFT JOIN (SELECT merged_into, list(entity_id) AS ids FROM entity_ids
           WHERE merged_into IS NOT NULL GROUP BY merged_into) AS old
    ON old.merged_into = i.entity_id
WHERE i.merged_into IS NULL
GROUP BY i.entity_id, i.name, i.label, i.kind, i.aliases, i.ambiguous;

-- About whom: every entity mentioned inside a claim's content or a quote's words (by offsets
-- into the same section), the speakers themselves left out. A joint source ("Brady and Cha")
-- gives one row per person of it.
CREATE OR REPLACE VIEW claim_targets AS
WITH spoken AS (
    SELECT 'claim' AS what, claim_id AS statement_id, article_id, section, caption_id,
           start_char, end_char, source_entity_id, coalesce(source_entity_ids, []) AS ids, stance
    FROM claims
    UNION ALL
    SELECT 'quote', quote_id, article_id, section, caption_id, start_char, end_char,
           speaker_entity_id, coalesce(speaker_entity_ids, []), NULL
    FROM quotes
    WHERE NOT is_scare_quote
),
said AS (
    SELECT * EXCLUDE (source_entity_id),
           unnest(CASE WHEN len(ids) = 0 THEN [source_entity_id] ELSE ids END)
               AS source_entity_id
    FROM spoken
),
mentioned AS (
    SELECT article_id, entity_id, unnest(mentions) AS m
    FROM entities
)
SELECT
    s.what,
    s.statement_id,
    s.article_id,
    s.source_entity_id,
    m.entity_id AS target_entity_id,
    s.stance,
    count(*) AS mentions,
    list(m.m.text ORDER BY m.m.start) AS target_texts
FROM said AS s
JOIN mentioned AS m
    ON m.article_id = s.article_id AND m.m.section = s.section
    AND m.m.caption_id IS NOT DISTINCT FROM s.caption_id
    AND m.m.start >= s.start_char AND m.m."end" <= s.end_char
WHERE m.entity_id IS DISTINCT FROM s.source_entity_id AND NOT list_contains(s.ids, m.entity_id)
GROUP BY s.what, s.statement_id, s.article_id, s.source_entity_id, m.entity_id, s.stance;

-- Who speaks about whom: claims by a resolved source about each entity inside their content.
CREATE OR REPLACE VIEW who_about_whom AS
SELECT
    t.source_entity_id,
    any_value(ns.name) AS source_name,
    t.target_entity_id,
    any_value(nt.name) AS target_name,
    any_value(nt.label) AS target_label,
    t.stance,
    count(DISTINCT t.statement_id) AS claims,
    count(DISTINCT t.article_id) AS articles,
    min(a.published_date) AS first_day,
    max(a.published_date) AS last_day
FROM claim_targets AS t
JOIN articles AS a USING (article_id)
JOIN entity_names AS ns ON ns.entity_id = t.source_entity_id
JOIN entity_names AS nt ON nt.entity_id = t.target_entity_id
WHERE t.what = 'claim'
GROUP BY t.source_entity_id, t.target_entity_id, t.stance;
