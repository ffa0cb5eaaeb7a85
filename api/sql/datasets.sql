-- Dataset versions, newest first, with which one is served.
SELECT d.version, d.status, d.zone_count, d.source, d.source_sha256, d.created_at, d.published_at,
       d.forced_by, d.force_reason, coalesce(d.version = s.version, false) AS served
FROM cosmo.datasets d
LEFT JOIN cosmo.served s ON true
ORDER BY d.version DESC
