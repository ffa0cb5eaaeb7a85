-- What `cosmo datasets prune` removes (rows and schemas): failed imports, imports that died while loading (run
-- holding the import lock: no live import is loading), retired versions (their schema is gone already) and loaded
-- versions beyond the $1 newest; never the served version nor the previous one. $1: versions to keep loaded.
WITH old AS (
  {{old_versions}}
)
SELECT d.version, d.schema_name, d.status, d.source,
       CASE WHEN d.version IN (SELECT version FROM old) THEN 'beyond the ' || $1 || ' versions kept'
            WHEN d.status = 'loading' THEN 'import interrupted'
            ELSE d.status END AS reason
  FROM cosmo.datasets d, cosmo.served s
 WHERE d.version IS DISTINCT FROM s.version AND d.version IS DISTINCT FROM s.previous_version
   AND (d.status IN ('failed', 'retired', 'loading') OR d.version IN (SELECT version FROM old))
 ORDER BY d.version
