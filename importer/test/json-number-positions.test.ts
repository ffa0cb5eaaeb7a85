// readPositions (json-number.ts), the load's loop over "[x,y],[x,y]…", against JSON.parse: the same doubles for
// every number it takes, and it leaves every other shape to the general reader. Then the COPY encoder's slab reuse
// (copy-binary.ts recycle()), which the load relies on to spare garbage collections.
import { describe, expect, it } from "vitest";
import type { Position, Zone } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import { BinaryCopyEncoder } from "../copy-binary.ts";
import { readPositions } from "../json-number.ts";
import { MultiPolygonTextReader } from "../multipolygon-text.ts";

/** What follows a ring in a zone line (readPositions wants room after the numbers it reads). */
const AFTER = ']]],"bbox":[0,0,1,1],"tags":{"name":"padding for the word reads"}}';

interface Read {
  /** Numbers read. */
  values: number[];
  /** Offset where it stopped, in the text. */
  end: number;
}

/** readPositions on `text` (starting with "[") followed by AFTER, with room for `room` positions (default: all). */
function positions(text: string, room = text.length): Read {
  const buf = Buffer.from(text + AFTER);
  const xy = new Float64Array(2 * room);
  const state = Int32Array.of(0, 0, 0, 0);
  const n = readPositions(buf, new DataView(buf.buffer, buf.byteOffset, buf.length), state, xy, 0);
  return { values: Array.from(xy.subarray(0, n)), end: state[0] };
}

/** The numbers of a list of positions, as JSON.parse reads them. */
function parsed(text: string): number[] {
  return (JSON.parse(`[${text}]`) as number[][]).flat();
}

/** The shape readPositions takes. */
const USUAL = /^-?(0|[1-9][0-9]{0,2})\.[0-9]{1,17}$/;

function expectSameAsJsonParse(texts: string[]): void {
  expect(texts.filter((t) => !USUAL.test(t))).toEqual([]);
  const pairs = texts.map((t, k) => `[${t},${texts[(k + 1) % texts.length]}]`);
  const text = pairs.join(",");
  const read = positions(text);
  expect(read.end).toBe(text.length); // all of them
  const want = parsed(text);
  const wrong = want.flatMap((v, k) => (Object.is(read.values[k], v) ? [] : [`${texts[k >> 1]}: ${read.values[k]}`]));
  expect(wrong).toEqual([]);
}

/** The exact decimal expansion of the midpoint between d > 0 and the next double, cut at `decimals` decimals. */
function midpointDigits(d: number, decimals: number): [string, string] {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, d);
  const raw = bits.getBigUint64(0);
  const exponent = Number((raw >> 52n) & 0x7ffn);
  const mantissa = (raw & ((1n << 52n) - 1n)) | (exponent ? 1n << 52n : 0n);
  // d = mantissa * 2^e, the midpoint (2 * mantissa + 1) * 2^(e - 1)
  const e = (exponent || 1) - 1075;
  const scaled = ((2n * mantissa + 1n) * 10n ** BigInt(decimals)) >> BigInt(1 - e); // e < 0 in this range
  const text = (v: bigint) => {
    const s = v.toString().padStart(decimals + 1, "0");
    return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
  };
  return [text(scaled), text(scaled + 1n)];
}

