-- The newest loaded (ready or published) version of the file whose SHA-256 is $1.
SELECT * FROM cosmo.datasets WHERE source_sha256 = $1 AND status IN ('ready', 'published') ORDER BY version DESC LIMIT 1
