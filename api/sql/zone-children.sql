-- Zones and their direct children in one statement (one round trip per /zones/:id, or per batch of them: the
-- requests waiting for a connection go together, api/queries.ts batched()): per id asked, the zone first (part 0),
-- then the children (part 1), largest type first, then by name, as children.sql orders them. `asked` is the id's
-- position in the array, from 1. The ids are read through a sub-select and MATERIALIZED, out of the planner's
-- sight, so the plan cannot depend on them and PostgreSQL keeps the named statement's generic plan: children.sql
-- alone, with the id in sight, was planned for every id on the grid bench dataset (a leaf's own estimate, no
-- children, always beat the generic one), and planning took longer than running it.
-- $1 ids, $2 zone types smallest → largest
WITH asked AS MATERIALIZED (
  SELECT a.id, a.k FROM unnest((SELECT $1::bigint[])) WITH ORDINALITY AS a(id, k)
),
members AS (
  SELECT asked.k, z.id, 0 AS part FROM {{schema}}.zones z JOIN asked ON z.id = asked.id
  UNION ALL
  SELECT asked.k, z.id, 1 FROM {{schema}}.zones z JOIN asked ON z.parent = asked.id
)
SELECT m.part, {{zone_columns}}, m.k::int AS asked
FROM members m
JOIN {{schema}}.zones z ON z.id = m.id
ORDER BY m.k, m.part, array_position($2::text[], z.zone_type) DESC NULLS LAST, z.name, z.id
