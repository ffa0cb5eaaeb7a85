-- Which of the rows $1 (ctids: a share of the table; the shares are checked on several connections at once,
-- ST_IsValid is CPU-bound) need make-valid.sql: geom invalid, or empty (row, id). Only the rows found here are
-- rewritten (an UPDATE … WHERE NOT ST_IsValid(geom) holds one connection for the whole table, and the second
-- pass for empty geometries read every geometry again).
-- The same read gives the deepest zoom band its generalised geometries (generalise.sql over
-- valid_rows, the rows found valid, which the repair leaves as they are): reading every full geometry from TOAST and
-- decompressing it is the cost the generalisation of that band otherwise paid again; the few repaired rows are
-- generalised after the repair.
-- Each geometry is read from TOAST once: every function given the stored geom fetches and decompresses it anew,
-- so ST_Multi (which hands a MultiPolygon back as it read it) does it once in the subquery and both tests and
-- the simplification take that copy (OFFSET 0 keeps the subquery from being pulled up into two reads again;
-- MATERIALIZED keeps the CTE, read twice, from being computed twice).
WITH checked AS MATERIALIZED (
  SELECT row, id, zone_type, admin_level, g AS geom, ST_IsEmpty(g) OR NOT ST_IsValid(g) AS broken
  FROM (
    SELECT ctid::text AS row, id, zone_type, admin_level, ST_Multi(geom) AS g
    FROM {{schema}}.zones
    WHERE ctid = ANY ($1::tid[]) AND geom IS NOT NULL
    OFFSET 0
  ) read_once
), valid_rows AS (
  SELECT id, zone_type, admin_level, geom FROM checked WHERE NOT broken
), generalised AS (
  {{generalise}}
)
SELECT row, id FROM checked WHERE broken
