-- Scratch schemas of extractions whose session is gone (a crash, a killed pod): every live extraction holds a
-- session advisory lock keyed by its schema name (see postgis.ts), so a schema whose lock can be taken has no
-- owner. Schemas kept on purpose (COSMO_EXTRACT_KEEP_SCHEMA, commented) are left alone: they are filtered out
-- first (MATERIALIZED), so that no lock is ever taken on them. The locks taken here are released by the caller
-- once each schema is dropped.
WITH scratch AS MATERIALIZED (
  SELECT n.nspname
  FROM pg_namespace n
  WHERE n.nspname LIKE 'cosmo\_extract\_%'
    AND obj_description(n.oid, 'pg_namespace') IS NULL
)
SELECT nspname AS schema
FROM scratch
WHERE pg_try_advisory_lock(hashtext('cosmo.extract'), hashtext(nspname));
