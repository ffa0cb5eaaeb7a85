-- A dataset version's schema and everything in it (its cosmo.datasets row is updated or deleted by the caller).
DROP SCHEMA IF EXISTS {{schema}} CASCADE
