// How the import cuts big zones into the tiles' cell pieces (importer/tile-cells.ts, sql/tile-cells-fill.sql):
// the work it does, and the rows it writes for a zone covering many cells; the point lookup's pieces taken from
// them. What the pieces draw is tiles/test/tile-cells.test.ts's.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { coveringPiecesSql } from "../../api/queries.ts";
import type { MultiPolygonGeometry } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { loadSql } from "../../core/sql.ts";
import { type PlanNode, planNodes, type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../import.ts";
import { buildLookup } from "../lookup.ts";
import { fillTileCells, TILE_CELL_MIN_VERTICES, TILE_CELL_ZOOMS, tileCellsFillStatement } from "../tile-cells.ts";
import { writeZones } from "./helpers.ts";
import { wavySquare } from "./wavy-square.ts";

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

  test("a zone covering many cells writes rows along its outline, not over its area; its lookup pieces answer as ST_Covers", async () => {
    // A 4° square (~3 000 z12 cells of its bbox): a cell the zone covers whole is one `covered` row at its own
    // zoom and nothing under it. Before, the cut went down to z12 everywhere: a row for nearly every z12 cell of
    // the bbox.
    const square = wavySquare(2 * TILE_CELL_MIN_VERTICES, 4, 48, 4);
    const lastZoom = TILE_CELL_ZOOMS[TILE_CELL_ZOOMS.length - 1] as number;
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `UPDATE "${schema}".zones SET geom_4326 = ST_SetSRID(ST_GeomFromGeoJSON($2), 4326),
                geom = ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), 3857) WHERE id = $1`,
        [BIG_ID, JSON.stringify(square)],
      );
      await client.query(`DELETE FROM "${schema}".tile_cells`);
      await client.query(`DELETE FROM "${schema}".tile_cut_zones`);
      await fillTileCells(client, schema, [BIG_ID]);
      const { rows } = await client.query<{
        rows: number;
        covered: number;
        bbox_cells: number;
        outline_cells: number;
        levels: number[];
        rel: number;
      }>(
        `WITH z AS (SELECT geom, 2 * 20037508.342789244 / 2 ^ $2 AS size FROM "${schema}".zones WHERE id = $1),
              c AS (SELECT * FROM "${schema}".tile_cells WHERE id = $1)
         SELECT (SELECT count(*)::int FROM c) AS rows,
                (SELECT count(*)::int FROM c WHERE covered) AS covered,
                (SELECT ((floor((ST_XMax(geom) + 20037508.342789244) / size) - floor((ST_XMin(geom) + 20037508.342789244) / size) + 1)
                       * (floor((20037508.342789244 - ST_YMin(geom)) / size) - floor((20037508.342789244 - ST_YMax(geom)) / size) + 1))::int
                 FROM z) AS bbox_cells,
                (SELECT (ST_Perimeter(geom) / size)::int FROM z) AS outline_cells,
                (SELECT array_agg(DISTINCT cell_z ORDER BY cell_z) FROM c WHERE covered) AS levels,
                (SELECT abs(u.area - w.area) / w.area
                 FROM (SELECT ST_Area(ST_Union(ST_ClipByBox2D(geom, ST_TileEnvelope(cell_z, cell_x, cell_y)))) AS area
                       FROM c WHERE covered OR cell_z = $2) u,
                      (SELECT ST_Area(geom) AS area FROM z) w) AS rel`,
        [BIG_ID, lastZoom],
      );
      const r = rows[0] as (typeof rows)[number];
      expect(r.bbox_cells).toBeGreaterThan(2500);
      // the rows follow the outline (a wavy band of a few cells): a few rows per z12 cell of its length, far
      // fewer than the cells of the bbox (here 701 rows, 2 550 z12 cells in the bbox; before: 2 401 rows)
      expect(r.rows, JSON.stringify(r)).toBeLessThan(4 * r.outline_cells);
      expect(r.rows, JSON.stringify(r)).toBeLessThan(r.bbox_cells / 2);
      expect(r.covered).toBeGreaterThan(0);
      // covered cells above z12 too (the square's inside is whole z8–z11 cells)
      expect(
        r.levels.some((z) => z < lastZoom),
        JSON.stringify(r),
      ).toBe(true);
      // the deepest grid's pieces and the covered cells (each clipped to its own cell) still make up the zone
      expect(r.rel).toBeLessThan(1e-9);
      // a covered cell's geometry is its box grown by the margin, five points
      const { rows: boxes } = await client.query<{ not_box: number }>(
        `SELECT count(*)::int AS not_box FROM "${schema}".tile_cells
          WHERE id = $1 AND covered AND NOT ST_OrderingEquals(geom, ST_Multi(ST_TileEnvelope(cell_z, cell_x, cell_y, margin => $2)))`,
        [BIG_ID, 128 / 4096],
      );
      expect(boxes).toEqual([{ not_box: 0 }]);

      // the point lookup takes the zone from its cells (a covered cell: one exact piece, its box) and answers as
      // ST_Covers on the whole boundary, inside covered cells, on their edges and corners, and along the outline
      const build = await buildLookup(client, schema);
      expect(build.fromCells).toBe(1);
      const { rows: pieces } = await client.query<{ exact_boxes: number }>(
        `SELECT count(*)::int AS exact_boxes FROM "${schema}".zone_pieces WHERE zone_id = $1 AND exact AND ST_NPoints(geom) = 5`,
        [BIG_ID],
      );
      expect(pieces[0]?.exact_boxes).toBe(r.covered);
      const { rows: points } = await client.query<{ lon: number[]; lat: number[] }>(
        `WITH p AS (
           SELECT ST_X(q.geom) AS lon, ST_Y(q.geom) AS lat
           FROM "${schema}".zone_pieces zp
           CROSS JOIN LATERAL ST_DumpPoints(zp.geom) d
           CROSS JOIN LATERAL (VALUES (d.geom), (ST_Translate(d.geom, 1e-12, 1e-12)), (ST_Translate(d.geom, -1e-12, -1e-12)),
                                      (ST_Centroid(zp.geom))) q (geom)
           WHERE zp.zone_id = $1 AND (zp.exact OR d.path[2] % 25 = 1)
           UNION ALL
           SELECT 3.8 + 4.4 * i / 60.0, 47.8 + 3.2 * j / 60.0 FROM generate_series(0, 60) i, generate_series(0, 60) j
         )
         SELECT array_agg(lon) AS lon, array_agg(lat) AS lat FROM p`,
        [BIG_ID],
      );
      const text = loadSql(import.meta.url, "../../api/test/sql/lookup-differences.sql", {
        schema,
        covering_pieces: coveringPiecesSql(schema),
      });
      const { rows: diff } = await client.query<{ pairs: number; differences: unknown[] }>(text, [
        points[0]?.lon,
        points[0]?.lat,
      ]);
      expect(diff[0]?.pairs).toBeGreaterThan(2000);
      expect(diff[0]?.differences).toEqual([]);
      // a version imported before the covered cells (its tile_cells without the column): the lookup cuts its big
      // zones from their boundaries rather than misread their cells
      await client.query(`ALTER TABLE "${schema}".tile_cells DROP COLUMN covered`);
      expect((await buildLookup(client, schema)).fromCells).toBe(0);
      const { rows: again } = await client.query<{ pairs: number; differences: unknown[] }>(text, [
        points[0]?.lon,
        points[0]?.lat,
      ]);
      expect(again[0]?.pairs).toBe(diff[0]?.pairs);
      expect(again[0]?.differences).toEqual([]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});
