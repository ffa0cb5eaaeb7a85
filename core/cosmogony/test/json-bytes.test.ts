import { describe, expect, it } from "vitest";
import { JsonBytes, MIN_CHUNK_SIZE } from "../json-bytes.ts";

/** Runs `fill` on a JsonBytes with the given chunk size; returns the chunks it emitted, flushed at the end. */
function emitted(chunkSize: number, fill: (out: JsonBytes) => void): Buffer[] {
  const chunks: Buffer[] = [];
  const out = new JsonBytes(chunkSize, (c) => chunks.push(c));
  fill(out);
  out.flush();
  return chunks;
}

function numbersText(xs: number[], chunkSize = 1 << 16): string {
  return Buffer.concat(
    emitted(chunkSize, (out) =>
      xs.forEach((x, i) => {
        if (i > 0) out.ascii(",");
        out.number(x);
      }),
    ),
  ).toString("latin1");
}

/** Deterministic pseudo-random numbers (the test must not depend on the run). */
function* lcg(seed: number): Generator<number> {
  let s = seed >>> 0;
  for (;;) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    yield s / 2 ** 32;
  }
}

const TRICKY = [
  0,
  -0,
  1,
  -1,
  1e-7,
  -1e-7,
  1e-6,
  -1e-6,
  1.5e-6,
  9.999999e-7,
  1.2e-6,
  0.1,
  0.1 + 0.2,
  1 / 3,
  -2 / 3,
  4.35,
  1.0000001,
  6.1296751,
  49.8158683,
  -180,
  180,
  179.9999999,
  -0.0000005,
  6.149266287471119,
  49.59876527057686,
  0.30000000000000004,
  1e8,
  99999999.9999999,
  99999999.99999999,
  12345678.1234567,
  1e20,
  1e21,
  -1e21,
  1.7976931348623157e308,
  5e-324,
  2 ** 53,
  2 ** 53 + 2,
  123456789012345680000,
  NaN,
  Infinity,
  -Infinity,
];

describe("JsonBytes.number", () => {
  it("writes what JSON.stringify writes for tricky numbers", () => {
    expect(numbersText(TRICKY)).toBe(JSON.stringify(TRICKY).slice(1, -1));
    expect(numbersText([-0])).toBe("0");
    expect(numbersText([1e-7, 1e21])).toBe("1e-7,1e+21");
  });

  it("writes what JSON.stringify writes for OSM-like coordinates, decimals and arbitrary doubles", () => {
    const rnd = lcg(42);
    const next = () => rnd.next().value as number;
    const xs: number[] = [];
    for (let i = 0; i < 20000; i++) {
      // 1e-7-degree coordinates, as decoded from a PBF
      xs.push(Math.round((next() * 360 - 180) * 1e7) / 1e7);
      // short decimals of every scale, some with an exponent in JavaScript
      xs.push(Math.round(next() * 1e6) / 10 ** Math.floor(next() * 14));
      // full-precision doubles (PostGIS output), and any bit pattern
      xs.push((next() - 0.5) * 10 ** Math.floor(next() * 20 - 8));
      const bits = new Uint32Array([(next() * 2 ** 32) >>> 0, (next() * 2 ** 32) >>> 0]);
      xs.push(new Float64Array(bits.buffer)[0]);
    }
    expect(numbersText(xs)).toBe(JSON.stringify(xs).slice(1, -1));
  });
});

describe("JsonBytes chunks", () => {
  it("cuts text into chunks no larger than asked, losing and reordering nothing", () => {
    const labels = ["Lëtzebuerg", "Люксембург", "ルクセンブルク", "😀 emoji", "\u{10348}"];
    const expected: string[] = [];
    const chunkSize = 256;
    const chunks = emitted(chunkSize, (out) => {
      for (let i = 0; i < 300; i++) {
        const s = JSON.stringify({ label: labels[i % labels.length].repeat(i % 7), i });
        out.text(s);
        expected.push(s);
        out.position(i * 0.1234567, -i / 3, i % 5 === 0);
        expected.push(`${i % 5 === 0 ? "" : ","}[${JSON.stringify(i * 0.1234567)},${JSON.stringify(-i / 3)}]`);
        out.ascii('"key":');
        expected.push('"key":');
      }
      const long = "x".repeat(1000);
      out.text(long);
      out.ascii(long);
      expected.push(long, long);
    });
    expect(Buffer.concat(chunks).toString("utf8")).toBe(expected.join(""));
    expect(chunks.length).toBeGreaterThan(100);
    // Only text that may not fit a chunk is emitted on its own.
    expect(chunks.filter((c) => c.length > chunkSize).map((c) => c.length)).toEqual([1000, 1000]);
  });

  it("emits nothing for nothing, and refuses chunks too small for a position", () => {
    expect(emitted(1024, () => {})).toEqual([]);
    expect(() => new JsonBytes(MIN_CHUNK_SIZE - 1, () => {})).toThrow(RangeError);
  });
});

describe("JsonBytes.bytes and length", () => {
  it("copies ready-made bytes across chunk boundaries, chunks kept full, length counting every byte", () => {
    const ready = Buffer.from(Array.from({ length: 1000 }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join(""));
    const lengths: number[] = [];
    const chunks = emitted(MIN_CHUNK_SIZE, (out) => {
      out.ascii("[");
      out.bytes(ready);
      lengths.push(out.length);
      out.bytes(new Uint8Array(0));
      out.text("é".repeat(200)); // larger than a chunk: handed on whole
      lengths.push(out.length);
      out.ascii("]");
      lengths.push(out.length);
    });
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text).toBe(`[${ready.toString()}${"é".repeat(200)}]`);
    expect(lengths).toEqual([1001, 1401, 1402]);
    // all chunks before the last full, except the one flushed ahead of the large text
    expect(chunks.slice(0, 14).every((c) => c.length === MIN_CHUNK_SIZE)).toBe(true);
  });
});

describe("JsonBytes.recycle", () => {
  it("fills chunks given back again, and ignores buffers it did not make", () => {
    const chunks: Buffer[] = [];
    const texts: string[] = [];
    const out = new JsonBytes(8192, (c) => {
      texts.push(c.toString("latin1")); // read before it may be written over
      chunks.push(c);
    });
    out.ascii("a".repeat(8192));
    out.ascii("b");
    out.flush();
    expect(chunks.map((c) => c.length)).toEqual([8192, 1]);
    out.recycle(chunks[0]);
    out.recycle(Buffer.alloc(8192, 0x7a).subarray(1)); // not one of its chunks: ignored
    out.ascii("c".repeat(10)); // (into the chunk taken at the last flush)
    out.flush();
    out.ascii("d");
    out.flush();
    // the chunk after the recycling is the first chunk's memory
    expect(chunks[3].buffer).toBe(chunks[0].buffer);
    expect(chunks.slice(1, 3).some((c) => c.buffer === chunks[0].buffer)).toBe(false);
    expect(texts).toEqual(["a".repeat(8192), "b", "c".repeat(10), "d"]);
  });
});
