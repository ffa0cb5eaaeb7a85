// (E)WKB, the binary geometry format PostGIS reads and writes, for the shapes cosmo stores (MultiPolygon, Polygon
// bbox, Point; 2D): the encoder and the decoder side by side, on the same named constants.
//
// Encoding, by hand: it writes straight into a COPY row's buffer with no intermediate objects, and projects to
// Web Mercator in the same pass; bench/import/ewkb.bench.ts measures it against `wkx` and against sending GeoJSON
// for ST_GeomFromGeoJSON (kept because the importer's load rate depends on it). Two inputs: GeoJSON positions
// (a zone parsed by JSON.parse) and flat rings (flat.ts: the extractor's zones, the importer's fast path), where
// each ring of an unprojected geometry is one memory copy.
// Decoding reads geometries back from PostGIS exactly (datasets in the importer, repaired boundaries in the
// extractor): ST_AsGeoJSON rounds coordinates, WKB keeps every bit of the doubles.
//
// Layout: byte order (1) | uint32 type (| EWKB_SRID_FLAG when an SRID follows) | [uint32 srid] | body. The
// encoder writes little-endian and gives only the outermost geometry an SRID; the decoder reads either order.

import type { FlatMultiPolygon } from "./flat.ts";

export const SRID_WGS84 = 4326;
export const SRID_WEB_MERCATOR = 3857;

/** Byte-order marker of little-endian ("NDR") WKB; 0 is big-endian. */
const LITTLE_ENDIAN = 1;
/** Geometry type codes (OGC). */
const WKB_POINT = 1;
const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
/** PostGIS's extension of the type code: flags in the top bits, the SRID follows the type when SRID_FLAG is set. */
const EWKB_SRID_FLAG = 0x20000000;
const EWKB_Z_FLAG = 0x80000000;
const EWKB_M_FLAG = 0x40000000;
/** The type code without the flags. */
const EWKB_TYPE_MASK = 0x0fffffff;
/** ISO WKB's 3D/measured types are the 2D code plus 1000, 2000 or 3000. */
const ISO_DIMENSION_STEP = 1000;

/** Sizes: byte order + type (+ SRID) headers, counts, positions. */
const HEADER_BYTES = 1 + 4;
const SRID_BYTES = 4;
const COUNT_BYTES = 4;
const POSITION_BYTES = 16;
const MULTIPOLYGON_HEADER_BYTES = HEADER_BYTES + SRID_BYTES + COUNT_BYTES;
const POLYGON_HEADER_BYTES = HEADER_BYTES + COUNT_BYTES;

/** Whether a Float64Array's bytes are already little-endian doubles (the EWKB we write). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

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

// ---- encoding ----

type Ring = ArrayLike<ArrayLike<number>>;

/** The MultiPolygon's own header (order, type with SRID flag, SRID, polygon count); returns the offset after it. */
function writeMultiPolygonHeader(view: DataView, o: number, polygons: number, srid: number): number {
  view.setUint8(o, LITTLE_ENDIAN);
  view.setUint32(o + 1, WKB_MULTIPOLYGON | EWKB_SRID_FLAG, true);
  view.setUint32(o + 5, srid, true);
  view.setUint32(o + 9, polygons, true);
  return o + MULTIPOLYGON_HEADER_BYTES;
}

/** A member polygon's header (order, type, ring count); returns the offset after it. */
function writePolygonHeader(view: DataView, o: number, rings: number): number {
  view.setUint8(o, LITTLE_ENDIAN);
  view.setUint32(o + 1, WKB_POLYGON, true);
  view.setUint32(o + 5, rings, true);
  return o + POLYGON_HEADER_BYTES;
}

/** Bytes of a MultiPolygon's EWKB (with SRID) whose rings take `bytesPerItem` bytes an item (position or double). */
function byteSize(polygons: ArrayLike<ArrayLike<ArrayLike<unknown>>>, bytesPerItem: number): number {
  let size = MULTIPOLYGON_HEADER_BYTES;
  for (let i = 0; i < polygons.length; i++) {
    const rings = polygons[i];
    size += POLYGON_HEADER_BYTES;
    for (let j = 0; j < rings.length; j++) size += COUNT_BYTES + bytesPerItem * rings[j].length;
  }
  return size;
}

/** Bytes of a MultiPolygon's EWKB (with SRID). */
export function multiPolygonByteSize(polygons: ArrayLike<ArrayLike<Ring>>): number {
  return byteSize(polygons, POSITION_BYTES);
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
      o += COUNT_BYTES;
      if (mercator) {
        for (let k = 0; k < n; k++) {
          const p = ring[k];
          view.setFloat64(o, mercatorX(p[0]), true);
          view.setFloat64(o + 8, mercatorY(p[1]), true);
          o += POSITION_BYTES;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const p = ring[k];
          view.setFloat64(o, p[0], true);
          view.setFloat64(o + 8, p[1], true);
          o += POSITION_BYTES;
        }
      }
    }
  }
  return o;
}

/** Bytes of a flat MultiPolygon's EWKB (with SRID): the same layout as multiPolygonByteSize() counts. */
export function flatMultiPolygonByteSize(mp: FlatMultiPolygon): number {
  return byteSize(mp, POSITION_BYTES / 2); // a ring holds two doubles a position
}

