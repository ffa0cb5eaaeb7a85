// EWKB of a MultiPolygon held as flat rings, for the binary COPY into a geometry column: PostGIS reads EWKB
// directly, which spares it parsing GeoJSON text (the importer's encoder, importer/ewkb.ts, works on nested
// GeoJSON arrays; rings here are already Float64Arrays, so each ring is one memory copy).
import { endianness } from "node:os";
import type { FlatMultiPolygon } from "./types.ts";

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
const EWKB_SRID_FLAG = 0x20000000;
const LITTLE_ENDIAN_HOST = endianness() === "LE";

export function multiPolygonEwkb(mp: FlatMultiPolygon, srid = 4326): Buffer {
  let size = 13; // byte order + type + srid + polygon count
  for (const polygon of mp) {
    size += 9; // byte order + type + ring count
    for (const ring of polygon) size += 4 + ring.length * 8;
  }
  const buf = Buffer.allocUnsafe(size);
  let o = buf.writeUInt8(1, 0);
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
  return buf;
}
