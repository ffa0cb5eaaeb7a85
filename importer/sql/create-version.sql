-- A version schema and its zones table, created in the transaction that COPYs into it (COPY FREEZE needs that;
-- a failed load then leaves nothing behind). Keys and indexes come after the load: building them once over
-- sorted data is much cheaper than maintaining them row by row.
CREATE SCHEMA {{schema}};
CREATE TABLE {{schema}}.zones (
  id bigint NOT NULL,
  osm_id text NOT NULL,
  admin_level int,
  zone_type text,
  name text NOT NULL,
  loc_name text NOT NULL DEFAULT '',
  alt_name text NOT NULL DEFAULT '',
  label text NOT NULL,
  international_labels jsonb NOT NULL,
  zip_codes text[] NOT NULL,
  center geometry(Point, 4326),
  bbox geometry(Polygon, 4326),
  geom geometry(MultiPolygon, 3857) COMPRESSION lz4,       -- made valid after the load
  geom_4326 geometry(MultiPolygon, 4326) COMPRESSION lz4,  -- as in the file
  tags jsonb NOT NULL,
  center_tags jsonb NOT NULL,
  parent bigint,
  wikidata text,
  is_generated bool NOT NULL DEFAULT false,
  country_code text
);
