// Faults of the database under the API, for real: the connection running a batch of waiting requests killed by
// PostgreSQL (pg_terminate_backend) while the batch is in flight, and the served-dataset listener's connection
// when its LISTEN fails or the service closes while it connects.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { poolFor } from "../../core/db.ts";
import { ServedDataset } from "../../core/serving/served-dataset.ts";
import { testConfig } from "../../core/testing.ts";
import { startApiServer } from "../server.ts";
import { eventually, getJson, luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
let schema: string;
let cityId: number;

beforeAll(async () => {
  fx = await luxembourgDatabase("faults");
  const { rows } = await fx.db.pool.query<{ schema_name: string }>(
    "SELECT d.schema_name FROM cosmo.served s JOIN cosmo.datasets d ON d.version = s.version",
  );
  schema = (rows[0] as { schema_name: string }).schema_name;
  const city = await fx.db.pool.query<{ id: number }>("SELECT id FROM public.zones WHERE osm_id = 'relation:407489'");
  cityId = (city.rows[0] as { id: number }).id;
});
afterAll(async () => {
  await fx?.db.close();
});

/** A connection of its own (not from the pool the API uses), to hold locks and kill backends. */
async function sideConnection(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: fx.db.url });
  await c.connect();
  return c;
}

describe("a batch's connection killed while the batch is in flight", () => {
  test("every waiting request answers 503 unavailable (none hangs, no 500), and the API answers after", async () => {
    const poolMax = 2;
    const config = testConfig({ db: fx.db });
    // a small pool of its own: the requests beyond it wait for a connection and join batches
    const db = poolFor(fx.db.url, { poolMax, applicationName: "test-faults-api" });
    const api = await startApiServer({ db, port: 0, host: "127.0.0.1", config, settings: { responseCacheBytes: 0 } });
    const side = await sideConnection();
    try {
      const before = await getJson(`${api.url}/zones/at?lon=6.13&lat=49.61`);
      expect(before.status).toBe(200);
      // Hold every batch in the database: the statements of the batched routes all read the version's zones.
      await side.query("BEGIN");
      await side.query(`LOCK TABLE "${schema}".zones IN ACCESS EXCLUSIVE MODE`);
      const paths = Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0
          ? `/zones/at?lon=${(6.0 + i / 200).toFixed(3)}&lat=49.61`
          : i % 3 === 1
            ? `/zones/${cityId}`
            : `/zones/${cityId}/parents`,
      );
      const pending = paths.map((p) => getJson(`${api.url}${p}`));
      // the batches in flight: every connection of the API's pool waiting for the lock, more batches behind them
      const waitingPids = await eventually(async () => {
        // (not on the locking connection: in its transaction, pg_stat_activity is one snapshot)
        const { rows } = await fx.db.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE application_name = 'test-faults-api' AND wait_event_type = 'Lock'`,
        );
        expect(rows.length).toBe(poolMax);
        return rows.map((r) => r.pid);
      });
      await side.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [waitingPids]);
      await side.query("COMMIT");
      const answers = await Promise.all(pending);
      const failed = answers.filter((a) => a.status !== 200);
      expect(failed.length, "the killed batches' requests").toBeGreaterThan(0);
      for (const a of failed) {
        expect(a.status, JSON.stringify(a.body)).toBe(503);
        expect(a.body.error).toBe("unavailable");
        expect(a.headers.get("retry-after")).toBe("5");
      }
      // the service goes on answering, with the same answers as before the kill
      for (let k = 0; k < 2 * poolMax; k++) {
        const after = await getJson(`${api.url}/zones/at?lon=6.13&lat=49.61`);
        expect(after.status).toBe(200);
        expect(after.body).toEqual(before.body);
      }
      const zone = await getJson(`${api.url}/zones/${cityId}/parents`);
      expect(zone.status).toBe(200);
    } finally {
      await side.query("ROLLBACK").catch(() => undefined);
      await side.end();
      await api.close();
      await db.close();
    }
  });
});

describe("the served-dataset listener's connection", () => {
  /** The listener connections of this test's database (ServedDataset names them). */
  async function listeners(): Promise<number> {
    const { rows } = await fx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'cosmo-served-listener'`,
    );
    return (rows[0] as { n: number }).n;
  }

  test("closed while its LISTEN is in flight: no connection left behind", async () => {
    const before = await listeners();
    // closed at once, while start() is still connecting its listener
    const served = new ServedDataset(fx.db);
    const starting = served.start();
    await served.close();
    await starting;
    // a backend leaves pg_stat_activity a moment after its client said goodbye
    await eventually(async () => expect(await listeners()).toBe(before));
  });
});
