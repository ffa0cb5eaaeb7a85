-- Which (piece, point) pairs are covered: pair k (from 1) is the piece at ctid $1[k], expected to be of zone
-- $2[k], and the point ($3[k], $4[k]). The piece is fetched by its row address (no index probe: the in-memory
-- index already chose it by its box). The test is api/sql/piece-covers.sql, as in covering-pieces.sql, so the answer is
-- ST_Covers(zone.geom_4326, point): an exact piece answers as the whole boundary would; a point within
-- NEAR_CUT_DEGREES of a cut piece's boundary is answered on the zone's full boundary.
-- `covered`: one character a pair whose piece is still where the index saw it (same ctid, same zone), in pair
-- order, '1' if covered, else '0' (cheaper to read than an array). Shorter than the number of pairs: the index
-- is stale, and the caller reloads it.
SELECT coalesce(string_agg(({{piece_covers}})::int::text, '' ORDER BY u.k), '') AS covered
FROM (
  SELECT t, zone_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g, k
  FROM unnest($1::tid[], $2::int8[], $3::float8[], $4::float8[]) WITH ORDINALITY AS v(t, zone_id, lon, lat, k)
) AS u
JOIN {{schema}}.zone_pieces p ON p.ctid = u.t AND p.zone_id = u.zone_id
