-- The zones' statistics, for the columns queries select or join on (ids, parents, types, names, bbox, geom for
-- the tiles' `geom &&`). Not for the payload columns that are only returned or scanned whole: international
-- labels, tags, center tags, geom_4326 (the point lookup reads it by id; only the full-boundary reference of the
-- tests and benchmarks searches it, through its GiST). Their statistics were most of ANALYZE's time: the
-- geometries' are computed from every detoasted row (the whole table is the sample), 136 of 308 ms for
-- geom_4326 alone on the GRID 4 extract.
ANALYZE {{schema}}.zones (id, osm_id, admin_level, zone_type, name, loc_name, alt_name, label, zip_codes, center, bbox,
                          geom, parent, wikidata, is_generated, country_code)
