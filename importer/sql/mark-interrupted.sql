-- A version whose import died while loading ($1): failed, keeping an error recorded earlier if any.
UPDATE cosmo.datasets SET status = 'failed', error = coalesce(error, 'import interrupted') WHERE version = $1
