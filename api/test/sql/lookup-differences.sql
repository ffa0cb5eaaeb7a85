-- The point lookup (covering-pieces.sql) against ST_Covers on the full boundaries, for the points $1 (lon[]),
-- $2 (lat[]): every (point, zone) pair found by one and not the other, and how many pairs the full boundaries
-- give (a test on points that hit nothing would prove nothing).
WITH points AS MATERIALIZED (
  SELECT u.i, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lon, lat, i)
),
by_pieces AS MATERIALIZED ({{covering_pieces}}),
-- Zone by zone, every point against one boundary in a row, the boundary read once (ST_SetSRID makes an
-- in-memory copy: not detoasted again for each point, and PostGIS reuses its prepared form).
boundaries AS MATERIALIZED (SELECT id, ST_SetSRID(geom_4326, 4326) AS geom FROM {{schema}}.zones),
by_boundaries AS MATERIALIZED (
  SELECT pt.i, z.id AS zone_id
  FROM boundaries z
  CROSS JOIN LATERAL (SELECT p.i FROM points p WHERE p.g && z.geom AND ST_Covers(z.geom, p.g)) pt
)
SELECT
  (SELECT count(*) FROM by_boundaries)::int AS pairs,
  (SELECT count(DISTINCT i) FROM by_boundaries)::int AS points_in_zones,
  (SELECT coalesce(json_agg(d), '[]') FROM (
     SELECT i, zone_id, 'pieces only' AS found FROM (SELECT * FROM by_pieces EXCEPT SELECT * FROM by_boundaries) a
     UNION ALL
     SELECT i, zone_id, 'full boundaries only' FROM (SELECT * FROM by_boundaries EXCEPT SELECT * FROM by_pieces) b
     ORDER BY 1, 2
   ) d) AS differences
