-- Frees the lock of import-lock.sql ($1 the same id).
SELECT pg_advisory_unlock($1)
