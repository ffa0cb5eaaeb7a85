-- Shared tail of the per-zone checks: the check's SELECT (country, zone_type, admin_level, id, osm_id, name, bad,
-- detail) is spliced in as `per_zone`; $1 = how many offending zones to list per group (by id).
SELECT p.country, p.zone_type, p.admin_level,
       count(*)::int AS examined,
       (count(*) FILTER (WHERE p.bad))::int AS offending,
       coalesce((array_agg(jsonb_build_object('id', p.id, 'osmId', p.osm_id, 'name', p.name, 'detail', p.detail)
                 ORDER BY p.id) FILTER (WHERE p.bad))[1:$1], '{}') AS examples
FROM per_zone AS p
GROUP BY p.country, p.zone_type, p.admin_level
