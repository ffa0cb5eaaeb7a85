-- Zones by name (the importer's zone_names table: names, words of names to their end, the zone's label), with
-- the type, country and bbox filters. $1 the query as typed: normalised here with the importer's
-- cosmo.search_normalize (immutable, so with the value known at plan time the LIKE pattern folds to a
-- constant prefix and the btree on zone_names.term serves it as a range). $2 zone type, $3 country code,
-- $4..$7 bbox (min lon, min lat, max lon, max lat) or NULLs, $8 limit, $9 offset, $10 zone types smallest →
-- largest.
-- Ranking: 0 a name equals the query, 1 a name starts with it (autocomplete), 2 a word of a name starts with
-- it, 3 only the label does ("name, parent"); then the larger zone type (a country before a city of the same
-- name); then the closer match (trigram similarity of the query to the matched text: the shorter completion).
-- Ranked on the index alone; only the page's zones are read from the zones table.
WITH hits AS (
  SELECT m.zone_id,
         min(CASE WHEN m.match_rank = 1 AND m.term = cosmo.search_normalize($1::text) THEN 0
                  ELSE m.match_rank END) AS name_rank,
         array_position($10::text[], m.zone_type) AS type_rank,
         round(max(similarity(cosmo.search_normalize($1::text), m.term))::numeric, 3)::float8 AS score,
         min(m.term) AS first_term
  FROM {{schema}}.zone_names m
  WHERE m.term LIKE {{like_q}} || '%'
    AND ($2::text IS NULL OR m.zone_type = $2)
    AND ($3::text IS NULL OR m.country_code = $3)
    AND ($4::float8 IS NULL OR EXISTS (
      SELECT FROM {{schema}}.zones b WHERE b.id = m.zone_id AND b.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326)))
  GROUP BY m.zone_id, m.zone_type
  ORDER BY name_rank, type_rank DESC NULLS LAST, score DESC, first_term, m.zone_id
  LIMIT $8 OFFSET $9
)
SELECT {{zone_columns}}, hits.score
FROM hits
JOIN {{schema}}.zones z ON z.id = hits.zone_id
ORDER BY hits.name_rank, hits.type_rank DESC NULLS LAST, hits.score DESC, hits.first_term, hits.zone_id
