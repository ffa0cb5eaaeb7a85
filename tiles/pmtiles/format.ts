// PMTiles v3 (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): the byte layout of one archive —
// tile ids on the Hilbert curve, varints, the 127-byte header and directories — encode and decode side by side, so
// each field is written and read in one place. The archive writer (writer.ts) decides what goes where.
import { gunzipSync, gzipSync } from "node:zlib";

export const MAGIC = "PMTiles";
export const SPEC_VERSION = 3;
export const HEADER_BYTES = 127;
/** The header and the root directory must be readable with one first request of this many bytes. */
export const FIRST_REQUEST_BYTES = 16_384;
/** Tile ids are exact in a double up to this zoom: (4^27 - 1) / 3 < 2^53. */
export const MAX_ZOOM = 26;

export enum Compression {
  Unknown = 0,
  None = 1,
  Gzip = 2,
  Brotli = 3,
  Zstd = 4,
}

export enum TileType {
  Unknown = 0,
  Mvt = 1,
  Png = 2,
  Jpeg = 3,
  Webp = 4,
  Avif = 5,
}

// ---------------------------------------------------------------------------------------------------------------
// Tile ids: all tiles of lower zooms come first, then the zoom's tiles in Hilbert-curve order (neighbouring tiles
// get neighbouring ids, so a clustered archive stores a map view's tiles close together).

/** Tiles of every zoom below z: 1 + 4 + … + 4^(z-1). */
function tilesBelow(z: number): number {
  return (4 ** z - 1) / 3;
}

/** turn()'s result: x, y after the turn. Reused: valid until the next turn() call, read at once by its callers. */
const turned = [0, 0];

/**
 * One level of the curve: within an s×s quadrant (x, y < s), the lower-left and lower-right quadrants (ry = 0)
 * are mirrored and transposed so their part of the curve runs as the whole curve does. Its own inverse, so the
 * id → tile direction uses it too.
 */
function turn(s: number, x: number, y: number, rx: number, ry: number): void {
  if (ry === 0) {
    if (rx === 1) {
      x = s - 1 - x;
      y = s - 1 - y;
    }
    turned[0] = y;
    turned[1] = x;
  } else {
    turned[0] = x;
    turned[1] = y;
  }
}

export function zxyToTileId(z: number, x: number, y: number): number {
  if (!Number.isInteger(z) || z < 0 || z > MAX_ZOOM) throw new RangeError(`tile zoom ${z} outside 0..${MAX_ZOOM}`);
  const n = 2 ** z;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= n || y >= n) {
    throw new RangeError(`tile ${z}/${x}/${y} outside the zoom's ${n}×${n} grid`);
  }
  let d = 0;
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = x & s ? 1 : 0;
    const ry = y & s ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    turn(s, x & (s - 1), y & (s - 1), rx, ry);
    x = turned[0];
    y = turned[1];
  }
  return tilesBelow(z) + d;
}

export function tileIdToZxy(id: number): [number, number, number] {
  if (!Number.isInteger(id) || id < 0) throw new RangeError(`tile id ${id} is not a whole number ≥ 0`);
  let z = 0;
  while (z <= MAX_ZOOM && tilesBelow(z + 1) <= id) z++;
  if (z > MAX_ZOOM) throw new RangeError(`tile id ${id} is beyond zoom ${MAX_ZOOM}`);
  const n = 2 ** z;
  let d = id - tilesBelow(z);
  let x = 0;
  let y = 0;
  for (let s = 1; s < n; s *= 2) {
    const rx = Math.floor(d / 2) % 2;
    const ry = (d % 2) ^ rx;
    turn(s, x, y, rx, ry);
    x = turned[0] + s * rx;
    y = turned[1] + s * ry;
    d = Math.floor(d / 4);
  }
  return [z, x, y];
}

// ---------------------------------------------------------------------------------------------------------------
// Unsigned LEB128 varints, up to 2^53 (division, not 32-bit shifts: offsets pass 4 GiB).

