// The hand-written EWKB encoder against wkx (byte for byte) and against PostGIS's own 4326 → 3857 transform.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import wkx from "wkx";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import type { TestDatabase } from "../../core/testing.ts";
import { testDatabase } from "../../core/testing.ts";
import { decodeWkb } from "../../core/wkb-decode.ts";
import { encodeMultiPolygon, SRID_WEB_MERCATOR, SRID_WGS84 } from "../ewkb.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase("ewkb");
});
afterAll(async () => {
  await db?.close();
});

const geometries = sampleZones().flatMap((z) => (z.geometry ? [z.geometry] : []));

describe("EWKB encoder", () => {
  it("writes the same bytes as wkx and decodes back to the same coordinates", () => {
    for (const g of geometries) {
      const w = wkx.Geometry.parseGeoJSON(g);
      w.srid = 4326;
      const ours = encodeMultiPolygon(g.coordinates, SRID_WGS84);
      expect(ours.equals(w.toEwkb())).toBe(true);
      expect(decodeWkb(ours)).toEqual(g);
    }
  });

  it("projects to Web Mercator as PostGIS does (within a micrometre), clamping the poles", async () => {
    const g = {
      type: "MultiPolygon" as const,
      coordinates: [
        [
          [
            [-180, -85],
            [179.9, -85],
            [179.9, 84.9],
            [-180, 84.9],
            [-180, -85],
          ] as [number, number][],
        ],
      ],
    };
    for (const geom of [...geometries, g]) {
      const ours = encodeMultiPolygon(geom.coordinates, SRID_WEB_MERCATOR);
      const { rows } = await db.pool.query(
        "SELECT ST_SRID($1::geometry) AS srid, ST_HausdorffDistance($1::geometry, ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), 3857)) AS d",
        [ours, JSON.stringify(geom)],
      );
      expect(rows[0].srid).toBe(3857);
      expect(rows[0].d).toBeLessThan(1e-6);
    }
    const pole = encodeMultiPolygon(
      [
        [
          [
            [0, 89],
            [1, 89],
            [1, 90],
            [0, 90],
            [0, 89],
          ],
        ],
      ],
      SRID_WEB_MERCATOR,
    );
    const ys = (decodeWkb(pole).coordinates as [number, number][][][])[0][0].map((p) => p[1]);
    expect(Math.max(...ys)).toBeCloseTo(20037508.34, 1);
  });
});
