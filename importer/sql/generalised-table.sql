-- One zoom band's table of generalised geometries (importer/zoom-bands.ts), filled by generalise.sql in shares
-- on several connections at once. The primary key is there from the start: the next coarser band reads its
-- shares by id, and a few thousand simplified rows keep it up to date for next to nothing.
CREATE TABLE {{schema}}.{{table}} (
  id bigint PRIMARY KEY,
  zone_type text,
  admin_level int,
  geom geometry(MultiPolygon, 3857)
);
