-- Whether the lookup piece p (a row of zone_pieces) covers the point expression filled in for `point`: the answer
-- ST_Covers(zone.geom_4326, point) gives, from the piece (why: covering-pieces.sql). The one test of both
-- covering-pieces.sql (/zones/at) and api/locate/sql/covered-pairs.sql (bulk locate); `near` is NEAR_CUT_DEGREES.
-- A cut piece is tested in this order so that a point outside it, farther than `near`, costs one pass over its
-- vertices and no copy of its boundary (ST_Boundary): ST_DWithin of the piece itself is its point-in-polygon
-- test, then, only for a point outside, its distance to the rings. False: outside and farther than `near` from
-- the piece, hence from its boundary: not covered. True: inside, or outside within `near` of a ring; the distance
-- to the boundary tells them apart (outside within `near` of the piece is within `near` of its boundary: the
-- same distance, computed the same way), and a point near the boundary is answered on the full zone.
CASE
  WHEN p.exact THEN ST_Intersects(p.geom, {{point}})
  WHEN NOT ST_DWithin(p.geom, {{point}}, {{near}}) THEN false
  WHEN ST_DWithin(ST_Boundary(p.geom), {{point}}, {{near}}) THEN
    ST_Intersects((SELECT f.geom_4326 FROM {{schema}}.zones f WHERE f.id = p.zone_id), {{point}})
  ELSE true
END
