// The one in-memory form of a (multi)polygon's coordinates that cosmo's fast paths share: each ring is a flat
// Float64Array [x0, y0, x1, y1, …] (lon/lat; first position repeated last). 16 bytes a position instead of ~70
// for GeoJSON-style nested arrays, which keeps a continent's boundaries within memory (the extractor), and a
// ring's bytes are already its EWKB coordinates on a little-endian host: one memory copy (ewkb.ts).
// Made by the extractor from OSM ways (extractor/boundary.ts) and by the importer from a zones file's bytes
// (core/cosmogony/multipolygon-text.ts, where rings are views into the reader's reused array).

/** One ring: x0, y0, x1, y1, … */
export type FlatRing = Float64Array;

/** A MultiPolygon: polygons → rings (the first ring of a polygon is the outer one). */
export type FlatMultiPolygon = FlatRing[][];
