-- The shapes meeting a tile t's area (tile.sql's tiles.area), read from the band's table as they are: whole zones
-- (cell -1).
(SELECT g.id, -1 AS cell_x, -1 AS cell_y, g.zone_type, g.admin_level, g.geom
 FROM {{schema}}.{{table}} g
 WHERE g.geom && t.area)
