-- The session holding the import lock ($1 its id), to name it when the lock cannot be had.
SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
 WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted LIMIT 1
