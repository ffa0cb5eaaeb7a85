-- The search index's rows: one per zone × distinct normalised name (cosmo.search_normalize), built once after
-- the load in one statement (CREATE TABLE … AS may use parallel workers; INSERT … SELECT may not).
-- match_rank is the best rank a prefix match on the row can give (api/sql/search.sql; 0 is an equal name):
--   1 a name: name, loc_name, alt_name and the name, alt/official/short/old/loc/int/nat/reg names in every
--     language from the tags, each ';'-separated value on its own (OSM's list separator);
--   2 a word of a name to its end ("alzette" of "esch-sur-alzette"), so a word prefix is a prefix of a row;
--   3 the zone's own label ("esch-sur-alzette, canton esch-sur-alzette, letzebuerg"): "name, parent" queries.
-- The labels in other languages (~125 distinct per zone, ~5.5 kB) are left out: they are the zone's and its
-- parents' names, already rows of their own zones, and they were most of the old per-zone search text.
-- zone_type and country_code are copied so that ranking and those filters read the index alone.
-- Stored in term order (byte order, as the btree below): the rows of one term, often one per copy of a name (a
-- country's name is the name of every zone it labels, a grid repeats every name), are then on one or two table
-- pages rather than one page each. The search reads them by term (the function's bitmap scans: the visibility
-- map is not set when the table is built beside the import's other sessions, so even its index-only scans read
-- the table): one name matched by 144 zones was 257 pages visited a search, ~3 so stored. The sort (of rows the
-- GROUP BY holds in memory already, in byte order) is paid for many times over by normalising each text once.
CREATE TABLE {{schema}}.zone_names AS
WITH given AS (
  SELECT DISTINCT z.id AS zone_id, z.zone_type, z.country_code, btrim(part) AS text
  FROM {{schema}}.zones z
  CROSS JOIN LATERAL (
    SELECT z.name AS v
    UNION ALL SELECT z.loc_name
    UNION ALL SELECT z.alt_name
    UNION ALL
    SELECT t.value FROM jsonb_each_text(z.tags) t
    WHERE t.key ~ '^(name|alt_name|official_name|short_name|old_name|loc_name|int_name|nat_name|reg_name)(:|$)'
  ) given
  CROSS JOIN LATERAL regexp_split_to_table(given.v, ';') part
  WHERE btrim(part) <> ''
),
-- Each distinct text normalised once, and each distinct name cut into its words once: a name is given by many
-- zones (every copy of a grid, every commune of that name) and in many languages alike, and the normalisation
-- (~2.5 µs a text: unaccent, lower) of every zone's every name was about half of the table's build.
normalised AS (
  SELECT d.text, cosmo.search_normalize(d.text) AS term
  FROM (SELECT DISTINCT text FROM given UNION SELECT label FROM {{schema}}.zones WHERE label <> '') d
),
names AS (
  SELECT DISTINCT g.zone_id, g.zone_type, g.country_code, n.term
  FROM given g
  JOIN normalised n ON n.text = g.text
),
words AS (
  SELECT t.term, substr(t.term, p) AS word
  FROM (SELECT DISTINCT term FROM names) t
  CROSS JOIN LATERAL generate_series(2, length(t.term)) p
  WHERE t.term ~ '[[:space:]\-''’(/]'
    AND substr(t.term, p - 1, 1) ~ '[[:space:]\-''’(/]'
    AND substr(t.term, p, 1) !~ '[[:space:]\-''’(/]'
),
ranked AS (
  SELECT zone_id, zone_type, country_code, term, 1 AS match_rank FROM names
  UNION ALL
  SELECT n.zone_id, n.zone_type, n.country_code, w.word, 2
  FROM names n
  JOIN words w ON w.term = n.term
  UNION ALL
  SELECT z.id, z.zone_type, z.country_code, n.term, 3
  FROM {{schema}}.zones z
  JOIN normalised n ON n.text = z.label
  WHERE z.label <> ''
)
SELECT zone_id, term, min(match_rank)::smallint AS match_rank, zone_type, country_code
FROM ranked
GROUP BY zone_id, term, zone_type, country_code
ORDER BY term COLLATE "C";

-- The rows of a group (term, rank; search-names-function.sql reads them by equality) in zone id order: a page
-- filled by one group alone is its first rows (limit + offset), not all of them sorted. text_pattern_ops: byte
-- order, as the table's. The INCLUDEd columns let the filters read the index alone.
CREATE INDEX zone_names_term ON {{schema}}.zone_names (term text_pattern_ops, match_rank, zone_id)
  INCLUDE (zone_type, country_code);

-- The rows of zone_names counted by term, rank, type and country: a name in 40 languages is often one term, a
-- country's name is the name of all its copies, a common word ends many names. The search matches the query
-- against these groups first (far fewer than the rows), computes a similarity once per group, and reads from
-- zone_names only the rows of the groups that can reach the page (api/sql/search*.sql): `zones` tells when one
-- group alone fills it.
CREATE TABLE {{schema}}.zone_names_terms AS
SELECT term, match_rank, zone_type, country_code, count(*)::int AS zones
FROM {{schema}}.zone_names
GROUP BY term, match_rank, zone_type, country_code;
CREATE INDEX zone_names_terms_term ON {{schema}}.zone_names_terms (term text_pattern_ops)
  INCLUDE (match_rank, zone_type, country_code, zones);
-- One-typo tolerance (api/sql/search-fuzzy.sql) on the names only: short texts, few trigrams each, each once.
CREATE INDEX zone_names_terms_trigram ON {{schema}}.zone_names_terms USING gin (term gin_trgm_ops)
  WHERE match_rank = 1;