/** A growable byte buffer for directories. */
export class ByteWriter {
  private buf = Buffer.alloc(1024);
  length = 0;

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint ${v} is not a whole number ≥ 0`);
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

export function readVarint(buf: Uint8Array, at: { pos: number }): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (at.pos >= buf.length) throw new RangeError("varint runs past the end of the directory");
    const b = buf[at.pos++];
    v += (b & 0x7f) * scale;
    if (b < 0x80) return v;
    scale *= 0x80;
    if (scale > 2 ** 56) throw new RangeError("varint longer than 8 bytes");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Directories: entry columns one after the other (ids as deltas; an offset that follows the previous entry's
// bytes is written as 0, any other as offset + 1). runLength 0 marks an entry pointing to a leaf directory.

/** Directory entries as columns of numbers (a planet archive has millions: no object per entry). */
export class Entries {
  tileId: number[] = [];
  offset: number[] = [];
  length: number[] = [];
  runLength: number[] = [];

  get size(): number {
    return this.tileId.length;
  }

  push(tileId: number, offset: number, length: number, runLength: number): void {
    this.tileId.push(tileId);
    this.offset.push(offset);
    this.length.push(length);
    this.runLength.push(runLength);
  }
}

/** Entries [from, to) as a directory, compressed with gzip (the archive's internal compression). */
export function encodeDirectory(e: Entries, from = 0, to = e.size): Buffer {
  const w = new ByteWriter();
  w.varint(to - from);
  let last = 0;
  for (let i = from; i < to; i++) {
    w.varint(e.tileId[i] - last);
    last = e.tileId[i];
  }
  for (let i = from; i < to; i++) w.varint(e.runLength[i]);
  for (let i = from; i < to; i++) w.varint(e.length[i]);
  for (let i = from; i < to; i++) {
    const follows = i > from && e.offset[i] === e.offset[i - 1] + e.length[i - 1];
    w.varint(follows ? 0 : e.offset[i] + 1);
  }
  return gzipSync(w.bytes());
}

export function decodeDirectory(gz: Uint8Array): Entries {
  const buf = gunzipSync(gz);
  const at = { pos: 0 };
  const n = readVarint(buf, at);
  const e = new Entries();
  let last = 0;
  for (let i = 0; i < n; i++) {
    last += readVarint(buf, at);
    e.push(last, 0, 0, 0);
  }
  for (let i = 0; i < n; i++) e.runLength[i] = readVarint(buf, at);
  for (let i = 0; i < n; i++) e.length[i] = readVarint(buf, at);
  for (let i = 0; i < n; i++) {
    const v = readVarint(buf, at);
    if (v === 0 && i === 0) throw new RangeError("the first directory entry has no offset");
    e.offset[i] = v === 0 ? e.offset[i - 1] + e.length[i - 1] : v - 1;
  }
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// The header: fixed little-endian fields, positions in bytes.

export interface Header {
  rootDirectoryOffset: number;
  rootDirectoryLength: number;
  metadataOffset: number;
  metadataLength: number;
  leafDirectoriesOffset: number;
  leafDirectoriesLength: number;
  tileDataOffset: number;
  tileDataLength: number;
  /** Tiles a reader can ask for and get (runs counted in full). */
  addressedTiles: number;
  /** Directory entries pointing to tile data (runs counted once). */
  tileEntries: number;
  /** Distinct tile contents stored. */
  tileContents: number;
  clustered: boolean;
  internalCompression: Compression;
  tileCompression: Compression;
  tileType: TileType;
  minZoom: number;
  maxZoom: number;
  /** [minLon, minLat, maxLon, maxLat] */
  bounds: [number, number, number, number];
  centerZoom: number;
  center: [number, number];
}

const E7 = 1e7;

export function encodeHeader(h: Header): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(MAGIC, 0, "ascii");
  b.writeUInt8(SPEC_VERSION, 7);
  const u64 = [
    h.rootDirectoryOffset,
    h.rootDirectoryLength,
    h.metadataOffset,
    h.metadataLength,
    h.leafDirectoriesOffset,
    h.leafDirectoriesLength,
    h.tileDataOffset,
    h.tileDataLength,
    h.addressedTiles,
    h.tileEntries,
    h.tileContents,
  ];
  for (const [i, v] of u64.entries()) b.writeBigUInt64LE(BigInt(v), 8 + 8 * i);
  b.writeUInt8(h.clustered ? 1 : 0, 96);
  b.writeUInt8(h.internalCompression, 97);
  b.writeUInt8(h.tileCompression, 98);
  b.writeUInt8(h.tileType, 99);
  b.writeUInt8(h.minZoom, 100);
  b.writeUInt8(h.maxZoom, 101);
  for (const [i, v] of h.bounds.entries()) b.writeInt32LE(Math.round(v * E7), 102 + 4 * i);
  b.writeUInt8(h.centerZoom, 118);
  b.writeInt32LE(Math.round(h.center[0] * E7), 119);
  b.writeInt32LE(Math.round(h.center[1] * E7), 123);
  return b;
}

export function decodeHeader(buf: Uint8Array): Header {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_BYTES || b.toString("ascii", 0, 7) !== MAGIC) throw new RangeError("not a PMTiles archive");
  if (b.readUInt8(7) !== SPEC_VERSION) throw new RangeError(`PMTiles spec version ${b.readUInt8(7)}, not 3`);
  const u64 = (i: number) => Number(b.readBigUInt64LE(8 + 8 * i));
  const e7 = (at: number) => b.readInt32LE(at) / E7;
  return {
    rootDirectoryOffset: u64(0),
    rootDirectoryLength: u64(1),
    metadataOffset: u64(2),
    metadataLength: u64(3),
    leafDirectoriesOffset: u64(4),
    leafDirectoriesLength: u64(5),
    tileDataOffset: u64(6),
    tileDataLength: u64(7),
    addressedTiles: u64(8),
    tileEntries: u64(9),
    tileContents: u64(10),
    clustered: b.readUInt8(96) === 1,
    internalCompression: b.readUInt8(97),
    tileCompression: b.readUInt8(98),
    tileType: b.readUInt8(99),
    minZoom: b.readUInt8(100),
    maxZoom: b.readUInt8(101),
    bounds: [e7(102), e7(106), e7(110), e7(114)],
    centerZoom: b.readUInt8(118),
    center: [e7(119), e7(123)],
  };
}
