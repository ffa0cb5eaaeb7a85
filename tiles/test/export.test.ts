// `cosmo tiles export` on the imported Luxembourg data: the archive, read with the `pmtiles` package as MapLibre's
// pmtiles protocol reads it, holds exactly the server's tiles (every tile of the extent, byte for byte, empty ones
// absent), for both layers; an s3:// output; refusals that leave nothing behind.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { PMTiles } from "pmtiles";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { luxembourgDatabase, type ServingFixture } from "../../api/test/support.ts";
import { COSMO_BIN, testConfig, testEnv, testStore, tmpDir } from "../../core/testing.ts";
import { tilesCovering } from "../coords.ts";
import { exportTiles } from "../export.ts";
import { LAYERS } from "../layers.ts";
import { startTilesServer } from "../server.ts";
import { tilesSettings } from "../settings.ts";
import { FileSource } from "./pmtiles-source.ts";

let fx: ServingFixture;
let tiles: { url: string; close(): Promise<void> };
const LANGUAGES = () => tilesSettings(testConfig({ db: fx.db })).languages;

beforeAll(async () => {
  fx = await luxembourgDatabase("tiles_export");
  tiles = await startTilesServer({ db: fx.db, port: 0, host: "127.0.0.1", config: testConfig({ db: fx.db }) });
});
afterAll(async () => {
  await tiles?.close();
  await fx?.db.close();
});

/** The server's bytes of a tile (fetch undoes the gzip content-encoding), empty when it has no feature. */
async function served(urlName: string, z: number, x: number, y: number): Promise<Buffer> {
  const res = await fetch(`${tiles.url}/tiles/${urlName}/${z}/${x}/${y}.pbf`);
  expect([200, 204], `${urlName} ${z}/${x}/${y}`).toContain(res.status);
  return Buffer.from(await res.arrayBuffer());
}

