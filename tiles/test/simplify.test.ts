// What the simplification of big shapes before ST_AsMVTGeom (tiles/sql/tile.sql, tiles/render.ts) may change, on
// real PostGIS: a rough fractal coastline (bench/query/fractal.ts, 32 k vertices) as a country, cut into cell
// pieces at import. Every tile z9–z14 around it is drawn by the renderer (the one the server and the export share)
// and compared with ST_AsMVTGeom of the whole, unsimplified zone.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fractalBbox, fractalCountry, fractalRing } from "../../bench/query/fractal.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { TILE_CELL_ZOOMS, tileCellZoom } from "../../importer/tile-cells.ts";
import { tilesCovering } from "../coords.ts";
import { LAYERS } from "../layers.ts";
import { TILE_SIMPLIFY_MIN_VERTICES, TileRenderer } from "../render.ts";
import { tileShape } from "./decode.ts";

const COAST_ID = 10;
const coast = fractalCountry({ seed: 16, center: [6.15, 49.8], radius: 0.05, baseVertices: 8, depth: 12, hurst: 0.75 });
const bbox = fractalBbox(coast);
const dir = tmpDir("tile-simplify");
let db: TestDatabase;
let schema: string;
let version: number;

beforeAll(async () => {
  db = await testDatabase("tile_simplify");
  const zones = sampleZones().map((z) =>
    z.id === COAST_ID
      ? { ...z, name: "Coast", geometry: { type: "MultiPolygon" as const, coordinates: [[fractalRing(coast)]] }, bbox }
      : z,
  );
  const path = await writeZones(dir, "coast.jsonl", zones);
  const r = await importZonesFile(db, path, { publish: true, progress: false, keepVersions: 1 });
  version = r.version;
  schema = `zones_v${version}`;
});
afterAll(async () => {
  await db?.close();
});

describe("simplified big shapes", () => {
  test("tiles z9–z14 of a rough coastline: fewer vertices, within a quarter pixel of the unsimplified zone", async () => {
    const renderer = new TileRenderer(db.pool, []);
    let compared = 0;
    let simplified = 0;
    let vertices = 0;
    let unsimplifiedVertices = 0;
    for (let z = TILE_CELL_ZOOMS[0]; z <= 14; z++) {
      for (const t of tilesCovering(bbox, z)) {
        const where = `${t.z}/${t.x}/${t.y}`;
        const shape = tileShape(await renderer.render({ version, schema }, LAYERS.zones, t), "zones", COAST_ID);
        // what the tile would draw if ST_AsMVTGeom were given the whole zone as it is; the vertices of the cell
        // piece the renderer read (tile_cells at the tile's cell zoom)
        const { rows } = await db.pool.query<{
          want: boolean;
          read: number;
          wantVertices: number;
          gotVertices: number;
          hausdorff: number;
          diff: number;
          length: number;
        }>(
          `WITH w AS (SELECT ST_SetSRID(ST_AsMVTGeom(geom, ST_TileEnvelope($2, $3, $4), 4096, 64, true), 0) AS g
                      FROM "${schema}".zones WHERE id = $1),
                got AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($5::text), 0) AS g)
           SELECT w.g IS NOT NULL AS want,
                  (SELECT ST_NPoints(c.geom) FROM "${schema}".tile_cells c
                   WHERE c.id = $1 AND c.cell_z = $6 AND c.cell_x = $3 >> ($2 - $6) AND c.cell_y = $4 >> ($2 - $6)) AS read,
                  ST_NPoints(w.g) AS "wantVertices", ST_NPoints(got.g) AS "gotVertices",
                  ST_HausdorffDistance(w.g, got.g) AS hausdorff,
                  ST_Area(ST_SymDifference(w.g, got.g)) AS diff,
                  ST_Perimeter(w.g) AS length
           FROM w, got`,
          [COAST_ID, t.z, t.x, t.y, shape, tileCellZoom(t.z)],
        );
        const r = rows[0];
        expect(shape !== null, where).toBe(r?.want);
        if (!r?.want || shape === null) continue;
        compared++;
        // Douglas-Peucker moves no vertex farther than the tolerance (1 unit), the rounding to the grid half a
        // unit each way on either side; the repair of the snapped outlines may pick another of two near
        // crossings: a quarter pixel (4 of a 256-pixel tile's 16 units a pixel) bounds it, and the outlines are
        // on average within half a unit
        expect(r.hausdorff, where).toBeLessThanOrEqual(4);
        expect(r.diff, where).toBeLessThanOrEqual(r.length / 2);
        if (r.read > TILE_SIMPLIFY_MIN_VERTICES && r.wantVertices > 100) {
          simplified++;
          vertices += r.gotVertices;
          unsimplifiedVertices += r.wantVertices;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
    // the z9 cell's piece (32 k vertices) and most z12 cells' pieces are simplified: ST_AsMVTGeom is handed
    // well under the outline it drew before, and draws well under its vertices
    expect(simplified).toBeGreaterThan(30);
    expect(vertices).toBeLessThan(unsimplifiedVertices * 0.75);
  });
});
