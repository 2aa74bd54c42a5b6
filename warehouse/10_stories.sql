-- Stories: republished copies of one article counted once.
-- articles.duplicate_of points every near-duplicate copy at the earliest copy of its story
-- (transforms/duplicates.py); an article that is nobody's copy is its own story.

CREATE OR REPLACE VIEW stories AS
WITH copies AS (
    SELECT coalesce(duplicate_of, article_id) AS story_id, *
    FROM articles
)
SELECT
    story_id,
    count(*)::INTEGER AS copies,
    min(published_date) AS first_published,
    min(fetched_at) AS first_fetched,
    -- the title of the earliest copy (the story_id article), else any copy's title
    coalesce(max(title) FILTER (WHERE article_id = story_id), min(title)) AS title,
    list(article_id ORDER BY published_date NULLS LAST, fetched_at NULLS LAST, article_id)
        AS article_ids,
    list(DISTINCT publisher) FILTER (WHERE publisher IS NOT NULL) AS publishers
FROM copies
GROUP BY story_id;

-- Quotes counted once per story: the same words quoted in several copies of a story are one
-- row, taken from the earliest copy that has them. Quote text is compared case-insensitively,
-- with curly quotes/apostrophes straightened and whitespace collapsed.
CREATE OR REPLACE VIEW story_quotes AS
WITH keyed AS (
    SELECT
        coalesce(a.duplicate_of, a.article_id) AS story_id,
        lower(trim(regexp_replace(
            translate(q.quote_text, '‘’“”', '''''""'), '\s+', ' ', 'g'))) AS quote_key,
        q.*,
        a.published_date,
        a.fetched_at
    FROM quotes AS q
    JOIN articles AS a USING (article_id)
),
ranked AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY story_id, quote_key) AS copies,
        row_number() OVER (PARTITION BY story_id, quote_key
                           ORDER BY published_date NULLS LAST, fetched_at NULLS LAST,
                                    article_id, start_char) AS rank_in_story
    FROM keyed
)
SELECT
    story_id, quote_key, quote_id, article_id, quote_text, speaker_name, speaker_entity_id,
    speaker_text, cue_text, is_scare_quote, confidence, copies::INTEGER AS copies
FROM ranked
WHERE rank_in_story = 1;
