-- Id ranges of about equal work for the parallel build of zone_pieces ($1 ranges at most), the costliest first
-- (taken in this order by the free connections: a range of one huge zone started last would leave the others
-- idle at the end). A zone's work is about its size times the halvings it takes (lookup-fill.sql), its size read
-- as its stored bytes (pg_column_size reads the TOAST pointer, not the geometry; {{max_vertices}} vertices are
-- ~16·{{max_vertices}} bytes). The tiles' cut zones ($2) are left out: their pieces come from their tile cells.
-- In float8, not numeric (a numeric log and running sums took seconds on 30 k zones), and the ids left out by a
-- hashed NOT IN, not `<> ALL` (which compared each zone with every id of the array).
WITH weighed AS (
  SELECT id, b * greatest(1.0, ln(b / (16.0 * {{max_vertices}})) / ln(2.0)) AS w
  FROM (
    SELECT id, coalesce(pg_column_size(geom_4326), 0)::float8 + 1 AS b
    FROM {{schema}}.zones
    WHERE id NOT IN (SELECT unnest($2::bigint[]))
  ) z
),
sized AS (
  SELECT id, w, sum(w) OVER (ORDER BY id) AS upto, sum(w) OVER () AS total FROM weighed
)
SELECT min(id) AS lo, max(id) AS hi
FROM sized
GROUP BY least(floor((upto - 1) * $1::float8 / total), $1 - 1)
ORDER BY sum(w) DESC, lo
