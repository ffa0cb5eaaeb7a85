// The embedded PostgreSQL and S3 servers of a checkout: a stable port each (services started earlier recover
// when the servers restart), password / signature required (no open door for other local users), and the
// clusters and servers made by older cosmo upgraded. Every test here uses servers of its own under tmp/ (never
// the shared test servers that other test files use at the same time).
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { startApiServer } from "../../api/server.ts";
import { getJson, eventually as within } from "../../api/test/support.ts";
import { importZonesFile } from "../../importer/import.ts";
import { writeZones } from "../../importer/test/helpers.ts";
import { startTilesServer } from "../../tiles/server.ts";
import { sampleZones } from "../cosmogony/test/sample-zones.ts";
import { type Database, poolFor } from "../db.ts";
import { ensureEmbeddedPostgres, stopEmbeddedPostgres } from "../embedded-pg.ts";
import { embeddedS3Keys, ensureEmbeddedS3, stopEmbeddedS3 } from "../embedded-s3.ts";
import { storeFor } from "../storage.ts";
import { testConfig, tmpDir } from "../testing.ts";

/** Services and restarted servers are given up to a minute (a cold cluster start on a busy machine). */
const eventually = <T>(check: () => Promise<T>) => within(check, 60_000);

const dirs: string[] = [];
/** A directory for servers of this test only; they are stopped and removed after the file. */
function ownServersDir(name: string): string {
  const dir = tmpDir(name);
  chmodSync(dir, 0o755); // the server may run as another user (postgres), who must reach its data directory
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) {
    stopEmbeddedPostgres(join(dir, "pg"));
    await stopEmbeddedS3(join(dir, "s3"));
    rmSync(dir, { recursive: true, force: true });
  }
});

function listen(port: number): Promise<Server> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(port, "127.0.0.1", () => ok(srv));
  });
}

describe("services over the embedded servers", () => {
  test("API and tiles recover by themselves when the database and S3 server restart", async () => {
    const dir = ownServersDir("restart");
    const pgDir = join(dir, "pg");
    const s3Dir = join(dir, "s3");
    const cluster = await ensureEmbeddedPostgres(pgDir, { fast: true });
    const s3 = await ensureEmbeddedS3(s3Dir);
    const db: Database = poolFor(cluster.url);
    const zones = await writeZones(dir, "zones.jsonl.gz", sampleZones());
    const first = await importZonesFile(db, zones, { publish: true, progress: false });
    const store = storeFor({ endpoint: s3.endpoint, ...s3.keys, region: "us-east-1", bucket: "restart" });
    const config = testConfig({ db });
    const api = await startApiServer({ db, port: 0, host: "127.0.0.1", config });
    const tiles = await startTilesServer({ db, store, port: 0, host: "127.0.0.1", config });
    try {
      expect((await getJson(`${api.url}/readyz`)).status).toBe(200);
      expect((await getJson(`${tiles.url}/readyz`)).status).toBe(200);

      stopEmbeddedPostgres(pgDir);
      expect(await stopEmbeddedS3(s3Dir)).toBe(true);
      await eventually(async () => expect((await getJson(`${api.url}/readyz`)).status).toBe(503));
      await eventually(async () => expect((await getJson(`${tiles.url}/readyz`)).status).toBe(503));

      // Started again by a later command (as `cosmo db start` / any stage would): same addresses.
      const again = await ensureEmbeddedPostgres(pgDir, { fast: true });
      const s3Again = await ensureEmbeddedS3(s3Dir);
      expect(again.started).toBe(true);
      expect(again.port).toBe(cluster.port);
      expect(s3Again.port).toBe(s3.port);

      // The same service processes, never restarted: ready again, the LISTEN connections are back.
      for (const url of [api.url, tiles.url]) {
        await eventually(async () => {
          const r = await getJson(`${url}/readyz`);
          expect(r.status).toBe(200);
          expect(r.body.dataset).toBe(first.version);
        });
      }
      await eventually(async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'cosmo-served-listener' AND query = 'LISTEN cosmo_dataset'",
        );
        expect(rows[0]?.n).toBe(2);
      });
      // A publish after the restart reaches the services (through the re-established listener or the poll).
      const second = await importZonesFile(
        db,
        await writeZones(
          dir,
          "zones2.jsonl.gz",
          sampleZones().map((z) => (z.id === 10 ? { ...z, name: "Luxembourg again" } : z)),
        ),
        { publish: true, progress: false },
      );
      // Both services, each on its own listener or poll: the tile below must be rendered for the second version
      // (asked while the tiles still served the first, it was cached under v1 and the wait for v2 timed out).
      for (const url of [api.url, tiles.url]) {
        await eventually(async () => expect((await getJson(`${url}/readyz`)).body.dataset).toBe(second.version));
      }
      // The tiles' persistent cache writes to the restarted S3 server again.
      expect((await fetch(`${tiles.url}/tiles/zones/1/1/0.pbf`)).status).toBe(200);
      await eventually(async () => {
        const listed = await store.list(store.url("tile-cache/"));
        expect(listed.map((o) => o.url)).toContain(store.url(`tile-cache/v${second.version}/zones/1/1/0.mvt.gz`));
      });
    } finally {
      await api.close();
      await tiles.close();
      await db.close();
    }
  });

  test("a kept port taken by another process: refused, naming the process", async () => {
    const dir = ownServersDir("taken");
    const pgDir = join(dir, "pg");
    const s3Dir = join(dir, "s3");
    const cluster = await ensureEmbeddedPostgres(pgDir, { fast: true });
    const s3 = await ensureEmbeddedS3(s3Dir);
    stopEmbeddedPostgres(pgDir);
    await stopEmbeddedS3(s3Dir);
    const squatters = [await listen(cluster.port), await listen(s3.port)];
    try {
      const pgFailure = ensureEmbeddedPostgres(pgDir, { fast: true });
      await expect(pgFailure).rejects.toThrow(
        new RegExp(`embedded PostgreSQL: its port 127.0.0.1:${cluster.port} .* is taken by pid ${process.pid} \\(`),
      );
      await expect(pgFailure).rejects.toMatchObject({ exitCode: 5 });
      await expect(ensureEmbeddedS3(s3Dir)).rejects.toThrow(
        new RegExp(`embedded S3 server: its port 127.0.0.1:${s3.port} .* is taken by pid ${process.pid} \\(`),
      );
    } finally {
      for (const s of squatters) await new Promise((r) => s.close(r));
    }
    expect((await ensureEmbeddedPostgres(pgDir, { fast: true })).port).toBe(cluster.port);
  });
});

