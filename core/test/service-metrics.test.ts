// GET /metrics of the API and tile services (Prometheus text format): scraped after real requests (answered by
// Express and by the fast paths, shed under overload), the counters must have moved by what was asked; and a
// scrape gets through while the service sheds load (it is exempt from admission control, like /healthz).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApiServer } from "../../api/server.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { startTilesServer } from "../../tiles/server.ts";
import { sampleZones } from "../cosmogony/test/sample-zones.ts";
import type { RunningService } from "../serving/listen.ts";
import { type TestDatabase, testConfig, testDatabase, tmpDir } from "../testing.ts";

let db: TestDatabase;
let schema: string;
beforeAll(async () => {
  db = await testDatabase("metrics");
  await importZonesFile(db, await writeZones(tmpDir("metrics"), "zones.jsonl.gz", sampleZones()), {
    publish: true,
    progress: false,
  });
  const { rows } = await db.pool.query<{ schema_name: string }>(
    "SELECT d.schema_name FROM cosmo.served s JOIN cosmo.datasets d ON d.version = s.version",
  );
  schema = rows[0]!.schema_name;
}, 120_000);
afterAll(async () => {
  await db?.close();
});

/** The value of one series of a scrape (0 when absent), labels given as they appear (`route="/x",status="200"`). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

async function scrape(service: RunningService): Promise<string> {
  const res = await fetch(`${service.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe("/metrics", () => {
  test("counts requests by route and status, times them, counts 503s shed and cache hits; answers while shedding", async () => {
    const config = testConfig({ db });
    const small = { maxInFlight: 1, queue: 0, queueTimeoutMs: 60_000 };
    const api = await startApiServer({ db, port: 0, host: "127.0.0.1", config, settings: small });
    const tiles = await startTilesServer({ db, port: 0, host: "127.0.0.1", config, settings: small });
    try {
      const at = "/zones/at?lon=6.13&lat=49.61";
      const tile = "/tiles/zones/0/0/0.pbf";
      for (const [service, path] of [
        [api, at],
        [tiles, tile],
      ] as const) {
        // Twice: the first is worked out (a cache miss), the second comes from the cache (the fast path).
        expect((await fetch(`${service.url}${path}`)).status).toBe(200);
        expect((await fetch(`${service.url}${path}`)).status).toBe(200);
        expect((await fetch(`${service.url}/nowhere`)).status).toBe(404);
      }
      const apiText = await scrape(api);
      expect(sample(apiText, "cosmo_http_requests_total", { service: "api", route: "/zones/at", status: "200" })).toBe(
        2,
      );
      expect(sample(apiText, "cosmo_http_requests_total", { route: "unmatched", status: "404" })).toBe(1);
      expect(sample(apiText, "cosmo_http_request_duration_seconds_count", { route: "/zones/at" })).toBe(2);
      expect(sample(apiText, "cosmo_http_request_duration_seconds_bucket", { route: "/zones/at", le: "+Inf" })).toBe(2);
      expect(sample(apiText, "cosmo_cache_requests_total", { cache: "responses", result: "miss" })).toBe(1);
      expect(sample(apiText, "cosmo_cache_requests_total", { cache: "responses", result: "hit" })).toBe(1);
      expect(sample(apiText, "cosmo_overload_shed_total")).toBe(0);
      const tilesText = await scrape(tiles);
      const tileRoute = { service: "tiles", route: "/tiles/:name/:z/:x/:file", status: "200" };
      expect(sample(tilesText, "cosmo_http_requests_total", tileRoute)).toBe(2);
      expect(sample(tilesText, "cosmo_cache_requests_total", { cache: "tiles-memory", result: "hit" })).toBe(1);
      expect(sample(tilesText, "cosmo_cache_requests_total", { cache: "tiles-memory", result: "miss" })).toBe(1);
      // The scrape itself is counted under its own route.
      expect(sample(await scrape(tiles), "cosmo_http_requests_total", { route: "/metrics" })).toBe(1);

      // Overload: the served zones table locked, one request admitted (it waits), the others shed at once.
      const locker = await db.pool.connect();
      try {
        await locker.query("BEGIN");
        await locker.query(`LOCK TABLE "${schema}".zones IN ACCESS EXCLUSIVE MODE`);
        const uncached = (i: number) => [
          fetch(`${api.url}/zones/at?lon=${6 + i / 1000}&lat=49.6`),
          fetch(`${tiles.url}/tiles/zones/12/${2110 + i}/1400.pbf`),
        ];
        const pending = Array.from({ length: 6 }, (_, i) => uncached(i)).flat();
        // Shed requests are answered without waiting for the lock; meanwhile the scrape gets through.
        expect(await Promise.race(pending.map((p) => p.then((r) => r.status)))).toBe(503);
        for (const service of [api, tiles]) {
          const text = await scrape(service);
          expect(sample(text, "cosmo_overload_shed_total")).toBeGreaterThan(0);
          expect(sample(text, "cosmo_requests_in_flight")).toBe(1);
        }
        await locker.query("COMMIT");
        const statuses = await Promise.all(pending.map((p) => p.then((r) => r.status)));
        const shed = { api: 0, tiles: 0 };
        statuses.forEach((s, i) => {
          if (s === 503) shed[i % 2 === 0 ? "api" : "tiles"]++;
        });
        expect(shed.api).toBeGreaterThan(0);
        expect(shed.tiles).toBeGreaterThan(0);
        const after = { api: await scrape(api), tiles: await scrape(tiles) };
        expect(sample(after.api, "cosmo_overload_shed_total")).toBe(shed.api);
        expect(sample(after.tiles, "cosmo_overload_shed_total")).toBe(shed.tiles);
        expect(sample(after.api, "cosmo_http_requests_total", { route: "/zones/at", status: "503" })).toBe(shed.api);
        expect(sample(after.tiles, "cosmo_http_requests_total", { ...tileRoute, status: "503" })).toBe(shed.tiles);
      } finally {
        await locker.query("ROLLBACK").catch(() => undefined);
        locker.release();
      }
    } finally {
      await api.close();
      await tiles.close();
    }
  }, 120_000);
});
