-- A dataset version by number ($1), and whether its schema can still be read: loaded (ready or published) and
-- not dropped by pruning. No row: the version never existed.
SELECT d.version, d.schema_name, d.status,
       (d.status IN ('ready', 'published') AND to_regnamespace(d.schema_name) IS NOT NULL) AS readable
FROM cosmo.datasets d
WHERE d.version = $1
