// The candidate pairs of the inclusion search from the zones' boxes (candidates.ts) against the PostGIS bbox
// self-join they replace (sql/candidates.sql).
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, type TestDatabase, testDatabase } from "../../core/testing.ts";
import { buildZones } from "../build-zones.ts";
import { candidatePairs, type ZoneBox } from "../candidates.ts";
import { multiPolygonBBox } from "../geometry.ts";
import type { Candidate } from "../inclusion-plan.ts";
import { readOsm } from "../osm-read.ts";
import { loadZones, openWorkspace } from "../postgis.ts";

const key = (p: Candidate) => `${p.container}>${p.zone}`;
const keys = (ps: Candidate[]) => ps.map(key).sort();

describe("candidatePairs", () => {
  it("pairs each box (or place point) with every other box around it, edges included", () => {
    const zones: ZoneBox[] = [
      { id: 1, bbox: [0, 0, 10, 10], point: null },
      { id: 2, bbox: [0, 0, 5, 5], point: null }, // touches 1's corner: inside
      { id: 3, bbox: [0, 0, 5, 5], point: null }, // same box as 2: each a candidate of the other
      { id: 4, bbox: [4, 4, 11, 6], point: null }, // sticks out of 1
      { id: 5, bbox: null, point: [10, 10] }, // a place on 1's corner
      { id: 6, bbox: null, point: [20, 20] }, // outside everything
      { id: 7, bbox: null, point: null }, // a boundary repaired into nothing
      { id: 8, bbox: [-1e-300, 2, 3, 3], point: null }, // the smallest step outside 1
    ];
    expect(keys(candidatePairs(zones))).toEqual(["1>2", "1>3", "1>5", "2>3", "3>2"]);
    expect(candidatePairs([])).toEqual([]);
    expect(candidatePairs([{ id: 1, bbox: null, point: [1, 1] }])).toEqual([]);
  });

  it("on many random boxes, gives exactly the pairs of the quadratic check", () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed / 2 ** 32) * 100;
    };
    const zones: ZoneBox[] = Array.from({ length: 600 }, (_, id) => {
      if (id % 10 === 0) return { id, bbox: null, point: [rnd(), rnd()] };
      const [x, y, w, h] = [rnd(), rnd(), rnd() / (1 + (id % 7) * 3), rnd() / (1 + (id % 5) * 3)];
      return { id, bbox: [x, y, x + w, y + h], point: null };
    });
    const expected: Candidate[] = [];
    for (const z of zones) {
      const b = z.bbox ?? (z.point ? [...z.point, ...z.point] : null);
      if (!b) continue;
      for (const c of zones) {
        const cb = c.bbox;
        if (c.id !== z.id && cb && cb[0] <= b[0] && cb[1] <= b[1] && b[2] <= cb[2] && b[3] <= cb[3])
          expected.push({ container: c.id, zone: z.id });
      }
    }
    expect(expected.length).toBeGreaterThan(500);
    expect(keys(candidatePairs(zones))).toEqual(keys(expected));
  });
});

describe("candidatePairs on the Luxembourg fixture", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it("finds the bbox index's pairs, except some that cannot be covered (float4 boxes)", async () => {
    db = await testDatabase("extract_candidates");
    const osm = await readOsm(fixture("luxembourg_filtered.osm.pbf"), { threads: 1 });
    const { zones } = buildZones(osm, { capitals: true });
    const ws = await openWorkspace(db);
    try {
      await loadZones(ws, db, zones, 1);
      const ours = candidatePairs(
        zones.map((z) => ({
          id: z.id,
          bbox: z.geometry ? multiPolygonBBox(z.geometry) : null,
          point: z.geometry ? null : z.center,
        })),
      );
      const sql = readFileSync(new URL("../sql/candidates.sql", import.meta.url), "utf8");
      const theirs = (await ws.client.query<Candidate>(sql)).rows;
      expect(ours.length).toBeGreaterThan(300);
      const theirKeys = new Set(theirs.map(key));
      expect(ours.filter((p) => !theirKeys.has(key(p)))).toEqual([]);
      const extra = theirs.filter((p) => !new Set(ours.map(key)).has(key(p)));
      if (extra.length > 0) {
        const covered = await ws.client.query(
          `SELECT count(*)::int AS n FROM unnest($1::int[], $2::int[]) AS p(c, z)
           JOIN zones c ON c.id = p.c JOIN zones z ON z.id = p.z
           WHERE public.ST_Covers(c.valid, coalesce(z.valid, z.center))`,
          [extra.map((p) => p.container), extra.map((p) => p.zone)],
        );
        expect(covered.rows[0].n).toBe(0);
      }
    } finally {
      await ws.drop();
    }
  }, 60_000);
});
