-- From the COPY staging table to the working table, one slice of ids ($2 of $1 slices, run on parallel
-- connections: ST_IsValid/ST_MakeValid are CPU-bound), in one pass (no UPDATE rewriting large rows): the
-- valid form of each geometry (GEOS refuses covers() on some invalid input; upstream then says "not
-- covered"), the shape used by inclusion tests and the area used to order containers.
INSERT INTO zones (id, osm_id, valid, center, shape, area, generated)
SELECT id, osm_id, valid, center, coalesce(valid, center), coalesce(public.ST_Area(valid), 0), valid IS NULL
FROM (
  SELECT id, osm_id,
         CASE WHEN geom IS NULL THEN NULL
              WHEN public.ST_IsValid(geom) THEN geom
              ELSE public.ST_CollectionExtract(public.ST_MakeValid(geom), 3) END AS valid,
         CASE WHEN lon IS NULL THEN NULL ELSE public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) END AS center
  FROM zones_in
  WHERE id % $1 = $2
) s;
