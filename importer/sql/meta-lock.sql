-- The transaction lock under which meta.sql runs ($1 the importer's META_LOCK id): concurrent first runs wait.
SELECT pg_advisory_xact_lock($1)
