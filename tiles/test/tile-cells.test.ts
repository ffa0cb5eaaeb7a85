// A zone too big to render whole in every tile (importer/tile-cells.ts) on real PostGIS: a 6 000-vertex star
// country cut into cell pieces at import. The pieces of each grid union to the zone; every tile z0–z14 of the
// export equals the server's; each tile around the zone draws the picture ST_AsMVTGeom draws from the whole zone
// (within a pixel); the renderer really reads the pieces (and a version without them, the whole zones); the
// version's retention drops the pieces with the version.
import { join } from "node:path";
import { PMTiles } from "pmtiles";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MultiPolygonGeometry, Zone } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { planNodes, type TestDatabase, testConfig, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { TILE_CELL_MIN_VERTICES, TILE_CELL_ZOOMS } from "../../importer/tile-cells.ts";
import { bandFor } from "../bands.ts";
import { tilesCovering } from "../coords.ts";
import { exportTiles } from "../export.ts";
import { LAYERS } from "../layers.ts";
import { TileRenderer, tileSql } from "../render.ts";
import { startTilesServer } from "../server.ts";
import { tilesSettings } from "../settings.ts";
import { tileShape } from "./decode.ts";
import { FileSource } from "./pmtiles-source.ts";

const STAR_ID = 10;

const STAR_VERTICES = 6000;
const dir = tmpDir("tile-cells");
let db: TestDatabase;
let version: number;
let schema: string;
let tiles: { url: string; close(): Promise<void> };
let starBbox: [number, number, number, number];

/** A star-shaped ring (a simple polygon: one radius per angle) of `n` vertices with wiggles at several scales. */
function star(n: number, lon: number, lat: number, radius: number): MultiPolygonGeometry {
  const ring: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = radius * (1 + 0.25 * Math.sin(7 * a) + 0.08 * Math.sin(97 * a) + 0.02 * Math.sin(1013 * a));
    ring.push([lon + (r * Math.cos(a)) / Math.cos((lat * Math.PI) / 180), lat + r * Math.sin(a)]);
  }
  ring.push(ring[0] as [number, number]);
  return { type: "MultiPolygon", coordinates: [[ring]] };
}

function zonesWithStar(name: string): Zone[] {
  const geometry = star(STAR_VERTICES, 6.15, 49.8, 0.25);
  const ring = geometry.coordinates[0]?.[0] ?? [];
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  starBbox = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  return sampleZones().map((z) => (z.id === STAR_ID ? { ...z, name, geometry, bbox: starBbox } : z));
}

async function served(z: number, x: number, y: number): Promise<Buffer> {
  const res = await fetch(`${tiles.url}/tiles/zones/${z}/${x}/${y}.pbf`);
  expect([200, 204], `${z}/${x}/${y}`).toContain(res.status);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  db = await testDatabase("tile_cells");
  const path = await writeZones(dir, "star.jsonl", zonesWithStar("Star"));
  const r = await importZonesFile(db, path, { publish: true, progress: false, keepVersions: 1 });
  version = r.version;
  schema = `zones_v${version}`;
  tiles = await startTilesServer({ db, port: 0, host: "127.0.0.1", config: testConfig({ db }) });
});
afterAll(async () => {
  await tiles?.close();
  await db?.close();
});

