-- Whether the lookup piece p (a row of zone_pieces) covers the point expression filled in for `point`: the answer
-- ST_Covers(zone.geom_4326, point) gives, from the piece (why: covering-pieces.sql). The one test of both
-- covering-pieces.sql (/zones/at) and api/locate/sql/covered-pairs.sql (bulk locate); `near` is NEAR_CUT_DEGREES.
CASE
  WHEN p.exact THEN ST_Intersects(p.geom, {{point}})
  WHEN ST_DWithin(ST_Boundary(p.geom), {{point}}, {{near}}) THEN
    ST_Intersects((SELECT f.geom_4326 FROM {{schema}}.zones f WHERE f.id = p.zone_id), {{point}})
  ELSE ST_Intersects(p.geom, {{point}})
END
