-- Working tables of one extraction, in a schema of their own (dropped at the end). search_path is set to
-- that schema first, so the names below are unqualified. UNLOGGED: scratch data, no WAL to write; geometry
-- columns STORAGE EXTERNAL: boundaries barely compress (~10%) and compressing/decompressing them cost more
-- than the bytes saved.
CREATE UNLOGGED TABLE zones_in (
  id int PRIMARY KEY,
  osm_id text NOT NULL,
  geom public.geometry, -- EWKB in the binary COPY stream
  lon float8,
  lat float8
);
CREATE UNLOGGED TABLE zones (
  id int PRIMARY KEY,
  osm_id text NOT NULL,
  -- the boundary made valid (see load.sql); null for place zones until Voronoi gives them a cell
  valid public.geometry,
  center public.geometry(Point, 4326),
  -- what inclusion tests use: the valid geometry, or the center of zones without one (place nodes)
  shape public.geometry,
  area float8 NOT NULL DEFAULT 0,
  zone_type text,
  generated bool NOT NULL DEFAULT false
);
ALTER TABLE zones_in ALTER COLUMN geom SET STORAGE EXTERNAL;
ALTER TABLE zones ALTER COLUMN valid SET STORAGE EXTERNAL, ALTER COLUMN shape SET STORAGE EXTERNAL;
