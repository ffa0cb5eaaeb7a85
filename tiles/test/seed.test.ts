// The persistent tile cache in the artefact store: `seed` pre-renders a version, the server reads seeded
// tiles from the store (version in the key), renders write through, and the CLI reports errors in one line.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, luxembourgDatabase, type ServingFixture } from "../../api/test/support.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import { COSMO_BIN, testConfig, testEnv, testStore } from "../../core/testing.ts";
import { encodeTile, tileKey } from "../cache.ts";
import { lonLatToTile } from "../coords.ts";
import { LAYERS } from "../layers.ts";
import { seedTiles } from "../seed.ts";
import { startTilesServer } from "../server.ts";
import { TILES_DEFAULTS } from "../settings.ts";
import { decodeLayer, layerNames } from "./decode.ts";

const run = promisify(execFile);
let fx: ServingFixture;
let store: ArtefactStore;

beforeAll(async () => {
  fx = await luxembourgDatabase("seed");
  store = testStore();
});
afterAll(async () => {
  await fx?.db.close();
});

const objectUrl = (layer: string, z: number, x: number, y: number) =>
  store.url(`tile-cache/${tileKey(fx.version, layer, { z, x, y })}.mvt.gz`);

test("seed renders every tile over the dataset's extent into the store, once", async () => {
  const seed = () =>
    seedTiles({
      db: fx.db,
      store,
      dataset: fx.version,
      maxZoom: 4,
      languages: TILES_DEFAULTS.languages,
      progress: false,
    });
  const first = await seed();
  // Luxembourg fits in one tile per zoom up to z4 (two layers).
  expect(first).toMatchObject({ version: fx.version, tiles: 10, rendered: 10, skipped: 0 });
  const objects = await store.list(store.url(`tile-cache/v${fx.version}/`));
  expect(objects.length).toBe(10);
  const again = await seed();
  expect(again).toMatchObject({ rendered: 0, skipped: 10 });
});

test("the server answers seeded tiles from the store and writes renders through", async () => {
  // Replace the seeded z0 `zones` object with the old layer's bytes: if the server answers with them, it read
  // the store rather than rendering.
  const oldLayer = await store.getBuffer(objectUrl(LAYERS.cosmogony?.layer as string, 0, 0, 0));
  await store.put(objectUrl("zones", 0, 0, 0), oldLayer);
  const tiles = await startTilesServer({
    db: fx.db,
    store,
    port: 0,
    host: "127.0.0.1",
    config: testConfig({ db: fx.db, store }),
  });
  try {
    const res = await fetch(`${tiles.url}/tiles/zones/0/0/0.pbf`);
    expect(res.status).toBe(200);
    expect(layerNames(await res.arrayBuffer())).toEqual(["vector-zones"]);
    // z6 was not seeded: rendered now, then stored for the next process.
    const { x, y } = lonLatToTile(6.13, 49.61, 6);
    const z6 = await fetch(`${tiles.url}/tiles/zones/6/${x}/${y}.pbf`);
    const bytes = Buffer.from(await z6.arrayBuffer());
    expect(decodeLayer(bytes, "zones")?.length).toBeGreaterThan(0);
    const stored = await eventually(async () => {
      const buf = await store.getBuffer(objectUrl("zones", 6, x, y));
      expect(buf.length).toBeGreaterThan(0);
      return buf;
    });
    expect(encodeTile(bytes).hash).toBe(encodeTile(gunzipSync(stored)).hash);
  } finally {
    await tiles.close();
  }
});

test("cosmo tiles seed (CLI): JSON summary; unknown dataset → one-line error, exit 2", async () => {
  const env = testEnv({ db: fx.db, store });
  const ok = await run("node", [COSMO_BIN, "tiles", "seed", "--dataset", String(fx.version), "--max-zoom", "5"], {
    env,
  });
  const summary = JSON.parse(ok.stdout.trim().split("\n").at(-1) as string);
  expect(summary).toMatchObject({ version: fx.version, rendered: 2, skipped: 10 });
  const bad = await run("node", [COSMO_BIN, "tiles", "seed", "--dataset", "999", "--max-zoom", "2"], { env }).catch(
    (e) => e,
  );
  expect(bad.code, bad.stderr).toBe(2);
  expect(bad.stderr.trim()).toBe("error: dataset 999 does not exist (see cosmo datasets)");
});
