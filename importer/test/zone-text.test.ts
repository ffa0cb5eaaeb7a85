// The load's byte-level zone parser (zone-text.ts, multipolygon-text.ts, json-number.ts) against the general
// path it replaces: JSON.parse + validation (parseZoneText). Same doubles, same EWKB, same errors.
import { describe, expect, it } from "vitest";
import type { Zone } from "../../core/cosmogony/model.ts";
import { parseZoneText, type ZoneText } from "../../core/cosmogony/reader.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import type { FlatMultiPolygon } from "../../core/geometry/flat.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import { BinaryCopyEncoder } from "../copy-binary.ts";
import { readJsonNumber } from "../json-number.ts";
import { MultiPolygonTextReader } from "../multipolygon-text.ts";
import { findGeometryValue, ZoneTextParser } from "../zone-text.ts";

const slot = new Float64Array(1);
/** The number read from `text` (followed by a delimiter, as in a coordinate array), or null when refused. */
function read(text: string): number | null {
  const buf = Buffer.from(`${text},`);
  const end = readJsonNumber(buf, 0, slot, 0, new DataView(buf.buffer, buf.byteOffset, buf.length));
  if (end < 0) return null;
  expect(end).toBe(text.length);
  return slot[0];
}

function expectSameAsJsonParse(texts: string[]): void {
  const wrong = texts.filter((t) => !Object.is(read(t), JSON.parse(t)));
  expect(wrong).toEqual([]);
}

