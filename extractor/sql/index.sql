-- Once every slice is loaded: the indexes the inclusion and Voronoi queries use.
CREATE INDEX zones_shape_gist ON zones USING gist (shape);
CREATE INDEX zones_valid_gist ON zones USING gist (valid);
ANALYZE zones;
TRUNCATE zones_in;
