-- The SHA-256 ($2) of version $1's file, known once the hash that runs beside the load is done.
UPDATE cosmo.datasets SET source_sha256 = $2 WHERE version = $1
