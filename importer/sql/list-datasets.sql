-- Every dataset version, newest first, with whether it is the served or the previous one.
SELECT d.*, d.version = s.version AS served, coalesce(d.version = s.previous_version, false) AS previous
  FROM cosmo.datasets d CROSS JOIN cosmo.served s ORDER BY d.version DESC
