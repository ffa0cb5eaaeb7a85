-- Who published version $1 without the gate ($2) and why ($3).
UPDATE cosmo.datasets SET forced_by = $2, force_reason = $3 WHERE version = $1
