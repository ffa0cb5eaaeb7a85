-- From the COPY staging table to geometries; the valid form is computed only where needed.
INSERT INTO zones (id, osm_id, geom, center, generated)
SELECT id,
       osm_id,
       geom,
       CASE WHEN lon IS NULL THEN NULL ELSE public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) END,
       geom IS NULL
FROM zones_in;
UPDATE zones
SET valid = CASE WHEN public.ST_IsValid(geom) THEN geom
                 ELSE public.ST_CollectionExtract(public.ST_MakeValid(geom), 3) END
WHERE geom IS NOT NULL;
UPDATE zones SET area = coalesce(public.ST_Area(valid), 0), shape = coalesce(valid, center);
CREATE INDEX zones_shape_gist ON zones USING gist (shape);
CREATE INDEX zones_valid_gist ON zones USING gist (valid);
ANALYZE zones;
TRUNCATE zones_in;
