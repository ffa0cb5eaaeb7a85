-- Zones by name, for a batch of searches: per search, the page of the version's search function
-- (importer/sql/search-names-function.sql: prefix matches, or typo-tolerant ones when there are none; the ranking
-- and parameters are described there) with the zone columns, in page order. The searches waiting for a connection
-- go together (api/queries.ts batched()): one statement, one round trip for all of them, as the point lookups.
-- `asked` is the search's position in the arrays, from 1. The arrays are read through sub-selects and
-- MATERIALIZED, out of the planner's sight (see at.sql): the generic plan (a function call and a lookup by id per
-- row of the page, whatever the queries) is kept.
-- $1 queries, $2 zone types, $3 country codes, $4..$7 bbox min lon, min lat, max lon, max lat (NULLs: none),
-- $8 limits, $9 offsets: one element per search; $10 zone types smallest → largest
WITH asked AS MATERIALIZED (
  SELECT *
  FROM unnest((SELECT $1::text[]), (SELECT $2::text[]), (SELECT $3::text[]), (SELECT $4::float8[]),
              (SELECT $5::float8[]), (SELECT $6::float8[]), (SELECT $7::float8[]), (SELECT $8::int[]),
              (SELECT $9::int[]))
       WITH ORDINALITY AS a(q, zone_type, country_code, min_lon, min_lat, max_lon, max_lat, page_limit, page_offset, k)
)
SELECT {{zone_columns}}, page.score, a.k::int AS asked
FROM asked a
CROSS JOIN LATERAL {{schema}}.zone_names_search(a.q, a.zone_type, a.country_code, a.min_lon, a.min_lat, a.max_lon,
                                                a.max_lat, a.page_limit, a.page_offset, $10)
  WITH ORDINALITY AS page (zone_id, score, n)
JOIN {{schema}}.zones z ON z.id = page.zone_id
ORDER BY a.k, page.n
