-- Loaded versions (ready or published) beyond the $1 newest, oldest last; never the served one, the previous one
-- (rollback) nor those in $2 (int[], e.g. the version just imported). The served, previous and spared versions
-- count toward the $1 kept.
SELECT d.version, d.schema_name, d.status
  FROM cosmo.datasets d, cosmo.served s
 WHERE d.status IN ('ready', 'published')
   AND d.version IS DISTINCT FROM s.version AND d.version IS DISTINCT FROM s.previous_version
   AND NOT d.version = ANY($2::int[])
 ORDER BY d.version DESC
OFFSET greatest($1 - (SELECT count(*) FROM cosmo.datasets d2, cosmo.served s2
                       WHERE d2.status IN ('ready', 'published')
                         AND (d2.version = s2.version OR d2.version = s2.previous_version
                              OR d2.version = ANY($2::int[]))), 0)
