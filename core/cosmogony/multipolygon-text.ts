// Reads the JSON text of a GeoJSON MultiPolygon straight into flat rings (core/geometry/flat.ts), all of them views
// into one reused Float64Array (no array per position: at tens of millions of coordinates, allocating them and
// collecting them again was most of the load's CPU).
// It accepts only what checkMultiPolygon (core/cosmogony/geometry.ts) accepts, in its plainest form:
// {"type": "MultiPolygon", "coordinates": […]} in either key order, no other keys, no escapes, positions of
// exactly two finite numbers in the lon/lat range, closed rings of 0 or >= 4 positions. Anything else gives null
// and the caller goes back to JSON.parse + validation, which accepts the unusual forms and words the errors.

import type { FlatMultiPolygon } from "../geometry/flat.ts";
import { isLonLat } from "./geometry.ts";
import { readJsonNumber, readPositions } from "./json-number.ts";
import { COLON, COMMA, isJsonSpace, LBRACE, LBRACKET, RBRACE, RBRACKET } from "./json-syntax.ts";

const TYPE_KEY = Buffer.from('"type"');
const COORDINATES_KEY = Buffer.from('"coordinates"');
const MULTIPOLYGON = Buffer.from('"MultiPolygon"');

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const bigger = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  bigger.set(a);
  return bigger;
}

/** One per thread: its arrays are reused from zone to zone (how long a result stays valid: recycled-buffers.ts). */
export class MultiPolygonTextReader {
  // the geometry being read, as counts: polygons, rings of each polygon, positions of each ring, and the
  // positions' x0, y0, x1, y1, … (only the first entries of each array are in use)
  private polygons = 0;
  private ringsPerPolygon = new Int32Array(64);
  private rings = 0;
  private pointsPerRing = new Int32Array(256);
  private points = 0;
  private xy = new Float64Array(1 << 16);
  /** Offset just after the geometry object read last. */
  end = 0;
  /** The bytes being read, for readJsonNumber's four-digits-at-a-time reads. */
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** readPositions()'s offset, in and out (and its scratch). */
  private readonly state = new Int32Array(4);

  /**
   * Reads the geometry object starting at `pos` (a `{`); null when it is not in the plain form (see above).
   * Its rings are views into this reader's reused array (recycled-buffers.ts).
   */
  read(buf: Buffer, pos: number): FlatMultiPolygon | null {
    return this.readCounts(buf, pos) ? this.flatRings() : null;
  }

  /** The rings read, as views into xy (made once the reading is done: xy may have grown while reading). */
  private flatRings(): FlatMultiPolygon {
    const xy = this.xy;
    const mp: FlatMultiPolygon = [];
    let ring = 0;
    let k = 0; // index into xy
    for (let i = 0; i < this.polygons; i++) {
      const rings = this.ringsPerPolygon[i];
      const polygon: Float64Array[] = [];
      for (let j = 0; j < rings; j++, ring++) {
        const end = k + 2 * this.pointsPerRing[ring];
        polygon.push(xy.subarray(k, end));
        k = end;
      }
      mp.push(polygon);
    }
    return mp;
  }

  private readCounts(buf: Buffer, pos: number): boolean {
    this.polygons = 0;
    this.rings = 0;
    this.points = 0;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let i = skipSpace(buf, pos);
    if (buf[i] !== LBRACE) return false;
    let sawType = false;
    let sawCoordinates = false;
    for (;;) {
      i = skipSpace(buf, i + 1);
      if (startsWith(buf, i, TYPE_KEY) && !sawType) {
        i = skipSpace(buf, i + TYPE_KEY.length);
        if (buf[i] !== COLON) return false;
        i = skipSpace(buf, i + 1);
        if (!startsWith(buf, i, MULTIPOLYGON)) return false;
        i += MULTIPOLYGON.length;
        sawType = true;
      } else if (startsWith(buf, i, COORDINATES_KEY) && !sawCoordinates) {
        i = skipSpace(buf, i + COORDINATES_KEY.length);
        if (buf[i] !== COLON) return false;
        i = this.readPolygons(buf, skipSpace(buf, i + 1));
        if (i < 0) return false;
        sawCoordinates = true;
      } else return false;
      i = skipSpace(buf, i);
      if (buf[i] === COMMA) continue;
      if (buf[i] !== RBRACE || !sawType || !sawCoordinates) return false;
      this.end = i + 1;
      return true;
    }
  }

