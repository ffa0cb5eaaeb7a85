-- A pruned version's row ($1): its history goes with it.
DELETE FROM cosmo.datasets WHERE version = $1
