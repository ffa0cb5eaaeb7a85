-- The shapes meeting a tile's area (tile.sql's env.area), read from the band's table as they are.
(SELECT g.id, g.zone_type, g.admin_level, g.geom
 FROM {{schema}}.{{table}} g
 WHERE g.geom && env.area)
