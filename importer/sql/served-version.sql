-- The served version and its schema, the previous one (rollback) and when it was switched; no row: none served.
SELECT s.version, d.schema_name, s.previous_version, s.switched_at
  FROM cosmo.served s JOIN cosmo.datasets d ON d.version = s.version
