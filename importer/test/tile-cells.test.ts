// How the import cuts big zones into the tiles' cell pieces (importer/tile-cells.ts, sql/tile-cells-fill.sql):
// the work it does. What the pieces draw is tiles/test/tile-cells.test.ts's.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MultiPolygonGeometry } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { type PlanNode, planNodes, type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { fillTileCells, TILE_CELL_MIN_VERTICES, tileCellsFillStatement } from "../tile-cells.ts";
import { writeZones } from "./helpers.ts";

const BIG_ID = 10;
/** More big zones, with BIG_ID a share of several (each star's quadtree: ~0.5 MB). */
const MORE_BIG = [
  { id: 17, lon: 6.6, lat: 49.7 },
  { id: 42, lon: 6.1, lat: 50.2 },
];

/** A star-shaped (simple) ring of `n` vertices, wiggly at several scales. */
function star(n: number, lon: number, lat: number, radius: number): MultiPolygonGeometry {
  const ring: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = radius * (1 + 0.25 * Math.sin(7 * a) + 0.08 * Math.sin(97 * a));
    ring.push([lon + r * Math.cos(a), lat + r * Math.sin(a)]);
  }
  ring.push(ring[0] as [number, number]);
  return { type: "MultiPolygon", coordinates: [[ring]] };
}

describe("tile cells: cutting the big zones", () => {
  let db: TestDatabase;
  let schema: string;
  beforeAll(async () => {
    db = await testDatabase("tile_cells_cut");
    const geometry = star(2 * TILE_CELL_MIN_VERTICES, 6.1, 49.7, 0.2);
    const more = new Map(MORE_BIG.map((b) => [b.id, star(2 * TILE_CELL_MIN_VERTICES, b.lon, b.lat, 0.2)] as const));
    const zones = sampleZones().map((z) =>
      z.id === BIG_ID ? { ...z, geometry } : more.has(z.id) ? { ...z, geometry: more.get(z.id) } : z,
    );
    const r = await importZonesFile(db, await writeZones(tmpDir("tile-cells-cut"), "big.jsonl", zones), {
      progress: false,
    });
    schema = `zones_v${r.version}`;
  });
  afterAll(async () => {
    await db?.close();
  });

  test("each candidate cell is clipped once (not once per use of its piece)", async () => {
    // Every candidate cell's clip is tested for emptiness once, and some kept pieces once more at the end (those
    // of the stored grids): clips ≤ emptiness tests when a cell is clipped once; clipping again for each use
    // (the test, then the piece kept) makes clips = candidates + every kept piece, more than that.
    // The calls are PostgreSQL's own count of this transaction (track_functions, set here for it only).
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`DELETE FROM "${schema}".tile_cells`);
      await client.query(`DELETE FROM "${schema}".tile_cut_zones`);
      await client.query("SET LOCAL track_functions = 'all'");
      await fillTileCells(client, schema, [BIG_ID]);
      const { rows } = await client.query<{ clips: number; tests: number; pieces: number }>(
        `SELECT pg_stat_get_xact_function_calls('st_clipbybox2d(geometry, box2d)'::regprocedure)::int AS clips,
                pg_stat_get_xact_function_calls('st_isempty(geometry)'::regprocedure)::int AS tests,
                (SELECT count(*)::int FROM "${schema}".tile_cells WHERE id = $1) AS pieces`,
        [BIG_ID],
      );
      await client.query("ROLLBACK");
      const r = rows[0] as { clips: number; tests: number; pieces: number };
      expect(r.pieces).toBeGreaterThan(20);
      expect(r.clips).toBeGreaterThan(r.pieces);
      expect(r.clips, JSON.stringify(r)).toBeLessThanOrEqual(r.tests);
    } finally {
      client.release();
    }
  });

  test("each zone's quadtree is cut on its own, in memory: no temporary file even in 1 MB of work_mem", async () => {
    // the recursion keeps every level's pieces until it ends: over a whole share's zones they went to temporary
    // files and back, one zone's fit in memory (but the largest boundaries')
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`DELETE FROM "${schema}".tile_cells`);
      await client.query(`DELETE FROM "${schema}".tile_cut_zones`);
      await client.query("SET LOCAL work_mem = '1MB'");
      const quadtrees = (
        await planNodes(client, "ANALYZE, BUFFERS, TIMING OFF", tileCellsFillStatement(schema), [
          [BIG_ID, ...MORE_BIG.map((b) => b.id)],
        ])
      ).filter((node) => node["Node Type"] === "CTE Scan" && node["CTE Name"] === "pieces");
      expect(quadtrees).toHaveLength(1);
      const quadtree = quadtrees[0] as PlanNode;
      expect((quadtree["Actual Rows"] ?? 0) * (quadtree["Actual Loops"] ?? 0)).toBeGreaterThan(100);
      expect(quadtree["Temp Written Blocks"]).toBe(0);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("each big zone's boundary is read from TOAST once", async () => {
    // every function given the stored geom fetches and decompresses it anew: its vertex count, its bbox (four
    // sides, for the first grid and again for the cells' range) and the first clips each took it once more
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`DELETE FROM "${schema}".tile_cells`);
      await client.query(`DELETE FROM "${schema}".tile_cut_zones`);
      const blocks = async () => {
        const { rows } = await client.query<{ blocks: number }>(
          `SELECT pg_stat_get_xact_blocks_fetched(reltoastrelid)::int AS blocks FROM pg_class WHERE oid = $1::regclass`,
          [`"${schema}".zones`],
        );
        return rows[0]?.blocks as number;
      };
      const before = await blocks();
      await client.query(`SELECT ST_NPoints(geom) FROM "${schema}".zones WHERE id = $1`, [BIG_ID]);
      const once = (await blocks()) - before;
      expect(once).toBeGreaterThan(10);
      await fillTileCells(client, schema, [BIG_ID]);
      expect((await blocks()) - before - once).toBe(once);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});
