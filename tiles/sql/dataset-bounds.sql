-- WGS84 extent of a version's zones (TileJSON bounds, seeding range).
SELECT ST_XMin(e) AS min_lon, ST_YMin(e) AS min_lat, ST_XMax(e) AS max_lon, ST_YMax(e) AS max_lat
FROM (SELECT ST_Extent(bbox) AS e FROM {{schema}}.zones) s