describe("readJsonNumber", () => {
  it("gives JSON.parse's double on tricky numbers", () => {
    expectSameAsJsonParse([
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
    expectSameAsJsonParse(texts);
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
    expectSameAsJsonParse(texts);
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
    expectSameAsJsonParse(texts);
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

/** Flat rings as GeoJSON positions. */
function positions(mp: FlatMultiPolygon): number[][][][] {
  return mp.map((polygon) =>
    polygon.map((ring) => Array.from({ length: ring.length / 2 }, (_, k) => [ring[2 * k], ring[2 * k + 1]])),
  );
}

describe("MultiPolygonTextReader", () => {
  const reader = new MultiPolygonTextReader();
  const readText = (text: string): number[][][][] | null => {
    const buf = Buffer.from(`${text},"next":1}`);
    const mp = reader.read(buf, 0);
    if (!mp) return null;
    expect(buf.subarray(reader.end, reader.end + 1).toString()).toBe(",");
    return positions(mp);
  };

  it("reads the coordinates JSON.parse reads, in any spacing and key order", () => {
    const geometries = sampleZones().flatMap((z) => (z.geometry ? [z.geometry] : []));
    for (const g of geometries) {
      expect(readText(JSON.stringify(g))).toEqual(g.coordinates);
      expect(readText(JSON.stringify(g, null, 2).replace(/\n/g, "\r\n\t"))).toEqual(g.coordinates);
      expect(readText(JSON.stringify({ coordinates: g.coordinates, type: g.type }))).toEqual(g.coordinates);
    }
    expect(readText('{"type":"MultiPolygon","coordinates":[]}')).toEqual([]);
    expect(readText('{"type":"MultiPolygon","coordinates":[[],[[]]]}')).toEqual([[], [[]]]);
  });

  it("leaves everything else to the general path", () => {
    const ring = "[[0,0],[1,0],[1,1],[0,0]]";
    for (const text of [
      `{"type":"Polygon","coordinates":[${ring}]}`,
      `{"type":"MultiPolygon","coordinates":[[${ring}]],"bbox":[0,0,1,1]}`,
      `{"type":"MultiPolygon","type":"MultiPolygon","coordinates":[[${ring}]]}`,
      `{"type":"MultiPolygon"}`,
      `{"coordinates":[[${ring}]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[0,0]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1e400,0],[1,1],[0,0]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[01,0],[1,1],[0,0]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0],]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],["1",0],[1,1],[0,0]]]]}`,
      `{"type":"Multi\\u0050olygon","coordinates":[[${ring}]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1e-300]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[600,0],[1,1],[0,0]]]]}`,
      `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,-90.000001],[1,1],[0,0]]]]}`,
      "null",
    ]) {
      expect(readText(text), text).toBeNull();
    }
  });
});

const NAME = "zones.jsonl";
const text = (s: string, line = 7): ZoneText => ({ bytes: Buffer.from(s), index: line - 1, line, offset: 0 });

/** The COPY rows of a zone parsed by ZoneTextParser and by the general path. */
function rowsBothWays(s: string): { fast: Buffer; general: Buffer; flat: boolean; zone: Zone } {
  const parsed = new ZoneTextParser(NAME).parse(text(s));
  const a = new BinaryCopyEncoder(false);
  a.addZone(parsed.zone, parsed.flat);
  const b = new BinaryCopyEncoder(false);
  b.addZone(parseZoneText(text(s), NAME));
  return {
    fast: a.take(true) as Buffer,
    general: b.take(true) as Buffer,
    flat: parsed.flat !== null,
    zone: parsed.zone,
  };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

describe("ZoneTextParser", () => {
  it("gives the same zone and the same COPY bytes as JSON.parse + validation, geometry first, last or spaced", () => {
    for (const z of sampleZones()) {
      const { geometry, ...rest } = z;
      for (const s of [
        JSON.stringify(z),
        JSON.stringify(z, null, 1),
        JSON.stringify({ geometry, ...rest }),
        JSON.stringify({ ...rest, geometry }),
      ]) {
        const r = rowsBothWays(s);
        expect(r.fast.equals(r.general)).toBe(true);
        expect(r.flat).toBe(geometry !== null);
        expect({ ...r.zone, geometry }).toEqual(parseZoneText(text(s), NAME));
      }
    }
  });

  it("finds only the top-level geometry key", () => {
    const s = '{"name":"geometry","tags":{"geometry":"x"},"a":["geometry"],"geometry": \t{"type":1}}';
    expect(String.fromCharCode(Buffer.from(s)[findGeometryValue(Buffer.from(s))])).toBe("{");
    expect(findGeometryValue(Buffer.from('{"name":"geometry","tags":{"geometry":{}}}'))).toBe(-1);
  });

  it("keeps JSON.parse's meaning for duplicate or escaped keys", () => {
    const z = sampleZones()[0];
    const s = JSON.stringify(z);
    for (const variant of [
      s.replace(/}$/, ',"geometry":null}'), // the last key wins: no geometry
      s.replace(/}$/, ',"geo\\u006detry":null}'),
      s.replace('"geometry":', '"geometry":null,"geometry":'),
    ]) {
      const r = rowsBothWays(variant);
      expect(r.fast.equals(r.general)).toBe(true);
    }
  });

  it("reports bad zones exactly as the general path does, with the line", () => {
    const z = sampleZones()[0];
    const s = JSON.stringify(z);
    const bad = [
      s.replace('"name":"Lëtzebuerg",', ""), // a missing field
      s.replace('"type":"MultiPolygon"', '"type":"Polygon"'),
      s.replace(/\[\[\[\[([^\]]*\]),[^\]]*\],[^\]]*\],/, "[[[[$1,"), // a ring of 3 positions
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[05.7'), // not JSON
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[1e999'), // not finite
      s.replace('"id":10', '"id":-1'),
      s.slice(0, -5), // truncated
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[5.71'), // a ring not closed
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[600'), // longitude out of range
    ];
    for (const b of bad) {
      expect(b).not.toBe(s);
      const general = errorOf(() => parseZoneText(text(b, 12), NAME));
      expect(general).toMatch(/zones\.jsonl: line 12/);
      expect(errorOf(() => new ZoneTextParser(NAME).parse(text(b, 12)))).toBe(general);
    }
    expect(errorOf(() => parseZoneText(text(bad.at(-2) as string, 12), NAME))).toBe(
      'zones.jsonl: line 12: zone #11 (relation:2171347): field "geometry": MultiPolygon polygon 0 ring 0 is not closed: it starts at [5.71, 49.4] and ends at [5.7, 49.4] (GeoJSON rings end where they start)',
    );
    expect(errorOf(() => parseZoneText(text(bad.at(-1) as string, 12), NAME))).toMatch(
      /line 12: zone #11 \(relation:2171347\): field "geometry": MultiPolygon polygon 0 ring 0 position 0 \[600, 49.4\] is out of range \(longitude -180..180, latitude -90..90\)$/,
    );
  });
});
