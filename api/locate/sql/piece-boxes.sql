-- The bounding box of every lookup piece of a version, with where the piece's row is (ctid) and its zone: what
-- the locate index (piece-index.ts) keeps in memory. Binary COPY: 77 bytes a piece, parsed without text.
-- is_box: the piece is exactly its box, an axis-aligned rectangle (a polygon of five points, the fourth step back
-- to the first, each step along one axis only, alternately: the four corners in turn, never a bow tie). Cells of
-- large zones cut by the tile grid are such pieces (importer/sql/lookup-fill-cells.sql); bulk locate answers a
-- point well inside one without PostgreSQL (locate.ts). Compared as numbers, not by ST_Equals: no GEOS call, and
-- nothing to fail on an invalid piece (those are kept as they are, importer/sql/lookup-fill.sql).
COPY (
  SELECT p.ctid, p.zone_id, ST_XMin(p.b), ST_YMin(p.b), ST_XMax(p.b), ST_YMax(p.b), coalesce(r.is_box, false)
  FROM (SELECT ctid, zone_id, geom, geom::box2d AS b FROM {{schema}}.zone_pieces) AS p
  LEFT JOIN LATERAL (
    SELECT (x1 <> x2 AND y1 = y2 AND x2 = x3 AND y2 <> y3 AND x3 <> x4 AND y3 = y4 AND x4 = x1 AND y4 <> y1)
        OR (x1 = x2 AND y1 <> y2 AND x2 <> x3 AND y2 = y3 AND x3 = x4 AND y3 <> y4 AND x4 <> x1 AND y4 = y1) AS is_box
    -- a (multi)polygon of five points is one polygon of one closed ring: point 5 is point 1
    FROM (SELECT ST_ExteriorRing(ST_GeometryN(p.geom, 1)) AS ring OFFSET 0) AS e
    CROSS JOIN LATERAL (
      SELECT ST_X(ST_PointN(ring, 1)) AS x1, ST_Y(ST_PointN(ring, 1)) AS y1,
             ST_X(ST_PointN(ring, 2)) AS x2, ST_Y(ST_PointN(ring, 2)) AS y2,
             ST_X(ST_PointN(ring, 3)) AS x3, ST_Y(ST_PointN(ring, 3)) AS y3,
             ST_X(ST_PointN(ring, 4)) AS x4, ST_Y(ST_PointN(ring, 4)) AS y4
    ) AS c
    WHERE ST_NPoints(p.geom) = 5 AND GeometryType(p.geom) IN ('POLYGON', 'MULTIPOLYGON')
  ) AS r ON true
) TO STDOUT (FORMAT binary)
