-- Id ranges of about equal work for the parallel build of zone_pieces: balanced by stored boundary size
-- (pg_column_size reads the TOAST pointer, not the geometry), since a few large zones dominate the cost.
-- $1 number of ranges
WITH sized AS (
  SELECT id, sum(coalesce(pg_column_size(geom_4326), 0) + 1) OVER (ORDER BY id) AS upto,
         sum(coalesce(pg_column_size(geom_4326), 0) + 1) OVER () AS total
  FROM {{schema}}.zones
)
SELECT min(id) AS lo, max(id) AS hi
FROM sized
GROUP BY least(floor((upto - 1) * $1::float8 / total), $1 - 1)
ORDER BY lo
