-- A dataset version's schema and status (seeding works on a version before it is published).
SELECT version, schema_name, status FROM cosmo.datasets WHERE version = $1