describe("readPositions", () => {
  it("gives JSON.parse's doubles on random coordinates printed with full precision (the benchmark's shape)", () => {
    const rand = seededRandom(11);
    const texts: string[] = [];
    for (let i = 0; i < 50000; i++) {
      const lon = (rand() - 0.5) * 360;
      const lat = (rand() - 0.5) * 180;
      for (const v of [lon, lat, lon / 1000, lat / 100]) {
        const s = String(v);
        if (USUAL.test(s)) texts.push(s); // not the smallest ones, with more than 17 decimals or an exponent
      }
    }
    expectSameAsJsonParse(texts);
  });

  it("gives JSON.parse's doubles for 1 to 3 integer digits and 1 to 17 decimals", () => {
    const rand = seededRandom(5);
    const texts: string[] = [];
    for (let i = 0; i < 40000; i++) {
      const intDigits = 1 + Math.floor(rand() * 3);
      const decimals = 1 + Math.floor(rand() * 17);
      let s = intDigits === 1 ? String(Math.floor(rand() * 10)) : String(1 + Math.floor(rand() * 9));
      for (let k = 1; k < intDigits; k++) s += Math.floor(rand() * 10);
      s += ".";
      for (let k = 0; k < decimals; k++) s += Math.floor(rand() * 10);
      texts.push(rand() < 0.5 ? `-${s}` : s);
      // OSM's precision, as cosmogony files from OSM have it
      texts.push(((rand() - 0.5) * 360).toFixed(7));
    }
    expectSameAsJsonParse(texts);
  });

  it("gives JSON.parse's doubles just below and above the midpoints between two doubles", () => {
    const rand = seededRandom(9);
    const texts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const d = [rand() * 999, rand(), rand() * 10, 1 + rand()][i % 4];
      for (const decimals of [15, 16, 17]) texts.push(...midpointDigits(d, decimals));
    }
    expectSameAsJsonParse(texts);
  });

  it("gives JSON.parse's doubles on edge cases", () => {
    expectSameAsJsonParse([
      "0.0",
      "-0.0",
      "-0.00000000000000000",
      "0.00000000000000001",
      "-0.5",
      "9.99999999999999999",
      "999.99999999999999999",
      "-999.99999999999999999",
      "-169.99753901011826",
      "-59.99935614821669",
      "179.99999999999997",
      "90.00000000000001",
      "0.30000000000000004",
      "0.1",
      "6.1296751",
      "49.8158683",
      "123.456789012",
      "1.00000000000000011",
      "0.12345678901234567",
    ]);
  });

  it("stops before what it leaves to the general reader", () => {
    const ok = "[1.5,-2.25]";
    for (const other of [
      "[1.5, 2.5]",
      "[ 1.5,2.5]",
      "[1.5,2.5 ]",
      "[1,2.5]",
      "[1.5,2]",
      "[1.5e3,2.5]",
      "[1.5,2.5E-3]",
      "[1234.5,2.5]",
      "[01.5,2.5]",
      "[-01.5,2.5]",
      "[1.,2.5]",
      "[.5,2.5]",
      "[--1.5,2.5]",
      "[+1.5,2.5]",
      "[1.123456789012345678,2.5]",
      "[1.5,2.123456789012345678]",
      "[1.5,2.5,3.5]",
      '["1.5",2.5]',
      "[1.5;2.5]",
      "[1.5,2.5)",
    ]) {
      expect(positions(other), other).toEqual({ values: [], end: 0 });
      // after good ones: those are read, it stops at the separator before the other one
      const read = positions(`${ok},${ok},${other}`);
      expect(read, other).toEqual({ values: [1.5, -2.25, 1.5, -2.25], end: 2 * ok.length + 1 });
    }
    // the end of the ring, a space after a position
    expect(positions(`${ok},${ok}`)).toEqual({ values: [1.5, -2.25, 1.5, -2.25], end: 2 * ok.length + 1 });
    expect(positions(`${ok} ,${ok}`)).toEqual({ values: [1.5, -2.25], end: ok.length });
    // no more room in xy
    expect(positions(`${ok},${ok},${ok}`, 2)).toEqual({ values: [1.5, -2.25, 1.5, -2.25], end: 2 * ok.length + 1 });
  });

  it("does not read past the end of the buffer (the last 50 bytes are left to the general reader)", () => {
    const ok = "[1.5,-2.25]";
    const text = Array.from({ length: 10 }, () => ok).join(",");
    for (let length = 0; length <= text.length; length++) {
      const buf = Buffer.from(text.slice(0, length));
      const state = Int32Array.of(0, 0, 0, 0);
      const n = readPositions(
        buf,
        new DataView(buf.buffer, buf.byteOffset, buf.length),
        state,
        new Float64Array(64),
        0,
      );
      // positions are read while they start 50 bytes or more before the end
      const read = length < 50 ? 0 : Math.floor((length - 50) / (ok.length + 1)) + 1;
      expect(n, `${length}`).toBe(2 * read);
      expect(state[0], `${length}`).toBe(read * (ok.length + 1) - (read ? 1 : 0));
    }
  });
});

