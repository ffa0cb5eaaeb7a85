-- The naive answer bulk locate must equal: for point i (from 1) of $1 lon[] / $2 lat[], the ids of the zones
-- whose full boundary covers it (ST_Covers on geom_4326), in the order of /zones/at ($3: zone types smallest →
-- largest). Points in no zone have no row.
SELECT u.i::int AS i,
       array_agg(z.id ORDER BY array_position($3::text[], z.zone_type) NULLS LAST, z.admin_level DESC NULLS LAST,
                 z.id) AS ids
FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lon, lat, i)
JOIN {{schema}}.zones z ON ST_Covers(z.geom_4326, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326))
GROUP BY u.i
