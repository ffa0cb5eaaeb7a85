-- The zones cut for the tiles (tile_cut_zones, importer/tile-cells.ts), to take their lookup pieces from their
-- tile cells (lookup-fill-cells.sql), with their stored size to share them out; none when the version has no tile
-- cells (imported before they existed).
SELECT t.id, coalesce(pg_column_size(z.geom_4326), 0) + 1 AS bytes
FROM {{schema}}.tile_cut_zones t
JOIN {{schema}}.zones z ON z.id = t.id
ORDER BY bytes DESC, t.id
