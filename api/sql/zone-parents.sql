-- Zones and their parent chains in one statement (one round trip per /zones/:id/parents, or per batch of them:
-- the requests waiting for a connection go together, api/queries.ts batched()): per id asked, the zone first
-- (depth 0), then its parents, immediate parent first, up to the root. `asked` is the id's position in the array,
-- from 1. A parent seen before ends the walk, so a cycle in the data cannot loop or repeat a zone. The ids are read
-- through a sub-select and MATERIALIZED, out of the planner's sight (see zone-children.sql). $1 ids
WITH RECURSIVE asked AS MATERIALIZED (
  SELECT a.id, a.k FROM unnest((SELECT $1::bigint[])) WITH ORDINALITY AS a(id, k)
),
chain (k, id, parent, depth, seen) AS (
  SELECT asked.k, z.id, z.parent, 0, ARRAY[z.id]
  FROM {{schema}}.zones z
  JOIN asked ON z.id = asked.id
  UNION ALL
  SELECT c.k, p.id, p.parent, c.depth + 1, c.seen || p.id
  FROM chain c
  JOIN {{schema}}.zones p ON p.id = c.parent
  WHERE NOT p.id = ANY (c.seen)
)
SELECT {{zone_columns}}, chain.k::int AS asked
FROM chain
JOIN {{schema}}.zones z ON z.id = chain.id
ORDER BY chain.k, chain.depth
