-- The session advisory lock that marks a scratch schema as in use ($1 its name): stale-workspaces.sql takes a
-- schema whose lock is free for a dead extraction's leftover.
SELECT pg_advisory_lock(hashtext('cosmo.extract'), hashtext($1))
