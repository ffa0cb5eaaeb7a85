-- Zones by name: the page of the version's search function (importer/sql/search-names-function.sql: prefix
-- matches, or typo-tolerant ones when there are none; the ranking and parameters are described there) with the
-- zone columns, in page order. One statement, one round trip; planned once per connection (a function scan
-- and a lookup by id cost the same whatever the parameters, so PostgreSQL keeps the generic plan).
SELECT {{zone_columns}}, page.score
FROM {{schema}}.zone_names_search($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) WITH ORDINALITY AS page (zone_id, score, n)
JOIN {{schema}}.zones z ON z.id = page.zone_id
ORDER BY page.n
