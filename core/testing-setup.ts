// vitest globalSetup: one PostgreSQL+PostGIS cluster and one S3-protocol server for the test runs, both real,
// under .data/test/ (never the developer's .data/pg). Suites make their own databases/buckets on them.
// Several runs may share the servers at once (developers working side by side): each run registers itself,
// names its databases after its pid, cleans up only databases of runs that are gone, and the last run out
// stops the servers.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { build, freshBuild } from "../bin/build.mjs";
import { EXTENSIONS, ensureEmbeddedPostgres, stopEmbeddedPostgres } from "./embedded-pg.ts";
import { ensureEmbeddedS3, stopEmbeddedS3 } from "./embedded-s3.ts";
import { processAlive as alive, withLock } from "./lock.ts";
import { projectPath } from "./paths.ts";
import { RUN_TMP_PREFIX, TMP_ROOT } from "./testing.ts";

export const TEST_PG_DIR = ".data/test/pg";
export const TEST_S3_DIR = ".data/test/s3";
export const TEMPLATE_DATABASE = "cosmo_test_template";
const RUNS_DIR = ".data/test/runs";

function liveRuns(): number[] {
  const dir = projectPath(RUNS_DIR);
  const pids: number[] = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    if (pid && alive(pid)) pids.push(pid);
    else rmSync(join(dir, name), { force: true });
  }
  return pids;
}

/** Folders in tmp/ older than this, from before per-run folders (or made outside a test run), are removed. */
const LOOSE_TMP_MAX_AGE_MS = 24 * 3600 * 1000;

export interface TmpEntry {
  name: string;
  mtimeMs: number;
}

/** Which entries of tmp/ a starting test run removes: the folders of finished runs (tmp/run-<pid>, pid gone) but
 * the newest of them (what the last run left, to look at after a failure), never a live run's, and loose folders
 * older than LOOSE_TMP_MAX_AGE_MS. */
export function staleTmpEntries(entries: TmpEntry[], alive: (pid: number) => boolean, now: number): string[] {
  const finished: TmpEntry[] = [];
  const stale: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith(RUN_TMP_PREFIX)) {
      const pid = Number(e.name.slice(RUN_TMP_PREFIX.length));
      if (!(pid > 0 && alive(pid))) finished.push(e);
    } else if (now - e.mtimeMs > LOOSE_TMP_MAX_AGE_MS) stale.push(e.name);
  }
  finished.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return [...finished.slice(1).map((e) => e.name), ...stale];
}

/** Removes what staleTmpEntries picks in `root` (tmp/): test runs would otherwise pile up gigabytes there. */
export function pruneTestTmp(root = TMP_ROOT, now = Date.now()): string[] {
  if (!existsSync(root)) return [];
  const entries = readdirSync(root).map((name) => ({ name, mtimeMs: statSync(join(root, name)).mtimeMs }));
  const stale = staleTmpEntries(entries, alive, now);
  for (const name of stale) rmSync(join(root, name), { recursive: true, force: true });
  return stale;
}

async function prepareDatabases(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Leftovers of interrupted earlier runs (never those of a run still going).
    const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'");
    for (const { datname } of stale.rows) {
      const pid = Number(datname.split("_")[1]);
      if (!pid || !alive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    const template = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE_DATABASE]);
    if (template.rowCount) return;
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: adminUrl.replace(/\/postgres$/, `/${TEMPLATE_DATABASE}`) });
  await client.connect();
  try {
    for (const ext of EXTENSIONS) await client.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  // Tests must never write into a database or bucket someone configured for real use.
  delete process.env.DATABASE_URL;
  delete process.env.S3_ENDPOINT;
  delete process.env.COSMO_CONFIG;
  // Workers started by the tests themselves run the TypeScript under test, never a compiled build.
  delete process.env.COSMO_BUILD_DIR;
  process.env.COSMO_DATABASE_EMBEDDED_DIR = TEST_PG_DIR;
  process.env.COSMO_STORAGE_EMBEDDED_DIR = TEST_S3_DIR;
  process.env.COSMO_LOG_LEVEL ??= "warn";
  process.env.COSMO_TEST_RUN_ID = String(process.pid);
  // Tests spawn the CLI as users run it, compiled (bin/cosmo.js): built here once, not by the first test that
  // spawns it (nor by several at once, each saying it rebuilt).
  if (!freshBuild().dir) await build();

  const pgDir = projectPath(TEST_PG_DIR);
  const s3Dir = projectPath(TEST_S3_DIR);
  mkdirSync(projectPath(RUNS_DIR), { recursive: true });
  const { cluster, s3 } = await withLock(projectPath(".data/test/.setup-lock"), async () => {
    writeFileSync(join(projectPath(RUNS_DIR), String(process.pid)), "");
    pruneTestTmp();
    const cluster = await ensureEmbeddedPostgres(pgDir, { fast: true });
    const s3 = await ensureEmbeddedS3(s3Dir);
    await prepareDatabases(cluster.adminUrl);
    return { cluster, s3 };
  });
  process.env.COSMO_TEST_ADMIN_URL = cluster.adminUrl;
  process.env.COSMO_TEST_S3_ENDPOINT = s3.endpoint;

  return async () => {
    await withLock(projectPath(".data/test/.setup-lock"), async () => {
      rmSync(join(projectPath(RUNS_DIR), String(process.pid)), { force: true });
      if (liveRuns().length > 0) return; // another run still uses the servers
      stopEmbeddedPostgres(pgDir);
      await stopEmbeddedS3(s3Dir);
    });
  };
}
