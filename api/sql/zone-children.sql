-- A zone and its direct children in one statement (one round trip per /zones/:id): the zone first (part 0), then
-- the children (part 1), largest type first, then by name, as children.sql orders them. The id is MATERIALIZED,
-- out of the planner's sight, so the plan cannot depend on it and PostgreSQL keeps the named statement's generic
-- plan: children.sql alone, with the id in sight, was planned for every id on the grid bench dataset (a leaf's own
-- estimate, no children, always beat the generic one), and planning took longer than running it.
-- $1 id, $2 zone types smallest → largest
WITH asked AS MATERIALIZED (SELECT $1::bigint AS id),
members AS (
  SELECT z.id, 0 AS part FROM {{schema}}.zones z JOIN asked ON z.id = asked.id
  UNION ALL
  SELECT z.id, 1 FROM {{schema}}.zones z JOIN asked ON z.parent = asked.id
)
SELECT m.part, {{zone_columns}}
FROM members m
JOIN {{schema}}.zones z ON z.id = m.id
ORDER BY m.part, array_position($2::text[], z.zone_type) DESC NULLS LAST, z.name, z.id
