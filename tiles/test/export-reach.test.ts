// Which tiles `cosmo tiles export` renders (tiles/sql/tile-reached.sql): every tile the server draws anything in,
// a label point included. A country with a hole holds its label point in the hole, so at z14 the point's tile is
// crossed by no outline: the server draws the label alone there, and the archive must hold that tile too.
import { join } from "node:path";
import { PMTiles } from "pmtiles";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Zone } from "../../core/cosmogony/model.ts";
import { sampleZones } from "../../core/cosmogony/test/sample-zones.ts";
import { type TestDatabase, testConfig, testDatabase, tmpDir } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { lonLatToTile, tilesCovering } from "../coords.ts";
import { exportTiles } from "../export.ts";
import { LAYERS } from "../layers.ts";
import { startTilesServer } from "../server.ts";
import { tilesSettings } from "../settings.ts";
import { decodeLayer } from "./decode.ts";
import { FileSource } from "./pmtiles-source.ts";

const COUNTRY_ID = 10;
// the middle of the sample country's hole (5.9-6.0 × 49.9-50.0): 0.05° from its edges, two z14 tiles away
const LABEL = { lon: 5.95, lat: 49.95 };
const dir = tmpDir("export-reach");
let db: TestDatabase;
let tiles: { url: string; close(): Promise<void> };
let bbox: [number, number, number, number];

function countryLabelledInItsHole(): Zone[] {
  const country = sampleZones().find((z) => z.id === COUNTRY_ID) as Zone;
  expect(country.geometry?.coordinates[0]?.length).toBe(2);
  bbox = country.bbox as [number, number, number, number];
  return [{ ...country, center: { type: "Point", coordinates: [LABEL.lon, LABEL.lat] } }];
}

async function served(z: number, x: number, y: number): Promise<Buffer> {
  const res = await fetch(`${tiles.url}/tiles/zones/${z}/${x}/${y}.pbf`);
  expect([200, 204], `${z}/${x}/${y}`).toContain(res.status);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  db = await testDatabase("export_reach");
  const path = await writeZones(dir, "hole.jsonl", countryLabelledInItsHole());
  await importZonesFile(db, path, { publish: true, progress: false, keepVersions: 1 });
  tiles = await startTilesServer({ db, port: 0, host: "127.0.0.1", config: testConfig({ db }) });
});
afterAll(async () => {
  await tiles?.close();
  await db?.close();
});

describe("the tiles an export renders", () => {
  test("a tile holding only a label point is exported; every tile z0–z14 equals the server's", async () => {
    const out = join(dir, "hole.pmtiles");
    await exportTiles({
      db,
      dataset: "served",
      out,
      layer: LAYERS.zones,
      minZoom: 0,
      maxZoom: 14,
      languages: tilesSettings(testConfig({ db })).languages,
      concurrency: 2,
    });
    const reader = new PMTiles(new FileSource(out));

    const label = { z: 14, ...lonLatToTile(LABEL.lon, LABEL.lat, 14) };
    const alone = await served(label.z, label.x, label.y);
    expect(decodeLayer(alone, "zones") ?? []).toEqual([]);
    expect((decodeLayer(alone, "zone_labels") ?? []).map((f) => f.id)).toEqual([COUNTRY_ID]);
    const archived = await reader.getZxy(label.z, label.x, label.y);
    expect(Buffer.from(archived?.data ?? new ArrayBuffer(0)).equals(alone)).toBe(true);

    for (let z = 0; z <= 14; z++) {
      for (const t of tilesCovering(bbox, z)) {
        const want = await served(t.z, t.x, t.y);
        const got = await reader.getZxy(t.z, t.x, t.y);
        if (want.length === 0) expect(got, `${t.z}/${t.x}/${t.y}`).toBeUndefined();
        else expect(Buffer.from(got?.data ?? new ArrayBuffer(0)).equals(want), `${t.z}/${t.x}/${t.y}`).toBe(true);
      }
    }
  });
});
