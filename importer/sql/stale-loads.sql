-- Versions still 'loading': run holding the import lock, these are imports that died while loading.
SELECT version, schema_name FROM cosmo.datasets WHERE status = 'loading' ORDER BY version
