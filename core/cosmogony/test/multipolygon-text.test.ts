// The load's byte-level geometry reader (multipolygon-text.ts) against JSON.parse: the same coordinates, as flat
// rings, for the plain form it takes, in any spacing and key order; everything else left to the general path.
import { describe, expect, it } from "vitest";
import type { FlatMultiPolygon } from "../../geometry/flat.ts";
import { seededRandom } from "../../seeded-random.ts";
import { MultiPolygonTextReader } from "../multipolygon-text.ts";
import { sampleZones } from "./sample-zones.ts";

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
