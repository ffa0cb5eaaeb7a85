// Streaming scanner for the `.json` form {"zones": [Zone, …], "meta": {…}}: finds each element of the top-level
// "zones" array (and the "meta" value) in a byte stream and hands over its bytes, so that only one zone is ever
// in memory. It tracks strings, escapes and nesting depth only; each element is then checked by JSON.parse.
// Working on bytes is safe for UTF-8: every byte of a multi-byte character is >= 0x80, never a JSON delimiter.
//
// Why not a library: stream-json (the usual choice) tokenises every coordinate into an object and is ~10x slower
// than JSON.parse on the element text (measured in bench/import/json-reader.bench.ts).

import { BACKSLASH, COLON, COMMA, isJsonSpace, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from "./json-syntax.ts";
import { keepPastChunk } from "./recycled-buffers.ts";

export type ScannedItem =
  | { kind: "zone"; index: number; offset: number; bytes: Buffer }
  | { kind: "meta"; offset: number; bytes: Buffer };

/** Thrown for structural problems; the reader turns it into an InputError with the file name. */
export class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly index?: number,
  ) {
    super(message);
  }
}

export class JsonZonesScanner {
  private offset = 0; // absolute offset of the current chunk's first byte
  private depth = 0;
  private inString = false;
  private escape = false;
  private expectKey = false; // at depth 1: the next string is a key
  private key: string | null = null; // current key at depth 1
  private keyParts: Buffer[] | null = null;
  private keyStart = -1;
  private inZones = false;
  private sawZones = false;
  private done = false;
  private zoneIndex = 0;
  private capture: "zone" | "meta" | null = null;
  private captureParts: Buffer[] = [];
  private captureStart = -1;
  private captureOffset = 0;

  /**
   * @param parseZones false to skip zone elements (reading the meta only).
   * @param recycled each chunk pushed is written over once the next one is pushed (recycled-buffers.ts): the
   *   part of an element or key that continues in the next chunk is copied. The items push() hands out are
   *   valid as long as the chunk it was given.
   */
  constructor(
    private readonly parseZones = true,
    private readonly recycled = false,
  ) {}

  push(chunk: Buffer, out: ScannedItem[]): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyParts) this.finishKey(chunk, i);
        }
        continue;
      }
      if (isJsonSpace(c)) continue;
      if (this.done) throw new ScanError("unexpected data after the end of the top-level object", this.offset + i);
      const depth = this.depth;
      if (depth === 0) {
        if (c !== LBRACE)
          throw new ScanError('expected a JSON object {"zones": [...], "meta": {...}}', this.offset + i);
        this.depth = 1;
        this.expectKey = true;
        continue;
      }
      if (depth === 1) {
        if (this.expectKey) {
          if (c === QUOTE) {
            this.inString = true;
            this.keyParts = [];
            this.keyStart = i + 1;
            continue;
          }
          if (c === RBRACE) {
            this.depth = 0;
            this.done = true;
            continue;
          }
          throw new ScanError("expected a key in the top-level object", this.offset + i);
        }
        if (c === COLON) continue;
        if (c === COMMA) {
          this.expectKey = true;
          continue;
        }
        if (c === RBRACE) {
          this.depth = 0;
          this.done = true;
          continue;
        }
        // The start of the value of `this.key`.
        if (this.key === "zones") {
          if (c !== LBRACKET) throw new ScanError('"zones" is not an array', this.offset + i);
          this.inZones = true;
          this.sawZones = true;
          this.depth = 2;
          continue;
        }
        if (this.key === "meta") {
          if (c !== LBRACE) throw new ScanError('"meta" is not an object', this.offset + i);
          this.startCapture("meta", i);
        }
        if (c === QUOTE) this.inString = true;
        else if (c === LBRACE || c === LBRACKET) this.depth = 2;
        continue;
      }
      // depth >= 2
      if (depth === 2 && this.inZones) {
        if (c === COMMA) continue;
        if (c === RBRACKET) {
          this.inZones = false;
          this.depth = 1;
          continue;
        }
        if (c !== LBRACE)
          throw new ScanError(`zones[${this.zoneIndex}] is not an object`, this.offset + i, this.zoneIndex);
        if (this.parseZones) this.startCapture("zone", i);
        this.depth = 3;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === LBRACE || c === LBRACKET) this.depth++;
      else if (c === RBRACE || c === RBRACKET) {
        this.depth--;
        if (this.depth === 2 && this.inZones) {
          if (this.capture === "zone") out.push(this.endCapture(chunk, i) as ScannedItem);
          this.zoneIndex++;
        } else if (this.depth === 1 && this.capture === "meta") {
          out.push(this.endCapture(chunk, i) as ScannedItem);
        }
      }
    }
    if (this.capture) {
      this.captureParts.push(keepPastChunk(chunk.subarray(this.captureStart), this.recycled));
      this.captureStart = 0;
    }
    if (this.keyParts) {
      this.keyParts.push(keepPastChunk(chunk.subarray(this.keyStart), this.recycled));
      this.keyStart = 0;
    }
    this.offset += n;
  }

  /** Call at the end of input: throws when the document is incomplete. */
  end(): void {
    if (this.depth === 0 && !this.done)
      throw new ScanError("no JSON in the file (it is empty or only whitespace)", this.offset);
    if (!this.done) {
      const where = this.inZones ? ` inside zones[${this.zoneIndex}]` : "";
      throw new ScanError(
        `unexpected end of file${where} (truncated file?)`,
        this.offset,
        this.inZones ? this.zoneIndex : undefined,
      );
    }
    if (!this.sawZones) throw new ScanError('no "zones" array in the file', this.offset);
  }

  get bytesScanned(): number {
    return this.offset;
  }

  private finishKey(chunk: Buffer, i: number): void {
    const parts = this.keyParts as Buffer[];
    parts.push(chunk.subarray(this.keyStart, i));
    this.keyParts = null;
    const raw = Buffer.concat(parts).toString("utf8");
    this.key = JSON.parse(`"${raw}"`) as string;
    this.expectKey = false;
  }

  private startCapture(kind: "zone" | "meta", i: number): void {
    this.capture = kind;
    this.captureParts = [];
    this.captureStart = i;
    this.captureOffset = this.offset + i;
  }

  private endCapture(chunk: Buffer, i: number): ScannedItem {
    const last = chunk.subarray(this.captureStart, i + 1);
    const bytes = this.captureParts.length === 0 ? last : Buffer.concat([...this.captureParts, last]);
    const kind = this.capture;
    this.capture = null;
    this.captureParts = [];
    return kind === "zone"
      ? { kind: "zone", index: this.zoneIndex, offset: this.captureOffset, bytes }
      : { kind: "meta", offset: this.captureOffset, bytes };
  }
}
