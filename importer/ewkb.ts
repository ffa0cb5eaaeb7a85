// Hand-written EWKB encoder for the three geometry shapes the importer stores (MultiPolygon, Polygon bbox, Point).
// Why by hand: it writes straight into the COPY row buffer with no intermediate objects, and projects to
// Web Mercator in the same pass; bench/import/ewkb.bench.ts measures it against `wkx` and against sending GeoJSON
// for ST_GeomFromGeoJSON (kept because the importer's load rate depends on it).
//
// Layout (little-endian): byte order (1) | uint32 type (| 0x20000000 when an SRID follows) | [uint32 srid] | body.
// Only the outermost geometry carries the SRID.

import type { FlatMultiPolygon } from "./multipolygon-text.ts";

export const SRID_WGS84 = 4326;
export const SRID_WEB_MERCATOR = 3857;

const WKB_POINT = 1;
const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
const EWKB_SRID_FLAG = 0x20000000;

// Spherical Mercator as PostGIS/PROJ compute EPSG:3857; latitudes are clamped to the square world's edge
// (a pole would be infinite and the transform would fail).
const EARTH_RADIUS = 6378137;
const DEG = Math.PI / 180;
const MAX_LAT = 85.0511287798066;

export function mercatorX(lon: number): number {
  return lon * DEG * EARTH_RADIUS;
}
export function mercatorY(lat: number): number {
  const l = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  return Math.log(Math.tan(Math.PI / 4 + (l * DEG) / 2)) * EARTH_RADIUS;
}

type Ring = ArrayLike<ArrayLike<number>>;

/** The MultiPolygon's own header (order, type with SRID flag, SRID, polygon count); returns the offset after it. */
function writeMultiPolygonHeader(view: DataView, o: number, polygons: number, srid: number): number {
  view.setUint8(o, 1);
  view.setUint32(o + 1, WKB_MULTIPOLYGON | EWKB_SRID_FLAG, true);
  view.setUint32(o + 5, srid, true);
  view.setUint32(o + 9, polygons, true);
  return o + 13;
}

/** A member polygon's header (order, type, ring count); returns the offset after it. */
function writePolygonHeader(view: DataView, o: number, rings: number): number {
  view.setUint8(o, 1);
  view.setUint32(o + 1, WKB_POLYGON, true);
  view.setUint32(o + 5, rings, true);
  return o + 9;
}

/** Bytes of a MultiPolygon's EWKB (with SRID). */
export function multiPolygonByteSize(polygons: ArrayLike<ArrayLike<Ring>>): number {
  let size = 13; // order + type + srid + polygon count
  for (let i = 0; i < polygons.length; i++) {
    const rings = polygons[i];
    size += 9; // order + type + ring count
    for (let j = 0; j < rings.length; j++) size += 4 + 16 * rings[j].length;
  }
  return size;
}

/**
 * Writes a MultiPolygon's EWKB at `offset` of `view`, projecting to Web Mercator when `srid` is 3857 (the input is
 * always lon/lat). Returns the offset after it. The view must have multiPolygonByteSize() bytes free.
 */
