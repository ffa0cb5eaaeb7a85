-- One dataset version's row ($1 the version).
SELECT * FROM cosmo.datasets WHERE version = $1
