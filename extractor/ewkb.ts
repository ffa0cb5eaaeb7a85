// EWKB of a MultiPolygon held as flat rings, for the binary COPY into a geometry column: PostGIS reads EWKB
// directly, which spares it parsing GeoJSON text (the importer's encoder, importer/ewkb.ts, works on nested
// GeoJSON arrays; rings here are already Float64Arrays, so each ring is one memory copy).
import { endianness } from "node:os";
import type { FlatMultiPolygon } from "./types.ts";

const WKB_POINT = 1;
const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
const EWKB_SRID_FLAG = 0x20000000;
const LITTLE_ENDIAN_HOST = endianness() === "LE";

export function multiPolygonEwkb(mp: FlatMultiPolygon, srid = 4326): Buffer {
  const buf = Buffer.allocUnsafe(multiPolygonEwkbSize(mp));
  writeMultiPolygonEwkb(mp, buf, 0, srid);
  return buf;
}

export function multiPolygonEwkbSize(mp: FlatMultiPolygon): number {
  let size = 13; // byte order + type + srid + polygon count
  for (const polygon of mp) {
    size += 9; // byte order + type + ring count
    for (const ring of polygon) size += 4 + ring.length * 8;
  }
  return size;
}

/** Writes the EWKB of `mp` into `buf` at `offset` (multiPolygonEwkbSize(mp) bytes); returns the end offset. */
export function writeMultiPolygonEwkb(mp: FlatMultiPolygon, buf: Buffer, offset: number, srid = 4326): number {
  let o = buf.writeUInt8(1, offset);
  o = buf.writeUInt32LE(WKB_MULTIPOLYGON | EWKB_SRID_FLAG, o);
  o = buf.writeUInt32LE(srid, o);
  o = buf.writeUInt32LE(mp.length, o);
  for (const polygon of mp) {
    o = buf.writeUInt8(1, o);
    o = buf.writeUInt32LE(WKB_POLYGON, o);
    o = buf.writeUInt32LE(polygon.length, o);
    for (const ring of polygon) {
      o = buf.writeUInt32LE(ring.length / 2, o);
      if (LITTLE_ENDIAN_HOST) {
        o += Buffer.from(ring.buffer, ring.byteOffset, ring.byteLength).copy(buf, o);
      } else {
        for (let i = 0; i < ring.length; i++) o = buf.writeDoubleLE(ring[i], o);
      }
    }
  }
  return o;
}

export const POINT_EWKB_SIZE = 25;

/** Writes the EWKB of the point (POINT_EWKB_SIZE bytes) into `buf` at `offset`; returns the end offset. */
export function writePointEwkb(x: number, y: number, buf: Buffer, offset: number, srid = 4326): number {
  let o = buf.writeUInt8(1, offset);
  o = buf.writeUInt32LE(WKB_POINT | EWKB_SRID_FLAG, o);
  o = buf.writeUInt32LE(srid, o);
  o = buf.writeDoubleLE(x, o);
  return buf.writeDoubleLE(y, o);
}

/**
 * (Multi)polygon from WKB or EWKB (either byte order), as flat rings: geometries made valid in PostGIS,
 * read back for the covers tests (covers.ts). Other geometry types are refused.
 */
export function multiPolygonFromWkb(wkb: Uint8Array): FlatMultiPolygon {
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  let o = 0;
  const header = (): [boolean, number] => {
    const le = view.getUint8(o) === 1;
    let type = view.getUint32(o + 1, le);
    o += 5;
    if (type & EWKB_SRID_FLAG) o += 4;
    type &= 0xffff;
    return [le, type];
  };
  const polygon = (le: boolean): Float64Array[] => {
    const rings: Float64Array[] = [];
    const n = view.getUint32(o, le);
    o += 4;
    for (let r = 0; r < n; r++) {
      const points = view.getUint32(o, le);
      o += 4;
      const ring = new Float64Array(points * 2);
      for (let i = 0; i < points * 2; i++, o += 8) ring[i] = view.getFloat64(o, le);
      rings.push(ring);
    }
    return rings;
  };
  const [le, type] = header();
  if (type === WKB_POLYGON) return [polygon(le)];
  if (type !== WKB_MULTIPOLYGON) throw new Error(`WKB geometry type ${type}: a (multi)polygon was expected`);
  const out: FlatMultiPolygon = [];
  const n = view.getUint32(o, le);
  o += 4;
  for (let p = 0; p < n; p++) {
    const [ple, ptype] = header();
    if (ptype !== WKB_POLYGON) throw new Error(`WKB geometry type ${ptype} inside a multipolygon`);
    out.push(polygon(ple));
  }
  return out;
}
