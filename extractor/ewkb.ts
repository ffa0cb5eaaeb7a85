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
