-- The version now served ($1).
UPDATE cosmo.datasets SET status = 'published', published_at = now() WHERE version = $1
