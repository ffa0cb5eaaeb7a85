-- A new version in status 'loading', numbered after the last one; $1 source URL, $2 its SHA-256.
INSERT INTO cosmo.datasets (version, schema_name, source, source_sha256, status)
SELECT v, 'zones_v' || v, $1, $2, 'loading' FROM (SELECT coalesce(max(version), 0) + 1 AS v FROM cosmo.datasets) n
RETURNING *
