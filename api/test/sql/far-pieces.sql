-- $1 × $1 small exact pieces of no real zone, far east of the dataset (lon 20-30): a lookup table as large as a
-- country-sized dataset's, which is what makes the planner weigh a point's own estimate against the generic one.
INSERT INTO {{schema}}.zone_pieces (zone_id, exact, geom)
SELECT -1, true, ST_MakeEnvelope(20 + i * 10.0 / $1, j * 10.0 / $1, 20 + (i + 0.5) * 10.0 / $1, (j + 0.5) * 10.0 / $1, 4326)
FROM generate_series(0, $1 - 1) i, generate_series(0, $1 - 1) j
