// Scale-out reads: the API and tile services on a real streaming replica of an embedded cluster (pg_basebackup -R
// and a hot standby on its own port), configured by database.readUrl while the pipeline writes to database.url.
// NOTIFY does not reach a standby, so the services must follow a publish on the primary by polling the replica.
// The clusters are this test's own under tmp/ (never the shared test cluster other test files use).
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { startApiServer } from "../../api/server.ts";
import { getJson, eventually as within } from "../../api/test/support.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { startTilesServer } from "../../tiles/server.ts";
import { sampleZones } from "../cosmogony/test/sample-zones.ts";
import { openDatabase, poolFor } from "../db.ts";
import { ensureEmbeddedPostgres, ensureEmbeddedReplica, stopEmbeddedPostgres } from "../embedded-pg.ts";
import { testConfig, tmpDir } from "../testing.ts";

/** Replay and the services' poll are asynchronous: given up to a minute on a busy machine. */
const eventually = <T>(check: () => Promise<T>) => within(check, 60_000);

const dir = tmpDir("replica");
chmodSync(dir, 0o755); // the servers run as another user (postgres), who must reach their data directories
afterAll(() => {
  stopEmbeddedPostgres(join(dir, "replica"));
  stopEmbeddedPostgres(join(dir, "primary"));
  rmSync(dir, { recursive: true, force: true });
});

describe("services on a streaming replica (database.readUrl)", () => {
  test("both services read the replica, never LISTEN there, and switch to a version published on the primary", async () => {
    const primary = await ensureEmbeddedPostgres(join(dir, "primary"), { fast: true });
    const writer = poolFor(primary.url);
    const first = await importZonesFile(writer, await writeZones(dir, "v1.jsonl.gz", sampleZones()), {
      publish: true,
      progress: false,
    });
    const replica = await ensureEmbeddedReplica(primary, join(dir, "replica"));
    const config = testConfig({ overrides: { DATABASE_URL: primary.url, DATABASE_READ_URL: replica.url } });
    expect(config.database).toMatchObject({ url: primary.url, readUrl: replica.url });
    // What `cosmo api serve` / `cosmo tiles serve` open: the replica, marked as one.
    const reader = await openDatabase(config, { serving: true, applicationName: "cosmo-serving" });
    const api = await startApiServer({ db: reader, port: 0, host: "127.0.0.1", config });
    const tiles = await startTilesServer({ db: reader, port: 0, host: "127.0.0.1", config });
    try {
      expect(reader).toMatchObject({ url: replica.url, replica: true });
      const inRecovery = await reader.pool.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
      expect(inRecovery.rows[0]?.r).toBe(true);
      for (const url of [api.url, tiles.url])
        await eventually(async () => expect((await getJson(`${url}/readyz`)).body.dataset).toBe(first.version));
      const found = async (q: string) =>
        (await getJson(`${api.url}/zones?q=${encodeURIComponent(q)}`)).body.zones.map((z: { name: string }) => z.name);
      expect(await found("replayed")).toEqual([]);

      // Published on the primary only; the replica replays it and both services find it by themselves.
      const renamed = sampleZones().map((z) => (z.id === 10 ? { ...z, name: "Luxembourg (replayed)" } : z));
      const second = await importZonesFile(writer, await writeZones(dir, "v2.jsonl.gz", renamed), {
        publish: true,
        progress: false,
      });
      for (const url of [api.url, tiles.url])
        await eventually(async () => expect((await getJson(`${url}/readyz`)).body.dataset).toBe(second.version));
      expect(await found("replayed")).toEqual(["Luxembourg (replayed)"]);

      // Every service connection is on the replica, and none of them listens (LISTEN is refused in recovery).
      const sessions = await reader.pool.query<{ application_name: string; query: string }>(
        "SELECT application_name, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      expect(sessions.rows.map((s) => s.application_name)).not.toContain("cosmo-served-listener");
      const onPrimary = await writer.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name IN ('cosmo-serving', 'cosmo-served-listener')",
      );
      expect(onPrimary.rows[0]?.n).toBe(0);
    } finally {
      await api.close();
      await tiles.close();
      await reader.close();
      await writer.close();
    }
  }, 240_000);

  test("database.readUrl is only for serving: the pipeline's pool stays on database.url", async () => {
    const config = testConfig({
      overrides: {
        DATABASE_URL: "postgresql://u:p@primary.invalid/cosmo",
        DATABASE_READ_URL: "postgresql://u:p@replica.invalid/cosmo",
      },
    });
    // Both unreachable: the refusal names the host each kind of process tried.
    await expect(openDatabase(config)).rejects.toThrow(/primary\.invalid/);
    await expect(openDatabase(config, { serving: true })).rejects.toThrow(/replica\.invalid/);
    expect(() => testConfig({ overrides: { DATABASE_READ_URL: "mysql://x/y" } })).toThrow(
      /database\.readUrl.*expected a postgresql:\/\/ URL/,
    );
  });
});
