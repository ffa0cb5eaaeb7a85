// The pruned inclusion search (transitivity, inclusion-plan.ts) against testing every candidate: the same
// pairs, in the same order, on a made-up hierarchy and on the Luxembourg fixture in PostGIS.
import { afterAll, describe, expect, it } from "vitest";
import type { FlatMultiPolygon } from "../../core/geometry/flat.ts";
import { fixture, type TestDatabase, testDatabase } from "../../core/testing.ts";
import { buildZones } from "../build-zones.ts";
import { type Candidate, resolveInclusions } from "../inclusion-plan.ts";
import { readOsm } from "../osm-read.ts";
import { findInclusions, findInclusionsExhaustive, loadZones, openWorkspace } from "../postgis.ts";
import { draftZone } from "./helpers.ts";

describe("resolveInclusions", () => {
  // Nested squares: 1 ⊃ 2 ⊃ 3 ⊃ 4, and 5 inside 1 only (bbox candidate of 2, not covered by it);
  // 6 and 7 have the same area and cover each other.
  const area: Record<number, number> = { 1: 100, 2: 50, 3: 20, 4: 5, 5: 4, 6: 30, 7: 30 };
  const truth = new Set(["1>2", "1>3", "1>4", "2>3", "2>4", "3>4", "1>5", "6>7", "7>6", "1>6", "1>7"]);
  const candidates: Candidate[] = [];
  for (const c of [1, 2, 3, 4, 5, 6, 7])
    for (const z of [1, 2, 3, 4, 5, 6, 7])
      if (c !== z && area[c] >= area[z]) candidates.push({ container: c, zone: z });

  it("finds every covering pair, smallest container first, with fewer tests than candidates", async () => {
    const tested: string[] = [];
    const result = await resolveInclusions(
      candidates,
      (id) => area[id],
      async (pairs) => {
        for (const p of pairs) tested.push(`${p.container}>${p.zone}`);
        return pairs.filter((p) => truth.has(`${p.container}>${p.zone}`));
      },
    );
    expect(Object.fromEntries(result)).toEqual({ 2: [1], 3: [2, 1], 4: [3, 2, 1], 5: [1], 6: [7, 1], 7: [6, 1] });
    // 4's containers 2 and 1 come from 3's; 3's container 1 from 2's.
    expect(tested).not.toContain("1>4");
    expect(tested).not.toContain("2>4");
    expect(tested).not.toContain("1>3");
    expect(new Set(tested).size).toBe(tested.length);
    expect(tested.length).toBeLessThan(candidates.length);
  });
});

describe("findInclusions on the fixtures", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.close();
  });

  // (gatineau.osm.pbf has no zone inside another: nothing to compare there)
  for (const [file, atLeast] of [["luxembourg_filtered.osm.pbf", 200]] as const) {
    it(`gives exactly what testing every candidate with GEOS gives (${file})`, async () => {
      db ??= await testDatabase("extract_incl");
      const osm = await readOsm(fixture(file), { threads: 1 });
      const { zones } = buildZones(osm, { capitals: true });
      const ws = await openWorkspace(db);
      try {
        await loadZones(ws, db, zones, 2);
        const pruned = await findInclusions(ws, db, 2);
        const prunedGeos = await findInclusions(ws, db, 2, "geos");
        const all = await findInclusionsExhaustive(ws);
        const sorted = (m: Map<number, number[]>) => [...m].sort((a, b) => a[0] - b[0]);
        expect(sorted(all).length).toBeGreaterThan(atLeast);
        // the exact TypeScript tests and GEOS's ST_Covers (`--covers geos`) agree, pruned or not
        expect(sorted(pruned)).toEqual(sorted(all));
        expect(sorted(prunedGeos)).toEqual(sorted(all));
      } finally {
        await ws.drop();
      }
    }, 60_000);
  }
});

describe("findInclusions on repaired boundaries", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.close();
  });

  const square = (x0: number, y0: number, size: number): FlatMultiPolygon => [
    [Float64Array.from([x0, y0, x0 + size, y0, x0 + size, y0 + size, x0, y0 + size, x0, y0])],
  ];
  const zone = (id: number, geometry: FlatMultiPolygon) => draftZone(id, { adminLevel: 8, geometry });

  it("tests the repaired form of an invalid boundary (read back from PostGIS), as GEOS does", async () => {
    db = await testDatabase("extract_incl_repair");
    // 1: a bow-tie (self-intersecting, invalid: PostGIS repairs it into two triangles) inside 0, a big square;
    // 2: a square that covers the bow-tie's left triangle only.
    const bowtie: FlatMultiPolygon = [[Float64Array.from([1, 1, 3, 3, 3, 1, 1, 3, 1, 1])]];
    const zones = [zone(0, square(0, 0, 4)), zone(1, bowtie), zone(2, square(0.5, 0.5, 2))];
    const ws = await openWorkspace(db);
    try {
      await loadZones(ws, db, zones, 1);
      const repaired = await ws.client.query("SELECT id FROM zones WHERE repaired");
      expect(repaired.rows).toEqual([{ id: 1 }]);
      const sorted = (m: Map<number, number[]>) => [...m].sort((a, b) => a[0] - b[0]);
      const all = sorted(await findInclusionsExhaustive(ws));
      expect(all).toEqual([
        [1, [0]],
        [2, [0]],
      ]);
      expect(sorted(await findInclusions(ws, db, 2))).toEqual(all);
      expect(sorted(await findInclusions(ws, db, 2, "geos"))).toEqual(all);
    } finally {
      await ws.drop();
    }
  }, 60_000);
});
