-- Which of the rows $1 (ctids: a share of the table; the shares are checked on several connections at once,
-- ST_IsValid is CPU-bound) need make-valid.sql: geom invalid, or empty. Read only, one pass: only the rows found
-- here are rewritten (an UPDATE … WHERE NOT ST_IsValid(geom) holds one connection for the whole table, and the
-- second pass for empty geometries read every geometry again).
-- Each geometry is read from TOAST once: every function given the stored geom fetches and decompresses it anew,
-- so ST_Multi (which hands a MultiPolygon back as it read it) does it once in the subquery and both tests take
-- that copy (OFFSET 0 keeps the subquery from being pulled up into two reads again).
SELECT row
FROM (
  SELECT ctid::text AS row, ST_Multi(geom) AS g
  FROM {{schema}}.zones
  WHERE ctid = ANY ($1::tid[]) AND geom IS NOT NULL
  OFFSET 0
) read_once
WHERE ST_IsEmpty(g) OR NOT ST_IsValid(g);
