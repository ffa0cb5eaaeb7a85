-- The columns of a zones file the checks need, named as in zones_v<N>.zones so derive.sql reads either.
CREATE TEMP TABLE {{raw}} (
  id bigint,
  osm_id text,
  admin_level int,
  zone_type text,
  name text,
  tags jsonb,
  parent bigint,
  wikidata text,
  country_code text,
  geom_4326 geometry
)
