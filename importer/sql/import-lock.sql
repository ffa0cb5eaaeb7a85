-- The import lock ($1 the importer's IMPORT_LOCK id), held by the session for the whole import or publish: a
-- killed import's connection closes and frees it.
SELECT pg_advisory_lock($1)
