-- Marts for analysts and BI tools: views over the base tables, rebuilt with every release.
-- Descriptions of every view and column live in flows/describe.py (VIEW_DESCRIPTIONS) and are
-- applied as COMMENT ON after this file runs; keep the two in step (tests check it).
--
-- Conventions: a "story" is an article together with its near-duplicate copies,
-- story_id = coalesce(articles.duplicate_of, article_id); "day" is articles.published_date and
-- is null for undated articles; counts are BIGINT.

-- One canonical name and label per entity_id: the registry's (entity_ids, rebuilt by the
-- corpus-level step at every publish); failing that, the fullest form the rows give, a reader's
-- casing before capitals.
CREATE OR REPLACE VIEW entity_names AS
SELECT
    e.entity_id,
    coalesce(any_value(i.name),
             arg_max(e.name, (e.name <> upper(e.name))::INTEGER * 10000 + length(e.name)))
        AS name,
    coalesce(any_value(i.label), mode(e.label)) AS label
FROM entities AS e
LEFT JOIN entity_ids AS i ON i.entity_id = e.entity_id AND i.merged_into IS NULL
GROUP BY e.entity_id;

-- One row per claim, with its article's context and the kind of its source.
CREATE OR REPLACE VIEW claim_details AS
SELECT
    c.claim_id,
    c.article_id,
    coalesce(a.duplicate_of, a.article_id) AS story_id,
    a.published_date,
    a.publisher,
    a.title,
    coalesce(a.url, a.canonical_url, c.source_uri) AS article_url,
    CASE
        WHEN c.source_entity_id IS NOT NULL AND n.label = 'PERSON' THEN 'person'
        WHEN c.source_entity_id IS NOT NULL AND n.label IN ('ORG', 'NORP') THEN 'organisation'
        WHEN c.source_entity_id IS NOT NULL AND n.label IN ('GPE', 'LOC', 'FAC') THEN 'place'
        WHEN c.source_entity_id IS NOT NULL THEN 'other'
        WHEN c.source_text IS NULL AND c.source_name IS NULL THEN 'anonymous'
        ELSE 'unresolved'
    END AS source_kind,
    coalesce(n.name, c.source_name) AS source_name,
    c.source_entity_id,
    c.source_text,
    c.source_role,
    c.cue_lemma,
    c.kind,
    c.stance,
    c.is_hedged,
    c.content_text,
    c.confidence
FROM claims AS c
JOIN articles AS a USING (article_id)
LEFT JOIN entity_names AS n ON n.entity_id = c.source_entity_id;

-- Who is quoted or cited: one row per resolved speaker (an entity when the speaker resolved to
-- one, otherwise the resolved name as given). Each person of a joint speaker ("Brady and Cha")
-- counts the quote or claim once, through the list of the speaker's entity ids.
CREATE OR REPLACE VIEW speakers AS
WITH said AS (
    SELECT 'quote' AS what, article_id,
           unnest(CASE WHEN len(coalesce(speaker_entity_ids, [])) = 0 THEN [speaker_entity_id]
                       ELSE speaker_entity_ids END) AS entity_id,
           speaker_name AS name, speaker_role AS role
    FROM quotes
    WHERE NOT is_scare_quote AND (speaker_entity_id IS NOT NULL OR speaker_name IS NOT NULL)
    UNION ALL
    SELECT 'claim', article_id,
           unnest(CASE WHEN len(coalesce(source_entity_ids, [])) = 0 THEN [source_entity_id]
                       ELSE source_entity_ids END),
           source_name, source_role
    FROM claims
    WHERE source_entity_id IS NOT NULL OR source_name IS NOT NULL
)
SELECT
    s.entity_id AS speaker_entity_id,
    coalesce(any_value(n.name), mode(s.name)) AS speaker_name,
    any_value(n.label) AS label,
    count(*) FILTER (WHERE s.what = 'quote') AS quotes,
    count(*) FILTER (WHERE s.what = 'claim') AS claims,
    count(DISTINCT s.article_id) AS articles,
    count(DISTINCT coalesce(a.duplicate_of, a.article_id)) AS stories,
    min(a.published_date) AS first_seen,
    max(a.published_date) AS last_seen,
    coalesce(list_sort(list(DISTINCT s.role) FILTER (WHERE s.role IS NOT NULL)),
             []::VARCHAR[]) AS roles
FROM said AS s
JOIN articles AS a USING (article_id)
LEFT JOIN entity_names AS n ON n.entity_id = s.entity_id
GROUP BY s.entity_id, CASE WHEN s.entity_id IS NULL THEN s.name END;

CREATE OR REPLACE VIEW entity_mentions_by_day AS
SELECT
    e.entity_id,
    any_value(n.name) AS name,
    any_value(n.label) AS label,
    a.published_date AS day,
    count(DISTINCT e.article_id) AS articles,
    count(DISTINCT coalesce(a.duplicate_of, a.article_id)) AS stories,
    sum(e.mention_count)::BIGINT AS mentions
FROM entities AS e
JOIN articles AS a USING (article_id)
JOIN entity_names AS n USING (entity_id)
GROUP BY e.entity_id, a.published_date;

CREATE OR REPLACE VIEW entity_cooccurrence AS
SELECT
    x.entity_id AS entity_id_a,
    any_value(na.name) AS name_a,
    any_value(na.label) AS label_a,
    y.entity_id AS entity_id_b,
    any_value(nb.name) AS name_b,
    any_value(nb.label) AS label_b,
    count(DISTINCT x.article_id) AS articles,
    count(DISTINCT coalesce(a.duplicate_of, a.article_id)) AS stories,
    min(a.published_date) AS first_seen,
    max(a.published_date) AS last_seen
FROM entities AS x
JOIN entities AS y ON y.article_id = x.article_id AND x.entity_id < y.entity_id
JOIN articles AS a ON a.article_id = x.article_id
JOIN entity_names AS na ON na.entity_id = x.entity_id
JOIN entity_names AS nb ON nb.entity_id = y.entity_id
GROUP BY x.entity_id, y.entity_id;

CREATE OR REPLACE VIEW claims_by_source AS
SELECT
    source_kind,
    stance,
    count(*) AS claims,
    count(DISTINCT article_id) AS articles
FROM claim_details
GROUP BY source_kind, stance;

CREATE OR REPLACE VIEW caption_credits AS
SELECT
    agency,
    photographer,
    distributor,
    count(*) AS captions,
    count(DISTINCT article_id) AS articles
FROM captions
GROUP BY agency, photographer, distributor;

CREATE OR REPLACE VIEW story_counts AS
WITH dated AS (
    SELECT
        article_id,
        published_date AS day,
        coalesce(duplicate_of, article_id) AS story_id,
        min(published_date) OVER (PARTITION BY coalesce(duplicate_of, article_id)) AS story_first
    FROM articles
)
SELECT
    day,
    count(*) AS articles,
    count(DISTINCT story_id) AS stories,
    count(DISTINCT story_id) FILTER (WHERE day = story_first) AS new_stories
FROM dated
GROUP BY day;

-- The high-confidence slice of the claims, for stricter work: confidence is the calibrated
-- probability that a claim is right (matches gold with the right source, measured on PolNeAR
-- dev; the README gives precision and recall at 0.5, 0.7 and 0.9).
CREATE OR REPLACE VIEW high_confidence_claims AS
SELECT *
FROM claim_details
WHERE confidence >= 0.7;
