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
import { wavySquare } from "../../importer/test/wavy-square.ts";
import { TILE_CELL_MARGIN, TILE_CELL_MIN_VERTICES, TILE_CELL_ZOOMS } from "../../importer/tile-cells.ts";
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

/**
 * Expects the zone `id`'s feature in the tile `bytes` (z/x/y `t`) to draw what ST_AsMVTGeom draws from the whole
 * zone, within a pixel (neither, when the whole zone draws nothing there); returns whether there was one to compare.
 */
async function drawsWholeZone(
  on: TestDatabase,
  version: string,
  id: number,
  t: { z: number; x: number; y: number },
  bytes: Uint8Array,
): Promise<boolean> {
  const shape = tileShape(bytes, "zones", id);
  const { rows } = await on.pool.query<{ want: boolean; hausdorff: number; diff: number; length: number }>(
    `WITH w AS (SELECT ST_SetSRID(ST_AsMVTGeom(geom, ST_TileEnvelope($2, $3, $4), 4096, 64, true), 0) AS g
                FROM "${version}".zones WHERE id = $1),
          got AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($5::text), 0) AS g)
     SELECT w.g IS NOT NULL AS want,
            ST_HausdorffDistance(w.g, got.g) AS hausdorff,
            ST_Area(ST_SymDifference(w.g, got.g)) AS diff,
            ST_Perimeter(w.g) AS length
     FROM w, got`,
    [id, t.z, t.x, t.y, shape],
  );
  const r = rows[0];
  const where = `${t.z}/${t.x}/${t.y}`;
  expect(shape !== null, where).toBe(r?.want);
  if (!r?.want || shape === null) return false;
  // a screen pixel is 16 of the tile's 4096 units: no point is more than one off, and the two outlines are on
  // average within one unit (the half-unit simplification and rounding on either side)
  expect(r.hausdorff, where).toBeLessThanOrEqual(16);
  expect(r.diff, where).toBeLessThanOrEqual(r.length);
  return true;
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
  test("only the big zone is cut; each grid's pieces (with the covered cells above them) union to it (area within 1e-9)", async () => {
    const { rows: cut } = await db.pool.query<{ id: string }>(`SELECT id FROM "${schema}".tile_cut_zones ORDER BY id`);
    expect(cut.map((r) => Number(r.id))).toEqual([STAR_ID]);
    // a grid's pieces: its cells' pieces, and the cells at or above it the zone covers whole (nothing under those)
    const { rows } = await db.pool.query<{
      cell_z: number;
      pieces: number;
      covered: number;
      max_points: number;
      rel: number;
    }>(
      `SELECT g.z AS cell_z, count(*)::int AS pieces, count(*) FILTER (WHERE c.covered)::int AS covered,
              max(ST_NPoints(c.geom))::int AS max_points,
              abs(ST_Area(ST_Union(ST_MakeValid(c.geom))) - ST_Area(z.geom)) / ST_Area(z.geom) AS rel
       FROM unnest($2::int[]) g (z)
       JOIN "${schema}".tile_cells c ON c.cell_z = g.z OR (c.covered AND c.cell_z < g.z)
       JOIN "${schema}".zones z ON z.id = c.id
       WHERE c.id = $1 GROUP BY g.z, z.geom ORDER BY g.z`,
      [STAR_ID, TILE_CELL_ZOOMS],
    );
    expect(rows.map((r) => r.cell_z)).toEqual([...TILE_CELL_ZOOMS]);
    for (const r of rows) {
      expect(r.pieces, `z${r.cell_z}`).toBeGreaterThan(1);
      expect(r.rel, `z${r.cell_z}`).toBeLessThan(1e-9);
    }
    // the star's middle is whole cells of the deepest grid: kept as covered cells, not as their pieces
    expect(rows[rows.length - 1]?.covered).toBeGreaterThan(0);
    const { rows: rest } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".tile_cells
        WHERE id = $1 AND NOT covered AND cell_z <> ALL ($2::int[])`,
      [STAR_ID, TILE_CELL_ZOOMS],
    );
    expect(rest).toEqual([{ n: 0 }]);
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
        if (await drawsWholeZone(db, schema, STAR_ID, t, await served(t.z, t.x, t.y))) compared++;
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

  test("the renderer reads the pieces (a cell without them loses the zone); a version without them or without covered cells, the whole zones", async () => {
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
      // a version imported before the covered cells (its tile_cells without the column) renders every zone whole,
      // as tile-cells.sql cannot read it
      await client.query(`ALTER TABLE "${schema}".tile_cells DROP COLUMN covered`);
      const uncovered = await new TileRenderer(db.pool, []).render(ref, LAYERS.zones, cell);
      expect(tileShape(uncovered, "zones", STAR_ID)).not.toBeNull();
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

describe("tile cells of a zone covering many cells whole", () => {
  // A wavy-edged 3° square: the cut keeps the cells it covers whole as one covered row each, at z8–z12, and nothing
  // under them. Its tiles inside (under a covered cell, at its corners) and on its edge draw the whole zone, and
  // are the bytes they were when every cell of the grid had its piece.
  const SQUARE_ID = 10;
  let sq: TestDatabase;
  let ref: { version: number; schema: string };
  beforeAll(async () => {
    sq = await testDatabase("tile_cells_square");
    const geometry = wavySquare(2 * TILE_CELL_MIN_VERTICES, 4, 48, 3);
    const zones = sampleZones().map((z) => (z.id === SQUARE_ID ? { ...z, name: "Square", geometry } : z));
    const r = await importZonesFile(sq, await writeZones(dir, "square.jsonl", zones), { progress: false });
    ref = { version: r.version, schema: `zones_v${r.version}` };
  });
  afterAll(async () => {
    await sq?.close();
  });

  test("tiles z9–z14 inside, at covered cells' corners and on the edge draw the whole zone, the bytes of every cell's piece", async () => {
    const { rows: cells } = await sq.pool.query<{ cell_z: number; covered: number; lon: number; lat: number }>(
      `SELECT cell_z, count(*)::int AS covered,
              (min(cell_x) * 360.0 / 2 ^ cell_z - 180)::float8 AS lon,
              degrees(atan(sinh(pi() * (1 - 2.0 * min(cell_y) / 2 ^ cell_z))))::float8 AS lat
       FROM "${ref.schema}".tile_cells WHERE id = $1 AND covered GROUP BY cell_z ORDER BY cell_z`,
      [SQUARE_ID],
    );
    // covered cells of both grids and above them: the tiles read them at several levels
    expect(cells.some((c) => c.cell_z < TILE_CELL_ZOOMS[0])).toBe(true);
    expect(cells.some((c) => c.cell_z > TILE_CELL_ZOOMS[0] && c.cell_z < TILE_CELL_ZOOMS[1])).toBe(true);
    // where to look: the middle, the west edge, and a corner of a covered cell of each zoom (a tile's neighbours
    // there read cells of different zooms)
    const places: [number, number][] = [[5.5, 49], [4, 49], ...cells.map((c): [number, number] => [c.lon, c.lat])];
    const render = async (renderer: TileRenderer) => {
      const out = new Map<string, Buffer>();
      for (let z = TILE_CELL_ZOOMS[0]; z <= 14; z++) {
        for (const [lon, lat] of places) {
          // a 3×3 block around the place, in one batch (as the export renders) and one by one (as the server does)
          const d = 1.5 * (360 / 2 ** z);
          const block = [...tilesCovering([lon - d, lat - d / 2, lon + d, lat + d / 2], z)];
          const batch = await renderer.renderBatch(ref, LAYERS.zones, z, block);
          for (const [k, t] of block.entries()) {
            const one = await renderer.render(ref, LAYERS.zones, t);
            expect(batch[k]?.equals(one), `${z}/${t.x}/${t.y}`).toBe(true);
            out.set(`${z}/${t.x}/${t.y}`, one);
          }
        }
      }
      return out;
    };
    const tiles = await render(new TileRenderer(sq.pool, []));
    let compared = 0;
    for (const [key, bytes] of tiles) {
      const [z, x, y] = key.split("/").map(Number) as [number, number, number];
      if (await drawsWholeZone(sq, ref.schema, SQUARE_ID, { z, x, y }, bytes)) compared++;
    }
    expect(compared).toBeGreaterThan(100);

    // the same tiles from every cell of each grid in pieces, as the cut wrote them before it kept covered cells
    // (the piece of a cell the zone covers is its box grown by the margin: what the covered cell holds)
    await sq.pool.query(
      `INSERT INTO "${ref.schema}".tile_cells (id, cell_z, cell_x, cell_y, covered, zone_type, admin_level, geom)
       SELECT c.id, g.z, x, y, false, c.zone_type, c.admin_level,
              ST_Multi(ST_TileEnvelope(g.z, x, y, margin => $2))
       FROM "${ref.schema}".tile_cells c
       JOIN unnest($3::int[]) g (z) ON g.z >= c.cell_z
       CROSS JOIN generate_series(c.cell_x << (g.z - c.cell_z), ((c.cell_x + 1) << (g.z - c.cell_z)) - 1) x
       CROSS JOIN generate_series(c.cell_y << (g.z - c.cell_z), ((c.cell_y + 1) << (g.z - c.cell_z)) - 1) y
       WHERE c.id = $1 AND c.covered`,
      [SQUARE_ID, TILE_CELL_MARGIN, TILE_CELL_ZOOMS],
    );
    await sq.pool.query(`DELETE FROM "${ref.schema}".tile_cells WHERE covered`);
    const before = await render(new TileRenderer(sq.pool, []));
    expect([...before.keys()]).toEqual([...tiles.keys()]);
    for (const [key, bytes] of tiles) expect(before.get(key)?.equals(bytes), key).toBe(true);
  });
});
