-- Once every zone is valid: the indexes the inclusion and Voronoi queries use (zones without a boundary
-- are found by their center).
CREATE INDEX zones_valid_gist ON zones USING gist (valid);
CREATE INDEX zones_center_gist ON zones USING gist (center) WHERE valid IS NULL;
ANALYZE zones;
