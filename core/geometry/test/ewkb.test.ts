// The hand-written EWKB encoder against wkx (byte for byte) and against PostGIS's own 4326 → 3857 transform; flat
// rings against GeoJSON positions (the same bytes); the decoder on what it must refuse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import wkx from "wkx";
import { sampleZones } from "../../cosmogony/test/sample-zones.ts";
import type { TestDatabase } from "../../testing.ts";
import { testDatabase } from "../../testing.ts";
import {
  decodeWkb,
  encodeFlatMultiPolygon,
  encodeMultiPolygon,
  flatMultiPolygonByteSize,
  SRID_WEB_MERCATOR,
  SRID_WGS84,
  viewOf,
  writeFlatMultiPolygon,
} from "../ewkb.ts";
import type { FlatMultiPolygon } from "../flat.ts";

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

/** GeoJSON positions as flat rings, views at odd offsets into one shared array (as the load's reader makes them). */
function flatRings(coords: [number, number][][][]): FlatMultiPolygon {
  const all = new Float64Array(1 + 2 * coords.flat(2).length);
  let k = 1;
  return coords.map((polygon) =>
    polygon.map((ring) => {
      const start = k;
      for (const [x, y] of ring) {
        all[k++] = x;
        all[k++] = y;
      }
      return all.subarray(start, k);
    }),
  );
}

describe("EWKB of flat rings", () => {
  it("is byte for byte that of the same GeoJSON positions, unprojected and projected", () => {
    for (const g of geometries) {
      const flat = flatRings(g.coordinates);
      for (const srid of [SRID_WGS84, SRID_WEB_MERCATOR]) {
        expect(encodeFlatMultiPolygon(flat, srid).equals(encodeMultiPolygon(g.coordinates, srid))).toBe(true);
      }
    }
  });

  it("writes at any offset of a buffer that is itself a view", () => {
    const g = geometries[0];
    const flat = flatRings(g.coordinates);
    const size = flatMultiPolygonByteSize(flat);
    const backing = Buffer.alloc(size + 10, 0xee);
    const target = backing.subarray(3);
    const end = writeFlatMultiPolygon(viewOf(target), 5, flat, SRID_WGS84);
    expect(end).toBe(5 + size);
    expect(target.subarray(5, end).equals(encodeMultiPolygon(g.coordinates, SRID_WGS84))).toBe(true);
    expect([...backing.subarray(0, 8), ...backing.subarray(8 + size)].every((b) => b === 0xee)).toBe(true);
  });
});

describe("WKB decoder", () => {
  it("refuses 3D and measured geometries, EWKB flags or ISO codes, instead of reading them as 2D", () => {
    const ewkb = (type: number, doubles: number) => {
      const b = Buffer.alloc(5 + 8 * doubles);
      b[0] = 1;
      b.writeUInt32LE(type >>> 0, 1);
      for (let i = 0; i < doubles; i++) b.writeDoubleLE(i + 1, 5 + 8 * i);
      return b;
    };
    expect(decodeWkb(ewkb(1, 2))).toEqual({ type: "Point", coordinates: [1, 2] });
    expect(() => decodeWkb(ewkb(0x80000001, 3))).toThrow(/only 2D/); // PostGIS's Z flag
    expect(() => decodeWkb(ewkb(0x40000001, 3))).toThrow(/only 2D/); // PostGIS's M flag
    expect(() => decodeWkb(ewkb(1001, 3))).toThrow(/only 2D/); // ISO Point Z
  });
});
