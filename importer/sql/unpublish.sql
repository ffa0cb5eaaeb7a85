-- The version served until now ($1) is loaded but no longer published.
UPDATE cosmo.datasets SET status = 'ready' WHERE version = $1 AND status = 'published'
