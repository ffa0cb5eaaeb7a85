-- One dataset's row in the meta schema ($1 = version, or NULL for the served one).
SELECT d.version, d.schema_name, d.source, d.source_sha256, d.zone_count, d.created_at, d.status, d.meta,
       to_regclass(quote_ident(d.schema_name) || '.zones') IS NOT NULL AS has_zones
FROM cosmo.datasets AS d
WHERE d.version = coalesce($1::int, (SELECT s.version FROM cosmo.served AS s))
