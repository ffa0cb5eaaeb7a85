-- A version whose import failed ($1), with the error ($2).
UPDATE cosmo.datasets SET status = 'failed', error = $2 WHERE version = $1
