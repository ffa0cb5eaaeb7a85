// The byte-level number readers of the load (json-number.ts) against JSON.parse: readJsonNumber gives the same
// double for any JSON number and refuses what is not one; readPositions, the loop over "[x,y],[x,y]…", gives the
// same doubles for every number it takes and leaves every other shape to the general reader.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../seeded-random.ts";
import { readJsonNumber, readPositions } from "../json-number.ts";

const slot = new Float64Array(1);
/** The number read from `text` (followed by a delimiter, as in a coordinate array), or null when refused. */
function read(text: string): number | null {
  const buf = Buffer.from(`${text},`);
  const end = readJsonNumber(buf, 0, slot, 0, new DataView(buf.buffer, buf.byteOffset, buf.length));
  if (end < 0) return null;
  expect(end).toBe(text.length);
  return slot[0];
}

function expectNumbersAsJsonParse(texts: string[]): void {
  const wrong = texts.filter((t) => !Object.is(read(t), JSON.parse(t)));
  expect(wrong).toEqual([]);
}

describe("readJsonNumber", () => {
  it("gives JSON.parse's double on tricky numbers", () => {
    expectNumbersAsJsonParse([
      "0",
      "-0",
      "-0.0",
      "0e10",
      "-0.000e-5",
      "1",
      "-1",
      "123456789",
      "9007199254740991",
      "9007199254740992",
      "9007199254740993", // 2^53 + 1: not a double
      "18446744073709551615",
      "123456789012345678901234567890",
      "0.1",
      "0.30000000000000004",
      "-169.99753901011826", // 17 significant digits, mantissa above 2^53
      "-59.99935614821669",
      "6.1296751",
      "49.8158683",
      "1.7976931348623157e308",
      "17976931348623157e292",
      "1e308",
      "1e309", // Infinity
      "-1e400",
      "2.2250738585072014e-308",
      "4.9e-324",
      "5e-324",
      "1e-400", // 0
      "1e22",
      "1e23",
      "1E+2",
      "1e-22",
      "123.456e-3",
      "0.000001234567890123456",
      "1.00000000000000011102230246251565404236316680908203125", // exactly halfway between 1 and the next double
      "1.000000000000000111",
      "1.0000000000000001110223024625156540423631668090820312500001",
      "4503599627370496.5", // 2^52 + 1/2: a tie, rounded to even
      "4503599627370497.5",
      "179.99999999999997",
      "-180",
      "90.00000000000001",
    ]);
  });

  it("gives JSON.parse's double on random doubles printed in every way", () => {
    const rand = seededRandom(42);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const texts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      words[0] = (rand() * 2 ** 32) >>> 0;
      words[1] = (rand() * 2 ** 32) >>> 0;
      const any = bits[0];
      if (Number.isFinite(any)) texts.push(String(any), any.toPrecision(17));
      // coordinates: lon/lat-like magnitudes at full and reduced precision
      const c = (rand() - 0.5) * 360 * 10 ** (Math.floor(rand() * 6) - 3);
      texts.push(String(c), c.toPrecision(17), c.toPrecision(16), c.toFixed(7), c.toExponential(12));
    }
    expectNumbersAsJsonParse(texts);
  });

  it("gives JSON.parse's double on random digit strings (up to 25 digits, any point and exponent)", () => {
    const rand = seededRandom(7);
    const texts: string[] = [];
    for (let i = 0; i < 50000; i++) {
      let digits = String(1 + Math.floor(rand() * 9));
      const n = Math.floor(rand() * 25);
      for (let k = 0; k < n; k++) digits += Math.floor(rand() * 10);
      const point = 1 + Math.floor(rand() * digits.length);
      const sign = rand() < 0.5 ? "-" : "";
      const exp = rand() < 0.2 ? `e${Math.floor(rand() * 60) - 30}` : "";
      const frac = digits.slice(point);
      texts.push(`${sign}${digits.slice(0, point)}${frac ? `.${frac}` : ""}${exp}`, `${sign}0.000${digits}`);
    }
    expectNumbersAsJsonParse(texts);
  });

  it("rounds exact midpoints between two doubles to even, and values just off them to the nearer", () => {
    const rand = seededRandom(3);
    const texts: string[] = [];
    // in [2^50, 2^53) the gap between doubles is 1/4 … 1: the midpoints of integers' neighbours have 17-19 digits
    for (const [lo, midpoints] of [
      [2 ** 52, ["5"]],
      [2 ** 51, ["25", "75"]],
      [2 ** 50, ["125", "375", "625", "875"]],
    ] as const) {
      for (let i = 0; i < 2000; i++) {
        const d = lo + Math.floor(rand() * lo);
        for (const m of midpoints) texts.push(`${d}.${m}`, `${d}.${m}`.replace(/5$/, "49"), `${d}.${m}1`);
      }
    }
    expectNumbersAsJsonParse(texts);
  });

  it("refuses what is not a JSON number", () => {
    for (const t of ["01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "NaN", "Infinity", "- 1", "]"]) {
      expect(read(t), t).toBeNull();
    }
    // a number ends where the grammar ends: the caller checks what follows (here "x", not a delimiter)
    const hex = Buffer.from("0x10");
    expect(readJsonNumber(hex, 0, slot, 0, new DataView(hex.buffer, hex.byteOffset, hex.length))).toBe(1);
  });
});

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

function expectPositionsAsJsonParse(texts: string[]): void {
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
    expectPositionsAsJsonParse(texts);
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
    expectPositionsAsJsonParse(texts);
  });

  it("gives JSON.parse's doubles just below and above the midpoints between two doubles", () => {
    const rand = seededRandom(9);
    const texts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const d = [rand() * 999, rand(), rand() * 10, 1 + rand()][i % 4];
      for (const decimals of [15, 16, 17]) texts.push(...midpointDigits(d, decimals));
    }
    expectPositionsAsJsonParse(texts);
  });

  it("gives JSON.parse's doubles on edge cases", () => {
    expectPositionsAsJsonParse([
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