describe("local access", () => {
  test("the database requires the generated password (kept 0600); a cluster of older cosmo (trust) is closed", async () => {
    const dir = ownServersDir("auth");
    const pgDir = join(dir, "pg");
    const cluster = await ensureEmbeddedPostgres(pgDir, { fast: true });
    const passwordFile = join(pgDir, "password");
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const noPassword = { host: "127.0.0.1", port: cluster.port, user: "cosmo", database: "cosmo" };
    const refused = async () => {
      const c = new pg.Client({ ...noPassword, password: "" });
      await expect(c.connect()).rejects.toThrow(/password/);
      await c.end().catch(() => undefined);
    };
    await refused();
    const ok = new pg.Client({ connectionString: cluster.url });
    await ok.connect();
    await ok.end();

    // What older cosmo left behind: a trust pg_hba.conf and no password file.
    stopEmbeddedPostgres(pgDir);
    const hba = join(pgDir, "data", "pg_hba.conf");
    writeFileSync(hba, "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
    rmSync(passwordFile);
    const upgraded = await ensureEmbeddedPostgres(pgDir, { fast: true });
    expect(existsSync(passwordFile)).toBe(true);
    expect(readFileSync(hba, "utf8")).not.toMatch(/trust/);
    await eventually(refused);
    const c = new pg.Client({ connectionString: upgraded.url });
    await c.connect();
    await c.end();
  });

  test("the S3 server answers signed requests by its generated key pair only; an older unsigned one is replaced", async () => {
    const dir = ownServersDir("s3auth");
    const s3Dir = join(dir, "s3");
    const s3 = await ensureEmbeddedS3(s3Dir);
    expect(statSync(join(s3Dir, "credentials.json")).mode & 0o777).toBe(0o600);
    const store = storeFor({ endpoint: s3.endpoint, ...s3.keys, region: "us-east-1", bucket: "signed" });
    await store.put(store.url("a.txt"), "secret");
    expect((await fetch(`${s3.endpoint}/signed/a.txt`)).status).toBe(403);
    expect((await fetch(`${s3.endpoint}/`)).status).toBe(403);
    const put = await fetch(`${s3.endpoint}/signed/b.txt`, { method: "PUT", body: "x" });
    expect(put.status).toBe(403);
    for (const keys of [
      { accessKey: "S3RVER", secretKey: "S3RVER" },
      { accessKey: s3.keys.accessKey, secretKey: "wrong" },
    ]) {
      const wrong = storeFor({ endpoint: s3.endpoint, ...keys, region: "us-east-1", bucket: "signed" });
      await expect(wrong.getBuffer(store.url("a.txt"))).rejects.toThrow(/AccessDenied|Access Denied|signature|key/i);
    }
    expect((await store.getBuffer(store.url("a.txt"))).toString()).toBe("secret");

    // A server started by older cosmo: no signature check (server.json without "signed").
    await stopEmbeddedS3(s3Dir);
    const daemon = fileURLToPath(new URL("../s3-daemon.ts", import.meta.url));
    const old = spawn(process.execPath, ["--import", "tsx", daemon, s3Dir, String(s3.port)], { stdio: "ignore" });
    await eventually(async () => expect(existsSync(join(s3Dir, "server.json"))).toBe(true));
    const info = JSON.parse(readFileSync(join(s3Dir, "server.json"), "utf8"));
    writeFileSync(join(s3Dir, "server.json"), JSON.stringify({ pid: info.pid, port: info.port }));
    const replaced = await ensureEmbeddedS3(s3Dir);
    expect(replaced.started).toBe(true);
    expect(replaced.pid).not.toBe(old.pid);
    await eventually(async () => expect(old.exitCode ?? old.signalCode).not.toBeNull());
    expect((await fetch(`${s3.endpoint}/signed/a.txt`)).status).toBe(403);
    expect(embeddedS3Keys(s3Dir)).toEqual(s3.keys);
  });
});
