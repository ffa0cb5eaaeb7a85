// What the simplification of the shapes before ST_AsMVTGeom (tiles/sql/tile.sql, tiles/render.ts) may change, on
// real PostGIS: a rough fractal coastline (bench/query/fractal.ts, 32 k vertices) as a country, cut into cell
// pieces at import, over the sample zones. Every zone of every tile z5–z14 around it, drawn by the renderer (the
// one the server and the export share), is compared with ST_AsMVTGeom of the whole, unsimplified zone.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { luxembourgDatabase } from "../../api/test/support.ts";
import { fractalBbox, fractalCountry, fractalRing } from "../../bench/query/fractal.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { type TestDatabase, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { TILE_CELL_ZOOMS } from "../../importer/tile-cells.ts";
import { bandFor } from "../bands.ts";
import { tilesCovering } from "../coords.ts";
import { LAYERS } from "../layers.ts";
import { TileRenderer } from "../render.ts";
import { decodeLayer, tileShape } from "./decode.ts";

const COAST_ID = 10;
/** Around Luxembourg City (lon, lat bbox). */
const LUXEMBOURG_CITY: [number, number, number, number] = [6.1, 49.58, 6.17, 49.64];
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

interface Comparison {
  /** Zones compared, tile by tile. */
  compared: number;
  /** Vertices drawn of the counted zones from z9, and of their unsimplified drawings. */
  vertices: number;
  unsimplifiedVertices: number;
}

/**
 * Every zone of every tile z`from`–z`to` covering `area`, drawn by the renderer, against ST_AsMVTGeom of the whole
 * zone as it is in the band's table (generalised below z9, the full zones from z9; never the cell pieces): the
 * same zones, each within a pixel and on average within half a unit (the very same drawing below z9). Counts the
 * vertices drawn from z9 (where the shapes are simplified) of zone `counted`, or of every zone if null.
 */
async function compareTiles(
  db: TestDatabase,
  ref: { version: number; schema: string },
  area: [number, number, number, number],
  from: number,
  to: number,
  counted: number | null,
): Promise<Comparison> {
  const renderer = new TileRenderer(db.pool, []);
  const out: Comparison = { compared: 0, vertices: 0, unsimplifiedVertices: 0 };
  for (let z = from; z <= to; z++) {
    const band = bandFor(z);
    for (const t of tilesCovering(area, z)) {
      const where = `${t.z}/${t.x}/${t.y}`;
      const bytes = await renderer.render(ref, LAYERS.zones, t);
      const { rows: wanted } = await db.pool.query<{ id: string }>(
        `SELECT g.id FROM "${ref.schema}".${band.table} g
         WHERE g.geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)
           AND ($4::text[] IS NULL OR g.zone_type = ANY ($4::text[]) OR g.admin_level <= $5)
           AND ST_AsMVTGeom(g.geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) IS NOT NULL
         ORDER BY g.id`,
        [t.z, t.x, t.y, band.zoneTypes, band.maxAdminLevel],
      );
      const drawn = (decodeLayer(bytes, "zones") ?? []).map((f) => Number(f.id));
      expect(drawn, where).toEqual(wanted.map((r) => Number(r.id)));
      for (const id of drawn) {
        const { rows } = await db.pool.query<{
          wantVertices: number;
          gotVertices: number;
          hausdorff: number;
          diff: number;
          length: number;
        }>(
          `WITH w AS (SELECT ST_SetSRID(ST_AsMVTGeom(geom, ST_TileEnvelope($2, $3, $4), 4096, 64, true), 0) AS g
                      FROM "${ref.schema}".${band.table} WHERE id = $1),
                got AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($5::text), 0) AS g)
           SELECT ST_NPoints(w.g) AS "wantVertices", ST_NPoints(got.g) AS "gotVertices",
                  ST_HausdorffDistance(w.g, got.g) AS hausdorff,
                  ST_Area(ST_SymDifference(w.g, got.g)) AS diff,
                  ST_Perimeter(w.g) AS length
           FROM w, got`,
          [id, t.z, t.x, t.y, tileShape(bytes, "zones", id)],
        );
        const r = rows[0];
        const what = `zone ${id} in ${where}`;
        out.compared++;
        // Douglas-Peucker moves no vertex farther than the tolerance (1 unit), the rounding to the grid half a unit
        // each way on either side: the outlines are on average within half a unit. A part thinner than a unit (a
        // sliver the grid's rounding already mangles, e.g. 9 units long in a z6 tile of a narrow Luxembourg zone)
        // may appear or vanish either way, and the Hausdorff distance is then its length: a screen pixel (16 of
        // the tile's 4096 units at 256 pixels) bounds it
        expect(r?.hausdorff, what).toBeLessThanOrEqual(16);
        expect(r?.diff, what).toBeLessThanOrEqual((r?.length ?? 0) / 2);
        // below z9 the tiles read the generalised bands as they are: the same drawing
        if (z < TILE_CELL_ZOOMS[0]) expect([r?.hausdorff, r?.diff], what).toEqual([0, 0]);
        if ((counted === null || id === counted) && z >= TILE_CELL_ZOOMS[0]) {
          out.vertices += r?.gotVertices ?? 0;
          out.unsimplifiedVertices += r?.wantVertices ?? 0;
        }
      }
    }
  }
  return out;
}

describe("simplified shapes", () => {
  test("every zone of the tiles z5–z14 around a rough coastline: within a pixel of its unsimplified drawing; the coast drawn with fewer vertices", async () => {
    const r = await compareTiles(db, { version, schema }, bbox, 5, 14, COAST_ID);
    expect(r.compared).toBeGreaterThan(90);
    // the coastline's tiles (from its cell pieces: 32 k vertices in the z9 cell) draw well under the vertices of
    // its unsimplified drawing, snapped to the grid as it is
    expect(r.vertices).toBeLessThan(r.unsimplifiedVertices * 0.75);
  });

  test("every zone of the Luxembourg tiles z5–z13 around its capital: within a pixel of its unsimplified drawing, fewer vertices from z9", async () => {
    const fx = await luxembourgDatabase("tile_simplify_lu");
    try {
      const ref = { version: fx.version, schema: `zones_v${fx.version}` };
      const r = await compareTiles(fx.db, ref, LUXEMBOURG_CITY, 5, 13, null);
      expect(r.compared).toBeGreaterThan(100);
      // OSM boundaries hold more vertices than a z9–z13 tile draws: well under them are drawn
      expect(r.vertices).toBeLessThan(r.unsimplifiedVertices * 0.75);
    } finally {
      await fx.db.close();
    }
  });
});