describe("MultiPolygonTextReader with readPositions", () => {
  it("reads rings mixing the usual positions with others exactly as JSON.parse does", () => {
    const rand = seededRandom(17);
    const reader = new MultiPolygonTextReader();
    for (let round = 0; round < 200; round++) {
      const ring: string[] = [];
      const count = 4 + Math.floor(rand() * 300);
      for (let k = 0; k < count; k++) {
        const x = (rand() - 0.5) * 360;
        const y = (rand() - 0.5) * 170;
        const kind = rand();
        if (kind < 0.8) ring.push(`[${x},${y}]`);
        else if (kind < 0.85) ring.push(`[${x}, ${y}]`);
        else if (kind < 0.9) ring.push(`[${Math.round(x)},${y.toExponential()}]`);
        else if (kind < 0.95) ring.push(`[${x.toFixed(7)},${y.toFixed(20)}]`);
        else ring.push(` [${x},${y}] `);
      }
      ring.push(ring[0]); // closed, as rings must be
      const text = `{"type":"MultiPolygon","coordinates":[[[${ring.join(",")}]]]}`;
      const buf = Buffer.from(`${text},"next":1}`);
      const mp = reader.read(buf, 0);
      expect(reader.end).toBe(text.length);
      const want = (JSON.parse(text).coordinates[0][0] as number[][]).flat();
      expect(mp?.length).toBe(1);
      expect(mp?.[0].length).toBe(1);
      const got = Array.from(mp?.[0][0] ?? []);
      expect(got.length).toBe(2 * (count + 1));
      expect(got.every((v, k) => Object.is(v, want[k]))).toBe(true);
    }
  });
});

/** A zone whose geometry makes about `points` positions (~32 bytes of EWKB each, twice). */
function bigZone(points: number, id: number): Zone {
  const base = sampleZones().find((z) => z.geometry) as Zone;
  const ring: Position[] = [];
  for (let k = 0; k < points - 1; k++) ring.push([Math.cos(k) * 10 + id, Math.sin(k) * 10]);
  ring.push(ring[0]);
  return { ...base, id, geometry: { type: "MultiPolygon", coordinates: [[ring]] } };
}

describe("BinaryCopyEncoder slabs", () => {
  // 60 zones of 40,000 positions: ~77 MB of rows, several 8 MB slabs
  const zones = Array.from({ length: 60 }, (_, k) => bigZone(40000, k + 1));

  function run(recycle: boolean): { chunks: Buffer[]; copies: Buffer[] } {
    const encoder = new BinaryCopyEncoder();
    const chunks: Buffer[] = [];
    const copies: Buffer[] = [];
    const keep = (chunk: Buffer) => {
      chunks.push(chunk);
      copies.push(Buffer.from(chunk));
      if (recycle) encoder.recycle();
    };
    for (const z of zones) {
      encoder.addZone(z);
      const chunk = encoder.take();
      if (chunk) keep(chunk);
    }
    keep(encoder.finish());
    return { chunks, copies };
  }

  it("never writes over a chunk it handed out unless told it was written out", () => {
    const { chunks, copies } = run(false);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBeGreaterThan(3);
    expect(chunks.every((c, k) => c.equals(copies[k]))).toBe(true);
  });

  it("reuses the slabs of chunks written out, and the stream stays the same", () => {
    const plain = run(false);
    const recycled = run(true);
    expect(Buffer.concat(recycled.copies).equals(Buffer.concat(plain.copies))).toBe(true);
    // fewer distinct slabs: the old chunks' bytes were written over (they had been "written out")
    const slabs = new Set(recycled.chunks.map((c) => c.buffer)).size;
    expect(slabs).toBeLessThan(new Set(plain.chunks.map((c) => c.buffer)).size);
    expect(recycled.chunks.some((c, k) => !c.equals(recycled.copies[k]))).toBe(true);
  });
});
