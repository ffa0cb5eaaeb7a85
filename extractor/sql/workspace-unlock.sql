-- Frees the lock of workspace-lock.sql (also the one stale-workspaces.sql took on a leftover); $1 the schema name.
SELECT pg_advisory_unlock(hashtext('cosmo.extract'), hashtext($1))
