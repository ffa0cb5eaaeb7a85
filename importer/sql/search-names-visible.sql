-- Pages of the search names' tables not yet all-visible (pg_class as the last VACUUM left it): 0 when every page
-- is, so the search's index-only scans never read the tables.
SELECT coalesce(sum(greatest(relpages - relallvisible, 0)), 0)::int AS pages_left
FROM pg_class
WHERE relnamespace = $1::regnamespace AND relname IN ('zone_names', 'zone_names_terms')
