-- Every zone with a geometry: where its row is (ctid, for the validity shares), what the zoom bands select it
-- by, and its geometry's stored (compressed) size to weigh the shares — read from the TOAST pointer, no
-- geometry is decompressed.
SELECT ctid::text AS row, id, zone_type, admin_level, pg_column_size(geom) AS bytes
FROM {{schema}}.zones
WHERE geom IS NOT NULL;