export function writeMultiPolygon(
  view: DataView,
  offset: number,
  polygons: ArrayLike<ArrayLike<Ring>>,
  srid: number,
): number {
  const mercator = srid === SRID_WEB_MERCATOR;
  let o = writeMultiPolygonHeader(view, offset, polygons.length, srid);
  for (let i = 0; i < polygons.length; i++) {
    const rings = polygons[i];
    o = writePolygonHeader(view, o, rings.length);
    for (let j = 0; j < rings.length; j++) {
      const ring = rings[j];
      const n = ring.length;
      view.setUint32(o, n, true);
      o += 4;
      if (mercator) {
        for (let k = 0; k < n; k++) {
          const p = ring[k];
          view.setFloat64(o, mercatorX(p[0]), true);
          view.setFloat64(o + 8, mercatorY(p[1]), true);
          o += 16;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const p = ring[k];
          view.setFloat64(o, p[0], true);
          view.setFloat64(o + 8, p[1], true);
          o += 16;
        }
      }
    }
  }
  return o;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Bytes of a flat MultiPolygon's EWKB (with SRID): the same layout as multiPolygonByteSize() counts. */
export function flatMultiPolygonByteSize(g: FlatMultiPolygon): number {
  return 13 + 9 * g.polygons + 4 * g.rings + 16 * g.points;
}

/** writeMultiPolygon() for a MultiPolygon read into flat arrays (multipolygon-text.ts): the same bytes. */
export function writeFlatMultiPolygon(view: DataView, offset: number, g: FlatMultiPolygon, srid: number): number {
  const mercator = srid === SRID_WEB_MERCATOR;
  const xy = g.xy;
  let o = writeMultiPolygonHeader(view, offset, g.polygons, srid);
  let ring = 0;
  let k = 0; // index into xy
  for (let i = 0; i < g.polygons; i++) {
    const rings = g.ringsPerPolygon[i];
    o = writePolygonHeader(view, o, rings);
    for (let j = 0; j < rings; j++, ring++) {
      const n = g.pointsPerRing[ring];
      view.setUint32(o, n, true);
      o += 4;
      const stop = k + 2 * n;
      if (mercator) {
        for (; k < stop; k += 2, o += 16) {
          view.setFloat64(o, mercatorX(xy[k]), true);
          view.setFloat64(o + 8, mercatorY(xy[k + 1]), true);
        }
      } else if (LITTLE_ENDIAN_HOST) {
        // the array's bytes are already the EWKB coordinates: one copy per ring
        new Uint8Array(view.buffer, view.byteOffset + o, 16 * n).set(
          new Uint8Array(xy.buffer, xy.byteOffset + 8 * k, 16 * n),
        );
        k = stop;
        o += 16 * n;
      } else {
        for (; k < stop; k += 2, o += 16) {
          view.setFloat64(o, xy[k], true);
          view.setFloat64(o + 8, xy[k + 1], true);
        }
      }
    }
  }
  return o;
}

export const POINT_BYTES = 25;
export function writePoint(view: DataView, offset: number, x: number, y: number, srid: number): number {
  view.setUint8(offset, 1);
  view.setUint32(offset + 1, WKB_POINT | EWKB_SRID_FLAG, true);
  view.setUint32(offset + 5, srid, true);
  view.setFloat64(offset + 9, x, true);
  view.setFloat64(offset + 17, y, true);
  return offset + POINT_BYTES;
}

/** A bbox [minx, miny, maxx, maxy] as a closed 5-point Polygon (as ST_MakeEnvelope builds it). */
export const BBOX_POLYGON_BYTES = 13 + 4 + 5 * 16;
export function writeBBoxPolygon(view: DataView, offset: number, b: ArrayLike<number>, srid: number): number {
  let o = offset;
  view.setUint8(o, 1);
  view.setUint32(o + 1, WKB_POLYGON | EWKB_SRID_FLAG, true);
  view.setUint32(o + 5, srid, true);
  view.setUint32(o + 9, 1, true);
  view.setUint32(o + 13, 5, true);
  o += 17;
  const xs = [b[0], b[0], b[2], b[2], b[0]];
  const ys = [b[1], b[3], b[3], b[1], b[1]];
  for (let k = 0; k < 5; k++) {
    view.setFloat64(o, xs[k], true);
    view.setFloat64(o + 8, ys[k], true);
    o += 16;
  }
  return o;
}

/** Standalone encoding of a MultiPolygon to an EWKB Buffer (benchmarks, tests, the psql baseline file). */
export function encodeMultiPolygon(polygons: ArrayLike<ArrayLike<Ring>>, srid = SRID_WGS84): Buffer {
  const buf = Buffer.allocUnsafe(multiPolygonByteSize(polygons));
  writeMultiPolygon(new DataView(buf.buffer, buf.byteOffset, buf.length), 0, polygons, srid);
  return buf;
}
