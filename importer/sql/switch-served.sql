-- Serve version $1; $2 the version served until now (kept for rollback), or NULL.
UPDATE cosmo.served SET version = $1, previous_version = $2, switched_at = now() WHERE id