describe("cosmo tiles export", () => {
  test.each([
    ["zones", 13],
    ["cosmogony", 10],
  ])(
    "the %s layer to z%i: every tile of the extent equals the server's, empty tiles are absent",
    async (urlName, maxZoom) => {
      const out = join(tmpDir("export"), `${urlName}.pmtiles`);
      const layer = LAYERS[urlName];
      const summary = await exportTiles({
        db: fx.db,
        dataset: "served",
        out,
        layer,
        minZoom: 0,
        maxZoom,
        languages: LANGUAGES(),
        concurrency: 3,
      });
      expect(summary.version).toBe(fx.version);
      const reader = new PMTiles(new FileSource(out));
      const header = await reader.getHeader();
      expect(header).toMatchObject({ specVersion: 3, tileType: 1, tileCompression: 2, clustered: true, minZoom: 0 });
      expect(header.maxZoom).toBe(maxZoom);
      expect(header.minLon).toBeCloseTo(5.7357, 3);
      expect(header.maxLat).toBeCloseTo(50.1828, 3);
      const metadata = (await reader.getMetadata()) as { vector_layers: { id: string }[]; dataset_version: number };
      expect(metadata.vector_layers.map((l) => l.id)).toEqual([
        layer.layer,
        ...(layer.labelLayer ? [layer.labelLayer] : []),
      ]);
      expect(metadata.dataset_version).toBe(fx.version);

      let present = 0;
      let checked = 0;
      for (let z = 0; z <= maxZoom; z++) {
        for (const t of tilesCovering([header.minLon, header.minLat, header.maxLon, header.maxLat], z)) {
          const want = await served(urlName, t.z, t.x, t.y);
          const got = await reader.getZxy(t.z, t.x, t.y);
          checked++;
          if (want.length === 0) {
            expect(got, `${t.z}/${t.x}/${t.y} is empty on the server`).toBeUndefined();
          } else {
            present++;
            const g = Buffer.from(got?.data ?? new ArrayBuffer(0));
            expect(g.equals(want), `${t.z}/${t.x}/${t.y}`).toBe(true);
          }
        }
      }
      expect(present).toBe(summary.addressedTiles);
      // only tiles some zone reaches into are rendered: the extent's empty corners are skipped, none with a zone
      expect(summary.rendered).toBeLessThan(checked);
      expect(summary.rendered).toBeGreaterThanOrEqual(present);
      expect(present).toBeGreaterThan(20);
      // from z13 some tiles lie wholly inside the same zones (the same squares): stored once
      if (maxZoom >= 13) expect(summary.tileContents).toBeLessThan(summary.addressedTiles);
      expect(readdirSync(join(out, "..")).filter((f) => f.includes(".tmp-"))).toEqual([]);
    },
  );

  test("MBTiles: every tile of the extent, TMS rows, gzip MVT equal to the server's, metadata with vector_layers", async () => {
    const out = join(tmpDir("export"), "zones.mbtiles");
    const summary = await exportTiles({
      db: fx.db,
      dataset: "served",
      out,
      layer: LAYERS.zones,
      minZoom: 0,
      maxZoom: 10,
      languages: LANGUAGES(),
      concurrency: 3,
    });
    const db = new Database(out, { readonly: true });
    try {
      const meta = Object.fromEntries(
        db
          .prepare("SELECT name, value FROM metadata")
          .all()
          .map((r) => {
            const { name, value } = r as { name: string; value: string };
            return [name, value];
          }),
      );
      expect(meta).toMatchObject({ format: "pbf", minzoom: "0", maxzoom: "10", name: "cosmo zones" });
      expect(JSON.parse(meta.json).vector_layers.map((l: { id: string }) => l.id)).toEqual(["zones", "zone_labels"]);
      const bounds = meta.bounds.split(",").map(Number) as [number, number, number, number];
      const tileAt = db.prepare(
        "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
      );
      let present = 0;
      for (let z = 0; z <= 10; z++) {
        for (const t of tilesCovering(bounds, z)) {
          const want = await served("zones", t.z, t.x, t.y);
          const row = tileAt.get(t.z, t.x, 2 ** t.z - 1 - t.y) as { tile_data: Buffer } | undefined;
          if (want.length === 0) expect(row, `${t.z}/${t.x}/${t.y}`).toBeUndefined();
          else {
            present++;
            expect(gunzipSync(row?.tile_data ?? Buffer.alloc(0)).equals(want), `${t.z}/${t.x}/${t.y}`).toBe(true);
          }
        }
      }
      expect(present).toBe(summary.addressedTiles);
      expect((db.prepare("SELECT count(*) AS n FROM tiles").get() as { n: number }).n).toBe(present);
    } finally {
      db.close();
    }
  });

  test("to an s3:// URL: the archive is stored there, nothing left in the temp directory", async () => {
    const store = testStore();
    const url = store.url("releases/v1/zones.pmtiles");
    const summary = await exportTiles({
      db: fx.db,
      dataset: fx.version,
      out: url,
      layer: LAYERS.zones,
      minZoom: 0,
      maxZoom: 6,
      languages: LANGUAGES(),
      concurrency: 2,
      store,
    });
    const bytes = await store.getBuffer(url);
    expect(bytes.length).toBe(summary.archiveBytes);
    expect(bytes.subarray(0, 7).toString("ascii")).toBe("PMTiles");
  });

  // Real faults in the version's schema, put back afterwards: a column every render reads (the renders fail, the
  // tile lists do not), or the z6–8 band's table (the z6 tile list fails, after z0–5 were rendered and written).
  test.each([
    ["a render", "zones", "label", /label/],
    ["a tile list, halfway", null, "zones_z6_8", /zones_z6_8/],
  ])(
    "%s failing fails the export with its error, leaving no archive and no temporary file",
    async (_what, table, name, message) => {
      const schema = `zones_v${fx.version}`;
      const rename = (from: string, to: string) =>
        fx.db.pool.query(
          table
            ? `ALTER TABLE ${schema}.${table} RENAME COLUMN ${from} TO ${to}`
            : `ALTER TABLE ${schema}.${from} RENAME TO ${to}`,
        );
      const dir = tmpDir("export-fault");
      const out = join(dir, "zones.pmtiles");
      await rename(name, `${name}_gone`);
      try {
        await expect(
          exportTiles({
            db: fx.db,
            dataset: "served",
            out,
            layer: LAYERS.zones,
            minZoom: 0,
            maxZoom: 8,
            languages: LANGUAGES(),
            concurrency: 3,
          }),
        ).rejects.toThrow(message);
      } finally {
        await rename(`${name}_gone`, name);
      }
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  test("the CLI refuses a wrong suffix, bad zooms and an unknown dataset with exit 2, writing nothing", () => {
    const dir = tmpDir("export-cli");
    const env = { ...process.env, ...testEnv({ db: fx.db }) };
    const run = (args: string[]) =>
      spawnSync(process.execPath, [COSMO_BIN, "tiles", "export", ...args], { env, encoding: "utf8" });
    const cases: [string[], RegExp][] = [
      [
        ["--dataset", "served", "-o", join(dir, "a.tiles")],
        /a\.tiles: the archive's name must end in \.pmtiles or \.mbtiles/,
      ],
      [["--dataset", "served", "-o", join(dir, "b.pmtiles"), "--min-zoom", "9", "--max-zoom", "3"], /zooms 9\.\.3/],
      [["--dataset", "999", "-o", join(dir, "c.pmtiles")], /dataset 999 does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect({ status: r.status, stderr: r.stderr }).toMatchObject({
        status: 2,
        stderr: expect.stringMatching(message),
      });
    }
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    const ok = run(["--dataset", "served", "-o", join(dir, "ok.pmtiles"), "--max-zoom", "4"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: fx.version, out: join(dir, "ok.pmtiles") });
    expect(readdirSync(dir)).toEqual(["ok.pmtiles"]);
  });
});
