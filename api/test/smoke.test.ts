import { afterAll, beforeAll, expect, test } from "vitest";
import { testConfig } from "../../core/testing.ts";
import { startApiServer } from "../server.ts";
import { startTilesServer } from "../../tiles/server.ts";
import { getJson, luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
let api: { url: string; close(): Promise<void> };
let tiles: { url: string; close(): Promise<void> };
beforeAll(async () => {
  fx = await luxembourgDatabase("smoke");
  api = await startApiServer({ db: fx.db, port: 0, host: "127.0.0.1", config: testConfig({ db: fx.db }) });
  tiles = await startTilesServer({ db: fx.db, port: 0, host: "127.0.0.1", config: testConfig({ db: fx.db }) });
});
afterAll(async () => {
  await api?.close();
  await tiles?.close();
  await fx?.db.close();
});

test("smoke", async () => {
  const s = await getJson(`${api.url}/zones?q=luxem`);
  console.log(JSON.stringify(s.body).slice(0, 1500));
  const at = await getJson(`${api.url}/zones/at?lon=6.13&lat=49.61`);
  console.log(at.status, at.body.zones?.map((z: any) => `${z.zone_type}:${z.name}`));
  const tj = await getJson(`${tiles.url}/tiles/zones.json`);
  console.log(JSON.stringify(tj.body));
  for (const [z, x, y] of [[0, 0, 0], [5, 16, 11], [8, 132, 86], [10, 529, 350], [12, 2117, 1401]]) {
    const r = await fetch(`${tiles.url}/tiles/zones/${z}/${x}/${y}.pbf`);
    console.log(z, x, y, r.status, (await r.arrayBuffer()).byteLength, r.headers.get("etag"));
  }
  expect(s.status).toBe(200);
});