describe("tile cells", () => {
  test("only the big zone is cut; each grid's pieces union to it (area within 1e-9)", async () => {
    const { rows: cut } = await db.pool.query<{ id: string }>(`SELECT id FROM "${schema}".tile_cut_zones ORDER BY id`);
    expect(cut.map((r) => Number(r.id))).toEqual([STAR_ID]);
    const { rows } = await db.pool.query<{ cell_z: number; pieces: number; max_points: number; rel: number }>(
      `SELECT c.cell_z, count(*)::int AS pieces, max(ST_NPoints(c.geom))::int AS max_points,
              abs(ST_Area(ST_Union(ST_MakeValid(c.geom))) - ST_Area(z.geom)) / ST_Area(z.geom) AS rel
       FROM "${schema}".tile_cells c JOIN "${schema}".zones z ON z.id = c.id
       WHERE c.id = $1 GROUP BY c.cell_z, z.geom ORDER BY c.cell_z`,
      [STAR_ID],
    );
    expect(rows.map((r) => r.cell_z)).toEqual([...TILE_CELL_ZOOMS]);
    for (const r of rows) {
      expect(r.pieces, `z${r.cell_z}`).toBeGreaterThan(1);
      expect(r.rel, `z${r.cell_z}`).toBeLessThan(1e-9);
    }
    // the deepest grid's pieces are each a small part of the boundary
    const { rows: whole } = await db.pool.query<{ n: number }>(
      `SELECT ST_NPoints(geom) AS n FROM "${schema}".zones WHERE id = $1`,
      [STAR_ID],
    );
    expect(whole[0]?.n).toBeGreaterThan(TILE_CELL_MIN_VERTICES);
    expect(rows[rows.length - 1]?.max_points).toBeLessThan((whole[0]?.n ?? 0) / 4);
  });

  test("the export's tiles z0–z14 equal the server's, byte for byte", async () => {
    const out = join(dir, "star.pmtiles");
    const summary = await exportTiles({
      db,
      dataset: "served",
      out,
      layer: LAYERS.zones,
      minZoom: 0,
      maxZoom: 14,
      languages: tilesSettings(testConfig({ db })).languages,
      concurrency: 3,
    });
    const reader = new PMTiles(new FileSource(out));
    let present = 0;
    for (let z = 0; z <= 14; z++) {
      for (const t of tilesCovering(starBbox, z)) {
        const want = await served(t.z, t.x, t.y);
        const got = await reader.getZxy(t.z, t.x, t.y);
        if (want.length === 0) expect(got, `${t.z}/${t.x}/${t.y}`).toBeUndefined();
        else {
          present++;
          expect(Buffer.from(got?.data ?? new ArrayBuffer(0)).equals(want), `${t.z}/${t.x}/${t.y}`).toBe(true);
        }
      }
    }
    expect(present).toBeGreaterThan(500);
    expect(summary.addressedTiles).toBeGreaterThanOrEqual(present);
  });

  test("each tile z9–z14 around the zone draws what ST_AsMVTGeom draws from the whole zone, within a pixel", async () => {
    let compared = 0;
    for (let z = TILE_CELL_ZOOMS[0]; z <= 14; z++) {
      for (const t of tilesCovering(starBbox, z)) {
        const shape = tileShape(await served(t.z, t.x, t.y), "zones", STAR_ID);
        const { rows } = await db.pool.query<{ want: boolean; hausdorff: number; diff: number; length: number }>(
          `WITH w AS (SELECT ST_SetSRID(ST_AsMVTGeom(geom, ST_TileEnvelope($2, $3, $4), 4096, 64, true), 0) AS g
                      FROM "${schema}".zones WHERE id = $1),
                got AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($5::text), 0) AS g)
           SELECT w.g IS NOT NULL AS want,
                  ST_HausdorffDistance(w.g, got.g) AS hausdorff,
                  ST_Area(ST_SymDifference(w.g, got.g)) AS diff,
                  ST_Perimeter(w.g) AS length
           FROM w, got`,
          [STAR_ID, t.z, t.x, t.y, shape],
        );
        const r = rows[0];
        const where = `${t.z}/${t.x}/${t.y}`;
        expect(shape !== null, where).toBe(r?.want);
        if (!r?.want || shape === null) continue;
        compared++;
        // a screen pixel is 16 of the tile's 4096 units: no point is more than one off, and the two outlines
        // are on average within one unit (the half-unit simplification and rounding on either side)
        expect(r.hausdorff, where).toBeLessThanOrEqual(16);
        expect(r.diff, where).toBeLessThanOrEqual(r.length);
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  test("a tile finds the zones by their GiST index and the pieces by cell, never by reading every zone", async () => {
    // A UNION ALL in a plain subquery does not get the join's `geom && env.area` pushed into its branches: every
    // zone was read for every tile. With sequential scans priced out, the shapes (alias g: zones, or the pieces)
    // must be found by an index condition on the tile's area or cell (the join to zones z for the names is by id).
    const cellZoom = TILE_CELL_ZOOMS[TILE_CELL_ZOOMS.length - 1];
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off");
      await client.query("SET LOCAL plan_cache_mode = force_generic_plan");
      await client.query(
        `PREPARE tile_plan(int, int[], int[], text[], text, bool, text[], int, text) AS ${tileSql(schema, bandFor(cellZoom), cellZoom, true)}`,
      );
      const nodes = await planNodes(
        client,
        "",
        `EXECUTE tile_plan(${cellZoom}, '{0}', '{0}', NULL, 'zones', false, '{}', NULL, 'zone_labels')`,
      );
      await client.query("ROLLBACK");
      const scans: string[] = [];
      for (const n of nodes) {
        if ((n["Relation Name"] === "zones" && /^g/.test(n.Alias ?? "")) || n["Relation Name"] === "tile_cells") {
          scans.push(`${n["Node Type"]} on ${n["Relation Name"]} by ${n["Index Cond"] ?? "nothing"}`);
        }
      }
      expect(scans.length).toBeGreaterThanOrEqual(3);
      for (const scan of scans) expect(scan).toMatch(/Index Scan on \w+ by \(.*(geom &&|cell_z =)/);
      expect(scans.some((x) => /on zones by \(geom &&/.test(x))).toBe(true);
      expect(scans.some((x) => /on tile_cells by/.test(x))).toBe(true);
    } finally {
      client.release();
    }
  });

  test("the renderer reads the pieces (a cell without them loses the zone); a version without them, the whole zones", async () => {
    const renderer = new TileRenderer(db.pool, []);
    const ref = { version, schema };
    const cellZoom = TILE_CELL_ZOOMS[TILE_CELL_ZOOMS.length - 1];
    const { rows } = await db.pool.query<{ x: number; y: number }>(
      `SELECT cell_x AS x, cell_y AS y FROM "${schema}".tile_cells WHERE id = $1 AND cell_z = $2
       ORDER BY ST_NPoints(geom) DESC LIMIT 1`,
      [STAR_ID, cellZoom],
    );
    const cell = { z: cellZoom, x: rows[0]?.x ?? -1, y: rows[0]?.y ?? -1 };
    const before = await renderer.render(ref, LAYERS.zones, cell);
    expect(tileShape(before, "zones", STAR_ID)).not.toBeNull();
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `DELETE FROM "${schema}".tile_cells WHERE id = $1 AND cell_z = $2 AND cell_x = $3 AND cell_y = $4`,
        [STAR_ID, cell.z, cell.x, cell.y],
      );
      const { rows: gone } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".tile_cells WHERE id = $1 AND cell_z = $2 AND cell_x = $3 AND cell_y = $4`,
        [STAR_ID, cell.z, cell.x, cell.y],
      );
      expect(gone).toEqual([{ n: 0 }]);
      await client.query("COMMIT");
      const without = await renderer.render(ref, LAYERS.zones, cell);
      expect(tileShape(without, "zones", STAR_ID)).toBeNull();
      // a version imported before the pieces existed renders every zone whole
      await client.query(`DROP TABLE "${schema}".tile_cells, "${schema}".tile_cut_zones`);
      const old = await new TileRenderer(db.pool, []).render(ref, LAYERS.zones, cell);
      expect(tileShape(old, "zones", STAR_ID)).not.toBeNull();
    } finally {
      client.release();
    }
  });

  test("the next import's retention drops the old version's pieces with its schema; the new version has its own", async () => {
    const path = await writeZones(dir, "star2.jsonl", zonesWithStar("Star again"));
    const next = await importZonesFile(db, path, { publish: true, progress: false, keepVersions: 1 });
    const { rows } = await db.pool.query<{ old: string | null; cur: string | null; n: number }>(
      `SELECT to_regclass($1) AS old, to_regclass($2) AS cur,
              (SELECT count(*)::int FROM "zones_v${next.version}".tile_cells WHERE id = $3) AS n`,
      [`zones_v${version}.tile_cells`, `zones_v${next.version}.tile_cells`, STAR_ID],
    );
    expect(rows[0]?.old).toBeNull();
    expect(rows[0]?.cur).not.toBeNull();
    expect(rows[0]?.n).toBeGreaterThan(1);
  });
});
