-- The zones covering each point of a batch, smallest type first per point (the order of /zones/at), with the
-- name in language $4 (the zone's `name:<lang>` tag, else its name; NULL $4: its name).
-- $1 lon[], $2 lat[] (point i is the i-th, from 1), $3 zone types smallest → largest, $4 language or NULL
WITH points AS MATERIALIZED (
  SELECT u.i, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lon, lat, i)
),
covering AS ({{covering_pieces}})
SELECT c.i::int AS i, z.id, z.zone_type, z.admin_level,
       coalesce(z.tags ->> ('name:' || $4::text), z.name) AS name
FROM covering c
JOIN {{schema}}.zones z ON z.id = c.zone_id
ORDER BY c.i, array_position($3::text[], z.zone_type) NULLS LAST, z.admin_level DESC NULLS LAST, z.id
