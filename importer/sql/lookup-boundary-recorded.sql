-- Whether the zone's geom is its boundary as loaded (lookup-fill-cells.sql): not among the zones the import's
-- repair rewrote.
NOT EXISTS (SELECT FROM {{schema}}.zones_repaired f WHERE f.id = z.id)
