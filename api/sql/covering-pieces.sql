-- Which zones cover which points, from the version's zone_pieces (importer/sql/lookup-create.sql): the same
-- answer as ST_Covers(zone.geom_4326, point) (ST_Intersects of a polygon and a point). Used by at.sql on its
-- `points (i, g)` relation; gives (i, zone_id), each pair once.
-- An exact piece answers as the whole boundary would. A cut piece (importer/sql/lookup-fill.sql: clipped by boxes)
-- has computed vertices where its cut lines cross the zone's edges, so its edges there are the zone's only to
-- within rounding: a point within NEAR_CUT_DEGREES (api/queries.ts, ~0.1 mm) of such a piece's boundary is
-- answered on the full boundary instead (rare: only points on or next to a border or a cut line), so rounding in
-- the cut never changes an answer. Farther from its boundary, a cut piece covers a point exactly when the zone and
-- the piece's box do; a point of the zone on a cut line is on the boundary of the piece on either side (the boxes
-- are closed). The test itself, shared with bulk locate: piece-covers.sql.
SELECT DISTINCT pt.i, p.zone_id
FROM points pt
JOIN {{schema}}.zone_pieces p ON p.geom && pt.g
WHERE {{piece_covers}}
