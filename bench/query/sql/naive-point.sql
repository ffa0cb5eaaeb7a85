-- The naive point lookup: every zone whose full geometry covers the point, ids only. :x and :y are pgbench
-- variables (lattice steps over the dataset's bbox).
SELECT z.id
FROM {{schema}}.zones z
WHERE ST_Covers(z.geom_4326, ST_SetSRID(ST_MakePoint({{min_x}} + :x * {{step_x}}, {{min_y}} + :y * {{step_y}}), 4326));
