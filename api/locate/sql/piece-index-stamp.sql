-- What names one build of a version's zone_pieces (piece-index.ts keeps the index of a build in a file): the
-- cluster (its system identifier: a new cluster, or a test's, is another one), the database, the table (a rebuild
-- is a new table), its storage (a rewrite moves every row: another file node) and its size (rows added grow it).
-- $1: the version's schema. No row: the version has no pieces.
SELECT (SELECT system_identifier FROM pg_control_system())::text AS cluster,
       d.oid::int8 AS database, c.oid::int8 AS "table", c.relfilenode::int8 AS file_node,
       pg_relation_size(c.oid) AS bytes
FROM pg_class c
JOIN pg_database d ON d.datname = current_database()
WHERE c.oid = to_regclass(format('%I.zone_pieces', $1::text))
