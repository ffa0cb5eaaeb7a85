-- Which of the rows $1 (ctids: a share of the table; the shares are checked on several connections at once,
-- ST_IsValid is CPU-bound) need make-valid.sql: geom invalid, or empty. Read only, one pass: only the rows found
-- here are rewritten (an UPDATE … WHERE NOT ST_IsValid(geom) holds one connection for the whole table, and the
-- second pass for empty geometries read every geometry again).
SELECT ctid::text AS row
FROM {{schema}}.zones
WHERE ctid = ANY ($1::tid[]) AND geom IS NOT NULL AND (ST_IsEmpty(geom) OR NOT ST_IsValid(geom));
