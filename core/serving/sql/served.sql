-- The dataset version the services answer from, with its schema. One row at most (cosmo.served.id is always true).
SELECT s.version, d.schema_name
FROM cosmo.served s
JOIN cosmo.datasets d ON d.version = s.version
WHERE s.version IS NOT NULL
