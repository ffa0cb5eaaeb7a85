// JSON text built straight into fixed-size byte chunks. The zones writer used to make one string per zone (its
// geometry turned into nested arrays, then JSON.stringify), then UTF-8 encode it: for a continent that is
// gigabytes of short-lived strings and arrays. Here coordinates go from numbers to ASCII digits in the chunk,
// and full chunks are handed on (to the file or to the compressor) as they fill.
import { poisonRecycled } from "./recycled-buffers.ts";

/** Room a number may take: "-" + 17 digits + "." + "e-308" fits well within it. */
const NUMBER_ROOM = 32;

/** Smallest chunk: room for a position, `[x,y]` with its comma. */
export const MIN_CHUNK_SIZE = 2 * NUMBER_ROOM + 4;

const MINUS = 0x2d;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const DOT = 0x2e;
const ZERO = 0x30;

/** 10^7: OSM coordinates are integers of 1e-7 degree, so most coordinates have at most 7 decimals. */
const FIXED_SCALE = 1e7;
const FIXED_DECIMALS = 7;

export class JsonBytes {
  private chunk: Buffer;
  private pos = 0;
  /** bytes handed on so far */
  private emitted = 0;

  /**
   * `emit` receives each chunk when it is full (or on flush()); the chunk is the receiver's from then on.
   * `spare`: where a new chunk is taken from before allocating one (the receiver puts back the chunks it is done
   * with, see recycle()); a steady stream of new 1 MB buffers makes V8 collect the whole heap again and again.
   */
  constructor(
    private readonly chunkSize: number,
    private readonly emit: (chunk: Buffer) => void,
    private readonly spare: Buffer[] = [],
  ) {
    // A position must fit in an empty chunk (a typed array drops writes past its end silently).
    if (chunkSize < MIN_CHUNK_SIZE) throw new RangeError(`chunk size ${chunkSize} is below ${MIN_CHUNK_SIZE}`);
    this.chunk = this.newChunk();
  }

  private newChunk(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.chunkSize);
  }

  /**
   * Gives back a chunk this emitted (all of it or its start), once the receiver no longer reads it: it will be
   * written over. Other buffers (a large text handed on whole) are ignored. How long a view stays valid:
   * recycled-buffers.ts.
   */
  recycle(chunk: Uint8Array): void {
    if (chunk.byteOffset !== 0 || chunk.buffer.byteLength !== this.chunkSize) return;
    if (this.spare.length >= 64) return;
    const whole = Buffer.from(chunk.buffer as ArrayBuffer, 0, this.chunkSize);
    poisonRecycled(whole);
    this.spare.push(whole);
  }

  /** Bytes written so far, handed on or not. */
  get length(): number {
    return this.emitted + this.pos;
  }

  /** Hands on the bytes written so far (nothing when there are none). */
  flush(): void {
    if (this.pos === 0) return;
    const full = this.chunk.subarray(0, this.pos);
    this.chunk = this.newChunk();
    this.emitted += this.pos;
    this.pos = 0;
    this.emit(full);
  }

  private emitWhole(bytes: Buffer): void {
    this.emitted += bytes.length;
    this.emit(bytes);
  }

  /** Bytes already encoded (e.g. JSON text made on another thread), copied in; chunks stay full-sized. */
  bytes(b: Uint8Array): void {
    for (let at = 0; at < b.length; ) {
      if (this.pos === this.chunkSize) this.flush();
      const n = Math.min(b.length - at, this.chunkSize - this.pos);
      this.chunk.set(b.subarray(at, at + n), this.pos);
      this.pos += n;
      at += n;
    }
  }

  private room(n: number): void {
    if (this.chunkSize - this.pos < n) this.flush();
  }

  /** Text known to be ASCII (keys, punctuation): copied char by char, no encoder call. */
  ascii(s: string): void {
    this.room(s.length);
    if (s.length > this.chunkSize) {
      this.emitWhole(Buffer.from(s, "latin1"));
      return;
    }
    const c = this.chunk;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) c[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, UTF-8 encoded (at most 3 bytes a UTF-16 unit). */
  text(s: string): void {
    const worst = s.length * 3;
    if (worst <= this.chunkSize) {
      this.room(worst);
      this.pos += this.chunk.write(s, this.pos, "utf8");
      return;
    }
    this.flush();
    this.emitWhole(Buffer.from(s, "utf8"));
  }

  /** `[x,y]` (a GeoJSON position), preceded by a comma unless `first`. */
  position(x: number, y: number, first: boolean): void {
    this.room(2 * NUMBER_ROOM + 4);
    if (!first) this.chunk[this.pos++] = COMMA;
    this.chunk[this.pos++] = OPEN;
    this.number(x);
    this.chunk[this.pos++] = COMMA;
    this.number(y);
    this.chunk[this.pos++] = CLOSE;
  }

  /** A number as JSON.stringify writes it (shortest round-trip text; NaN and ±Infinity as null). */
  number(x: number): void {
    this.room(NUMBER_ROOM);
    const a = x < 0 ? -x : x;
    // Fast path for numbers with at most 7 decimals, |x| in [1e-6, 1e8) (JavaScript writes smaller ones with
    // an exponent). n / 1e7 is the double nearest n·10⁻⁷, so equality means the decimal text of n·10⁻⁷ reads
    // back as x; having at most 15 significant digits it is also the shortest such text (two different
    // decimals of ≤ 15 digits never round to the same double), which is what Number.prototype.toString picks.
    if (a < 1e8 && (a >= 1e-6 || a === 0)) {
      const n = Math.round(a * FIXED_SCALE);
      if (n / FIXED_SCALE === a) {
        // floor(a) is floor(n / 10⁷): a is the double nearest n·10⁻⁷, and doubles below 1e8 are closer together
        // than 10⁻⁷, so no integer lies between them.
        const ip = Math.floor(a);
        const fp = n - ip * FIXED_SCALE;
        if (fp >= 0 && fp < FIXED_SCALE) {
          this.fixed(x < 0, ip, fp);
          return;
        }
      }
    }
    this.ascii(Number.isFinite(x) ? String(x) : "null");
  }

  /** Writes [-]ip[.fp] with fp a 7-decimal fraction (trailing zeros dropped); ip < 1e8, fp < 1e7. */
  private fixed(negative: boolean, ip: number, fp: number): void {
    const c = this.chunk;
    let p = this.pos;
    if (negative) c[p++] = MINUS;
    let i = ip | 0;
    let len = 1;
    for (let t = i; t >= 10; t = (t / 10) | 0) len++;
    p += len;
    for (let q = p; ; ) {
      c[--q] = ZERO + (i % 10);
      i = (i / 10) | 0;
      if (i === 0) break;
    }
    if (fp !== 0) {
      c[p] = DOT;
      let f = fp | 0;
      // All seven decimals from the right, then the trailing zeros taken back.
      for (let q = p + FIXED_DECIMALS; q > p; q--) {
        c[q] = ZERO + (f % 10);
        f = (f / 10) | 0;
      }
      p += FIXED_DECIMALS + 1;
      while (c[p - 1] === ZERO) p--;
    }
    this.pos = p;
  }
}
