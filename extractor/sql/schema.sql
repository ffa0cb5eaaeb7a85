-- Working table of one extraction, in a schema of its own (dropped at the end). search_path is set to
-- that schema first, so the names below are unqualified. UNLOGGED: scratch data, no WAL to write; geometry
-- column STORAGE EXTERNAL: boundaries barely compress (~10%) and compressing/decompressing them cost more
-- than the bytes saved. The geometry is stored once: zones are COPYed straight in, then checked in place
-- (validate.sql, repair.sql).
CREATE UNLOGGED TABLE zones (
  id int PRIMARY KEY,
  osm_id text NOT NULL,
  -- the boundary (EWKB in the binary COPY stream), made valid if it was not (repair.sql); null for place zones
  valid public.geometry,
  -- the boundary as read was invalid: `valid` is ST_MakeValid's repair of it
  repaired bool NOT NULL DEFAULT false,
  center public.geometry(Point, 4326),
  zone_type text,
  -- a place zone (no boundary); computed, so the COPY need not send it and a repair keeps it right
  generated bool GENERATED ALWAYS AS (valid IS NULL) STORED
);
ALTER TABLE zones ALTER COLUMN valid SET STORAGE EXTERNAL;
-- Postal-code boundaries (boundary=postal_code relations), made valid when loaded: the zip codes of the zones
-- they overlap (postcodes.sql). `codes`: the postal_code tag's codes joined by ';'.
CREATE UNLOGGED TABLE postcodes (
  id int PRIMARY KEY,
  codes text NOT NULL,
  geom public.geometry NOT NULL,
  area float8 NOT NULL
);
CREATE INDEX postcodes_geom_gist ON postcodes USING gist (geom);
