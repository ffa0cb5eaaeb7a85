-- The zones $1 (ids) of the version's table source (zones or a band's table), as generalise.sql reads them.
(SELECT id, zone_type, admin_level, geom FROM {{schema}}.{{source}} WHERE id = ANY ($1::bigint[]))
