-- Keys and indexes, built once after the load. The API looks zones up by id, parent, osm_id, wikidata, type,
-- position (geom_4326); tiles read geom by bbox. Search has its own table (search-names.sql).
ALTER TABLE {{schema}}.zones ADD CONSTRAINT zones_pkey PRIMARY KEY (id);
CREATE INDEX zones_parent ON {{schema}}.zones (parent);
CREATE INDEX zones_osm_id ON {{schema}}.zones (osm_id);
CREATE INDEX zones_wikidata ON {{schema}}.zones (wikidata) WHERE wikidata IS NOT NULL;
CREATE INDEX zones_zone_type ON {{schema}}.zones (zone_type, admin_level);
CREATE INDEX zones_geom ON {{schema}}.zones USING gist (geom);
CREATE INDEX zones_geom_4326 ON {{schema}}.zones USING gist (geom_4326);