  /** The coordinates array at `i`; the offset after it, or -1. */
  private readPolygons(buf: Buffer, i: number): number {
    if (buf[i] !== LBRACKET) return -1;
    i = skipSpace(buf, i + 1);
    if (buf[i] === RBRACKET) return i + 1;
    for (;;) {
      if (buf[i] !== LBRACKET) return -1;
      this.ringsPerPolygon = grow(this.ringsPerPolygon, this.polygons + 1);
      const rings0 = this.rings;
      i = skipSpace(buf, i + 1);
      if (buf[i] !== RBRACKET) {
        for (;;) {
          i = this.readRing(buf, i);
          if (i < 0) return -1;
          i = skipSpace(buf, i);
          if (buf[i] === RBRACKET) break;
          if (buf[i] !== COMMA) return -1;
          i = skipSpace(buf, i + 1);
        }
      }
      this.ringsPerPolygon[this.polygons++] = this.rings - rings0;
      i = skipSpace(buf, i + 1);
      if (buf[i] === RBRACKET) return i + 1;
      if (buf[i] !== COMMA) return -1;
      i = skipSpace(buf, i + 1);
    }
  }

  /** One ring at `i` (a `[`); the offset after it, or -1. */
  private readRing(buf: Buffer, i: number): number {
    if (buf[i] !== LBRACKET) return -1;
    this.pointsPerRing = grow(this.pointsPerRing, this.rings + 1);
    const view = this.view;
    let xy = this.xy;
    let n = this.points * 2;
    const n0 = n;
    i = skipSpace(buf, i + 1);
    if (buf[i] !== RBRACKET) {
      for (;;) {
        if (buf[i] !== LBRACKET) return -1;
        // the usual positions, as many as come in a row and fit in xy; then one the general way
        this.state[0] = i;
        const read = readPositions(buf, view, this.state, xy, n);
        if (read !== n) {
          n = read;
          i = skipSpace(buf, this.state[0]);
          if (buf[i] === RBRACKET) break;
          if (buf[i] !== COMMA) return -1;
          i = skipSpace(buf, i + 1);
          continue;
        }
        if (n + 2 > xy.length) xy = this.xy = grow(xy, n + 2);
        i = readJsonNumber(buf, skipSpace(buf, i + 1), xy, n, view);
        if (i < 0) return -1;
        i = skipSpace(buf, i);
        if (buf[i] !== COMMA) return -1;
        i = readJsonNumber(buf, skipSpace(buf, i + 1), xy, n + 1, view);
        if (i < 0) return -1;
        i = skipSpace(buf, i);
        if (buf[i] !== RBRACKET) return -1; // also a third coordinate: left to the general path
        // ±Infinity: out of the double range, which the validation rejects
        if (!Number.isFinite(xy[n]) || !Number.isFinite(xy[n + 1])) return -1;
        n += 2;
        i = skipSpace(buf, i + 1);
        if (buf[i] === RBRACKET) break;
        if (buf[i] !== COMMA) return -1;
        i = skipSpace(buf, i + 1);
      }
    }
    const count = (n - n0) / 2;
    if (count > 0 && (count < 4 || xy[n0] !== xy[n - 2] || xy[n0 + 1] !== xy[n - 1])) return -1;
    for (let k = n0; k < n; k += 2) if (!isLonLat(xy[k], xy[k + 1])) return -1;
    this.pointsPerRing[this.rings++] = count;
    this.points += count;
    return i + 1;
  }
}

function skipSpace(buf: Buffer, i: number): number {
  let c = buf[i];
  while (isJsonSpace(c)) c = buf[++i];
  return i;
}

function startsWith(buf: Buffer, i: number, word: Buffer): boolean {
  if (i + word.length > buf.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[i + k] !== word[k]) return false;
  return true;
}
