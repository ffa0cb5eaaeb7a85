-- A version whose schema was dropped to keep only the newest ones ($1): its row stays as history.
UPDATE cosmo.datasets SET status = 'retired' WHERE version = $1
