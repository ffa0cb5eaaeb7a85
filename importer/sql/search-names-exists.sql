-- Whether a version has its search names in this cosmo's form: both tables and the search function over them
-- (versions imported by an older cosmo have no function, or no names tables at all).
SELECT to_regclass(format('%I.zone_names', $1::text)) IS NOT NULL
   AND to_regclass(format('%I.zone_names_terms', $1::text)) IS NOT NULL
   AND to_regprocedure(format(
         '%I.zone_names_search(text, text, text, float8, float8, float8, float8, int, int, text[])', $1::text
       )) IS NOT NULL AS present
