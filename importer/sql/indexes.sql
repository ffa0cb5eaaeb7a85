-- Indexes built once after the load. The API looks zones up by id (id-index.sql), parent, osm_id, wikidata,
-- type, position (geom_4326); tiles read geom by bbox (geom-index.sql, after the repair). Search has its own
-- table (search-names.sql). One statement each, ending its line: post-load.ts builds them at once on several
-- connections (CREATE INDEX statements on one table from different sessions do not wait for each other).
CREATE INDEX zones_parent ON {{schema}}.zones (parent);
CREATE INDEX zones_osm_id ON {{schema}}.zones (osm_id);
CREATE INDEX zones_wikidata ON {{schema}}.zones (wikidata) WHERE wikidata IS NOT NULL;
CREATE INDEX zones_zone_type ON {{schema}}.zones (zone_type, admin_level);
CREATE INDEX zones_geom_4326 ON {{schema}}.zones USING gist (geom_4326);
