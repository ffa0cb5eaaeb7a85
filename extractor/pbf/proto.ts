// A focused protobuf wire-format reader for the OSM PBF messages. Hand-written (instead of the `pbf`
// package's callback API) so that hot loops — packed delta-coded ids/coords — run as tight inline loops with
// no closure calls and no intermediate arrays; bench/extract/proto-microbench.ts keeps the measurement.
// 64-bit varints are decoded into JS numbers (exact below 2^53, which OSM ids and coordinates respect).

/** Thrown for malformed protobuf data; the caller adds the blob offset and file name. */
export class ProtoError extends Error {}

const TWO_32 = 4294967296;

/**
 * The low 3 bits of a field key. Each message's field keys are named in an enum beside its decoder, valued
 * (field number << 3) | wire type: esbuild (tsx, vitest) inlines the members of an enum declared in the same
 * file as number literals, so a `switch` on named keys still compares against constants in the hot loops.
 */
export enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

export class ProtoReader {
  buf: Uint8Array;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Next field key ((field << 3) | wireType), or 0 at the end of the message. */
  key(): number {
    if (this.pos >= this.end) return 0;
    const k = this.uint32();
    if (k === 0) throw new ProtoError(`invalid field key 0 at ${this.pos}`);
    return k;
  }

  /** An unsigned varint known to fit 32 bits (longer encodings are consumed and truncated, as protobuf does). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++];
    let v = b & 0x7f;
    if (b >= 0x80) {
      b = buf[pos++];
      v |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++];
        v |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++];
          v |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[pos++];
            v += (b & 0x0f) * 0x10000000;
            // Bytes 6..10 only carry sign extension of negative int32 values: skip them.
            while (b >= 0x80) {
              if (pos >= this.end) break;
              b = buf[pos++];
            }
          }
        }
      }
    }
    if (pos > this.end) throw new ProtoError(`truncated varint at ${this.pos}`);
    this.pos = pos;
    return v >>> 0;
  }

  /** A varint as int64 → number (two's complement for negative values). */
  int64(): number {
    const lo = this.uint32Lo();
    const hi = this.hiPart;
    if (hi >= 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
    return hi * TWO_32 + lo;
  }

  /** A zig-zag encoded sint64 → number. */
  sint64(): number {
    const lo = this.uint32Lo();
    const hi = this.hiPart;
    // (hi:lo) >>> 1, computed without leaving exact double range.
    const half = hi * 0x80000000 + (lo >>> 1);
    return lo & 1 ? -half - 1 : half;
  }

  /** Set by uint32Lo(): the high 32 bits of the last 64-bit varint. */
  hiPart = 0;

  /** Reads a full 64-bit varint: returns the low 32 bits (unsigned) and leaves the high 32 bits in hiPart. */
  uint32Lo(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++];
    let lo = b & 0x7f;
    let hi = 0;
    if (b >= 0x80) {
      b = buf[pos++];
      lo |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++];
        lo |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++];
          lo |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[pos++];
            lo |= (b & 0x0f) << 28;
            hi = (b & 0x70) >> 4;
            let shift = 3;
            while (b >= 0x80) {
              if (shift > 31) throw new ProtoError(`varint longer than 10 bytes at ${this.pos}`);
              b = buf[pos++];
              hi |= (b & 0x7f) << shift;
              shift += 7;
            }
          }
        }
      }
    }
    if (pos > this.end) throw new ProtoError(`truncated varint at ${this.pos}`);
    this.pos = pos;
    this.hiPart = hi >>> 0;
    return lo >>> 0;
  }

  /** Start/end of a length-delimited field's payload; advances past it. */
  lengthDelimited(): number {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new ProtoError(`length ${len} at ${start} overruns its message (ends at ${this.end})`);
    this.pos = end;
    return start;
  }

  /** A sub-reader over a length-delimited field. */
  message(): ProtoReader {
    const start = this.lengthDelimited();
    return new ProtoReader(this.buf, start, this.pos);
  }

  string(): string {
    const start = this.lengthDelimited();
    return utf8(this.buf, start, this.pos);
  }

  skip(key: number): void {
    switch (key & 7) {
      case WireType.Varint:
        this.uint32Lo();
        break;
      case WireType.Fixed64:
        this.pos += 8;
        break;
      case WireType.LengthDelimited:
        this.lengthDelimited();
        break;
      case WireType.Fixed32:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${key & 7} at ${this.pos}`);
    }
    if (this.pos > this.end) throw new ProtoError(`field overruns its message at ${this.pos}`);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** UTF-8 decode; short ASCII strings (most OSM keys and values) skip TextDecoder's call overhead. */
export function utf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start < 24) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return decoder.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(buf.subarray(start, end));
}