/** writeMultiPolygon() for flat rings (flat.ts): the same bytes. */
export function writeFlatMultiPolygon(view: DataView, offset: number, mp: FlatMultiPolygon, srid: number): number {
  const mercator = srid === SRID_WEB_MERCATOR;
  // the ring copies' target, made once per geometry (not per ring)
  const bytes = mercator || !LITTLE_ENDIAN_HOST ? null : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let o = writeMultiPolygonHeader(view, offset, mp.length, srid);
  for (let i = 0; i < mp.length; i++) {
    const rings = mp[i];
    o = writePolygonHeader(view, o, rings.length);
    for (let j = 0; j < rings.length; j++) {
      const ring = rings[j];
      const n = ring.length;
      view.setUint32(o, n >> 1, true);
      o += COUNT_BYTES;
      if (bytes) {
        // the array's bytes are already the EWKB coordinates: one copy per ring
        bytes.set(new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength), o);
        o += ring.byteLength;
      } else if (mercator) {
        for (let k = 0; k < n; k += 2, o += POSITION_BYTES) {
          view.setFloat64(o, mercatorX(ring[k]), true);
          view.setFloat64(o + 8, mercatorY(ring[k + 1]), true);
        }
      } else {
        for (let k = 0; k < n; k += 2, o += POSITION_BYTES) {
          view.setFloat64(o, ring[k], true);
          view.setFloat64(o + 8, ring[k + 1], true);
        }
      }
    }
  }
  return o;
}

export const POINT_BYTES = HEADER_BYTES + SRID_BYTES + POSITION_BYTES;
export function writePoint(view: DataView, offset: number, x: number, y: number, srid: number): number {
  view.setUint8(offset, LITTLE_ENDIAN);
  view.setUint32(offset + 1, WKB_POINT | EWKB_SRID_FLAG, true);
  view.setUint32(offset + 5, srid, true);
  view.setFloat64(offset + 9, x, true);
  view.setFloat64(offset + 17, y, true);
  return offset + POINT_BYTES;
}

/** A bbox [minx, miny, maxx, maxy] as a closed 5-point Polygon (as ST_MakeEnvelope builds it). */
export const BBOX_POLYGON_BYTES = HEADER_BYTES + SRID_BYTES + 2 * COUNT_BYTES + 5 * POSITION_BYTES;
export function writeBBoxPolygon(view: DataView, offset: number, b: ArrayLike<number>, srid: number): number {
  let o = offset;
  view.setUint8(o, LITTLE_ENDIAN);
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
    o += POSITION_BYTES;
  }
  return o;
}

/** Standalone encoding of a MultiPolygon to an EWKB Buffer (benchmarks, tests, the psql baseline file). */
export function encodeMultiPolygon(polygons: ArrayLike<ArrayLike<Ring>>, srid = SRID_WGS84): Buffer {
  const buf = Buffer.allocUnsafe(multiPolygonByteSize(polygons));
  writeMultiPolygon(viewOf(buf), 0, polygons, srid);
  return buf;
}

/** Standalone encoding of a flat MultiPolygon to an EWKB Buffer (a query parameter). */
export function encodeFlatMultiPolygon(mp: FlatMultiPolygon, srid = SRID_WGS84): Buffer {
  const buf = Buffer.allocUnsafe(flatMultiPolygonByteSize(mp));
  writeFlatMultiPolygon(viewOf(buf), 0, mp, srid);
  return buf;
}

/** A DataView over exactly the bytes of `buf`, for the writers above. */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

// ---- decoding ----

export type DecodedGeometry =
  | { type: "Point"; coordinates: [number, number] }
  | { type: "Polygon"; coordinates: [number, number][][] }
  | { type: "MultiPolygon"; coordinates: [number, number][][][] };

/** Decodes WKB or EWKB (either byte order; an SRID is skipped) of a 2D Point, Polygon or MultiPolygon. */
export function decodeWkb(input: Buffer | string): DecodedGeometry {
  const buf = typeof input === "string" ? Buffer.from(input, "hex") : input;
  let o = 0;
  const header = (): { type: number; le: boolean } => {
    const le = buf[o] === LITTLE_ENDIAN;
    const code = le ? buf.readUInt32LE(o + 1) : buf.readUInt32BE(o + 1);
    o += HEADER_BYTES;
    if (code & EWKB_SRID_FLAG) o += SRID_BYTES;
    const type = code & EWKB_TYPE_MASK;
    if (code & (EWKB_Z_FLAG | EWKB_M_FLAG) || type > ISO_DIMENSION_STEP) {
      throw new Error(`unsupported WKB type ${type} (only 2D geometries)`);
    }
    return { type, le };
  };
  const u32 = (le: boolean) => {
    const v = le ? buf.readUInt32LE(o) : buf.readUInt32BE(o);
    o += COUNT_BYTES;
    return v;
  };
  const f64 = (le: boolean) => {
    const v = le ? buf.readDoubleLE(o) : buf.readDoubleBE(o);
    o += 8;
    return v;
  };
  const rings = (le: boolean): [number, number][][] => {
    const n = u32(le);
    const out: [number, number][][] = [];
    for (let i = 0; i < n; i++) {
      const m = u32(le);
      const ring: [number, number][] = new Array(m);
      for (let k = 0; k < m; k++) ring[k] = [f64(le), f64(le)];
      out.push(ring);
    }
    return out;
  };
  const { type, le } = header();
  if (type === WKB_POINT) return { type: "Point", coordinates: [f64(le), f64(le)] };
  if (type === WKB_POLYGON) return { type: "Polygon", coordinates: rings(le) };
  if (type === WKB_MULTIPOLYGON) {
    const n = u32(le);
    const polys: [number, number][][][] = [];
    for (let i = 0; i < n; i++) {
      const h = header();
      if (h.type !== WKB_POLYGON) throw new Error(`MultiPolygon member of WKB type ${h.type}`);
      polys.push(rings(h.le));
    }
    return { type: "MultiPolygon", coordinates: polys };
  }
  throw new Error(`unsupported WKB type ${type}`);
}
