// The pure parts of `make bench-query`: what it sends is the same from run to run, the synthetic country has the
// vertices the issue asks for and PostGIS takes it as a valid polygon.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeMultiPolygon } from "../../../core/geometry/ewkb.ts";
import { type TestDatabase, testDatabase } from "../../../core/testing.ts";
import { BENCH_FRACTAL } from "../datasets.ts";
import {
  FRACTAL_DEFAULTS,
  fractalBbox,
  fractalCountry,
  fractalRing,
  fractalVertexCount,
  insideFractal,
} from "../fractal.ts";
import { PREFIX_MAX, PREFIX_MIN, pointsInside, randomIds, randomPoints, searchTerms } from "../inputs.ts";

const NAMES = ["Luxembourg", "Lëtzebuerg", "Luxemburg", "Esch-sur-Alzette", "Дюделанж", "卢森堡市", "Ettelbruck"];

describe("bench-query inputs", () => {
  it("draws the same points from the same seed, all inside the bbox, and others from another seed", () => {
    const bbox: [number, number, number, number] = [5.7, 49.4, 17.5, 61.2];
    const a = randomPoints(7, bbox, 1000);
    expect(randomPoints(7, bbox, 1000)).toEqual(a);
    expect(randomPoints(8, bbox, 1000)).not.toEqual(a);
    for (const [x, y] of a) {
      expect(x).toBeGreaterThanOrEqual(bbox[0]);
      expect(x).toBeLessThanOrEqual(bbox[2]);
      expect(y).toBeGreaterThanOrEqual(bbox[1]);
      expect(y).toBeLessThanOrEqual(bbox[3]);
    }
    expect(randomIds(3, [10, 20, 30], 50)).toEqual(randomIds(3, [10, 20, 30], 50));
  });

  it("makes search terms from the names: prefixes of 3-8 characters, whole names, one-typo variants", () => {
    const terms = searchTerms(11, NAMES, 300);
    expect(searchTerms(11, NAMES, 300)).toEqual(terms);
    expect(new Set(terms.map((t) => t.kind))).toEqual(new Set(["prefix", "whole", "typo"]));
    for (const t of terms) {
      expect(NAMES).toContain(t.name);
      const len = [...t.q].length;
      if (t.kind === "prefix") {
        expect(t.name.startsWith(t.q)).toBe(true);
        expect(len).toBeGreaterThanOrEqual(Math.min(PREFIX_MIN, [...t.name].length));
        expect(len).toBeLessThanOrEqual(PREFIX_MAX);
      } else if (t.kind === "whole") {
        expect(t.q).toBe(t.name);
      } else {
        expect(t.q).not.toBe(t.name);
        expect(Math.abs(len - [...t.name].length)).toBeLessThanOrEqual(1);
      }
    }
    // Non-Latin names make terms too, cut on characters, never inside a surrogate pair.
    expect(terms.some((t) => t.name === "卢森堡市")).toBe(true);
    for (const t of terms) expect(t.q).toBe(t.q.normalize());
  });

  it("draws points inside the fractal country that its ring test puts inside, and none outside", () => {
    const country = fractalCountry({ ...BENCH_FRACTAL(2), depth: 8 });
    const bbox = fractalBbox(country);
    const pts = pointsInside(5, country, bbox, 200);
    expect(pointsInside(5, country, bbox, 200)).toEqual(pts);
    for (const [x, y] of pts) expect(insideFractal(country, x, y)).toBe(true);
    const [cx, cy] = country.spec.center;
    expect(insideFractal(country, cx, cy)).toBe(true);
    expect(insideFractal(country, bbox[2] + 0.01, cy)).toBe(false);
  });
});

describe("bench-query fractal country", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase("benchq");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("has at least 2 M vertices at the bench's depth, the same ring from the same seed, and is valid in PostGIS", async () => {
    const spec = BENCH_FRACTAL(12);
    expect(spec.depth).toBe(FRACTAL_DEFAULTS.depth);
    expect(fractalVertexCount(spec)).toBeGreaterThanOrEqual(2_000_000);
    const country = fractalCountry(spec);
    expect(country.radii.length).toBe(fractalVertexCount(spec));
    expect(fractalCountry(spec).radii).toEqual(country.radii);
    const ring = fractalRing(country);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    const { rows } = await db.pool.query<{ valid: string; points: number; inside: boolean; outside: boolean }>(
      `SELECT ST_IsValidReason(g) AS valid, ST_NPoints(g) AS points,
              ST_Covers(g, ST_SetSRID(ST_MakePoint($2, $3), 4326)) AS inside,
              ST_Covers(g, ST_SetSRID(ST_MakePoint($4, $3), 4326)) AS outside
       FROM (SELECT ST_GeomFromEWKB($1) AS g) s`,
      [encodeMultiPolygon([[ring]]), spec.center[0], spec.center[1], fractalBbox(country)[2] + 0.01],
    );
    expect(rows[0]).toEqual({ valid: "Valid Geometry", points: ring.length, inside: true, outside: false });
  });
});
