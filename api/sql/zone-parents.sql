-- A zone and its parent chain in one statement (one round trip per /zones/:id/parents): the zone first (depth 0),
-- then its parents, immediate parent first, up to the root. A parent seen before ends the walk, so a cycle in the
-- data cannot loop or repeat a zone. $1 id
WITH RECURSIVE chain (id, parent, depth, seen) AS (
  SELECT z.id, z.parent, 0, ARRAY[z.id]
  FROM {{schema}}.zones z
  WHERE z.id = $1
  UNION ALL
  SELECT p.id, p.parent, c.depth + 1, c.seen || p.id
  FROM chain c
  JOIN {{schema}}.zones p ON p.id = c.parent
  WHERE NOT p.id = ANY (c.seen)
)
SELECT {{zone_columns}}
FROM chain
JOIN {{schema}}.zones z ON z.id = chain.id
ORDER BY chain.depth
