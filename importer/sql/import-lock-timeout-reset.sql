-- Undoes import-lock-timeout.sql once the lock is taken (or not).
RESET lock_timeout
