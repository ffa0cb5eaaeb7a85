-- How long import-lock.sql waits for the lock, in ms (a killed import's backend may take a moment to free it).
SET lock_timeout = {{ms}}
