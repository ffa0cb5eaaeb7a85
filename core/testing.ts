// Test helpers over the per-run real services started by core/testing-setup.ts.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { type Config, loadConfig } from "./config.ts";
import { type Database, poolFor } from "./db.ts";
import { embeddedS3Keys } from "./embedded-s3.ts";
import { PROJECT_ROOT, projectPath } from "./paths.ts";
import { type ArtefactStore, storeFor } from "./storage.ts";

export interface TestDatabase extends Database {
  name: string;
}

function adminUrl(): string {
  const url = process.env.COSMO_TEST_ADMIN_URL;
  if (!url) throw new Error("COSMO_TEST_ADMIN_URL unset: run tests through vitest (core/testing-setup.ts)");
  return url;
}

/** A fresh database (PostGIS, pg_trgm, unaccent) on the test cluster; close() drops it. */
export async function testDatabase(name = "db", opts: { poolMax?: number } = {}): Promise<TestDatabase> {
  const dbName = `t_${name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 30)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    // Two CREATE DATABASE … TEMPLATE at the same moment can collide on the template: retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${dbName}" TEMPLATE cosmo_test_template`);
        break;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = adminUrl().replace(/\/postgres$/, `/${dbName}`);
  const db = poolFor(url, { poolMax: opts.poolMax ?? 10, applicationName: `test-${name}` });
  const close = db.close;
  return {
    ...db,
    name: dbName,
    async close() {
      await close();
      const a = new pg.Client({ connectionString: adminUrl() });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** The test S3 server's key pair (generated under its directory by core/embedded-s3.ts). */
function testS3Keys() {
  return embeddedS3Keys(projectPath(".data/test/s3"));
}

/** An artefact store on the test S3 server with a fresh bucket of its own. */
export function testStore(): ArtefactStore {
  const endpoint = process.env.COSMO_TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error("COSMO_TEST_S3_ENDPOINT unset: run tests through vitest (core/testing-setup.ts)");
  return storeFor({
    endpoint,
    ...testS3Keys(),
    region: "us-east-1",
    bucket: `t-${randomBytes(6).toString("hex")}`,
  });
}

/** Env settings that point code at a test database and/or store. */
function serviceEnv(opts: { db?: Database; store?: ArtefactStore }): NodeJS.ProcessEnv {
  return {
    ...(opts.db ? { DATABASE_URL: opts.db.url } : {}),
    ...(opts.store
      ? {
          S3_ENDPOINT: process.env.COSMO_TEST_S3_ENDPOINT,
          S3_ACCESS_KEY: testS3Keys().accessKey,
          S3_SECRET_KEY: testS3Keys().secretKey,
          S3_BUCKET: opts.store.defaultBucket,
        }
      : {}),
  };
}

/** Config for code under test, pointing at a test database and/or store (env overrides are ignored). */
export function testConfig(
  opts: { db?: Database; store?: ArtefactStore; overrides?: Record<string, string> } = {},
): Config {
  return loadConfig(undefined, {
    COSMO_DATABASE_EMBEDDED_DIR: ".data/test/pg",
    COSMO_STORAGE_EMBEDDED_DIR: ".data/test/s3",
    ...serviceEnv(opts),
    ...opts.overrides,
  });
}

/** Env for a `node bin/cosmo.js …` child process using the given test database/store. */
export function testEnv(opts: { db?: Database; store?: ArtefactStore } = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...serviceEnv(opts) };
}

/** Absolute path of data/osm/<name> (copied there by `make init`). */
export function fixture(name: string): string {
  const path = projectPath(join("data", "osm", name));
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`make init\``);
  return path;
}

/** A node of EXPLAIN (FORMAT JSON)'s plan, with the fields the tests read. */
export interface PlanNode {
  "Node Type": string;
  "CTE Name"?: string;
  "Subplan Name"?: string;
  "Relation Name"?: string;
  "Index Cond"?: string;
  Alias?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Temp Written Blocks"?: number;
  Plans?: PlanNode[];
}

/**
 * Runs `EXPLAIN (options, FORMAT JSON) statement` on `client` and gives every node of its plan, depth first: tests
 * find the nodes they check with `filter`.
 */
export async function planNodes(
  client: pg.PoolClient | pg.Pool,
  options: string,
  statement: string,
  params: unknown[] = [],
): Promise<PlanNode[]> {
  const prefix = options ? `${options}, ` : "";
  const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
    `EXPLAIN (${prefix}FORMAT JSON) ${statement}`,
    params,
  );
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk((rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
  return nodes;
}

/**
 * Calls of the PostgreSQL function `signature` (e.g. 'st_simplify(geometry,float8,boolean)') so far in the open
 * transaction of `client`, which has run `SET LOCAL track_functions = 'all'`: tests count work by differences.
 */
export async function functionCalls(client: pg.PoolClient, signature: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "SELECT coalesce(pg_stat_get_xact_function_calls($1::regprocedure), 0)::int AS n",
    [signature],
  );
  return rows[0].n;
}

/** The project's scratch folder (git-ignored). */
export const TMP_ROOT = join(PROJECT_ROOT, "tmp");
/** A test run's own folder under TMP_ROOT (COSMO_TEST_RUN_ID: the run's pid, set by core/testing-setup.ts). */
export const RUN_TMP_PREFIX = "run-";

/** A fresh temporary directory under the test run's folder in tmp/. A later run removes the whole folder once
 * this run is gone (testing-setup.ts: pruneTestTmp keeps only the newest finished run's, to look at after a
 * failure), so tests need not clean up what they leave for post-mortems (nginx logs, outputs). */
export function tmpDir(prefix = "test"): string {
  const runId = process.env.COSMO_TEST_RUN_ID;
  const base = runId ? join(TMP_ROOT, `${RUN_TMP_PREFIX}${runId}`) : TMP_ROOT;
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

/** Path of the project's CLI entry, for spawning `node <cli> …` in tests. */
export const COSMO_BIN = join(PROJECT_ROOT, "bin", "cosmo.js");

/** What a finished child process said and how it ended. */
export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run node with `args` (e.g. `[COSMO_BIN, "import", file]`) and collect its output. `closedStdout` closes the
 * reading end of its stdout before it starts (a reader gone, as `| head`); `onSpawn` gets its pid (to kill it).
 */
export function runNode(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; closedStdout?: boolean; onSpawn?: (pid: number) => void } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: opts.env, cwd: opts.cwd });
    let stdout = "";
    let stderr = "";
    if (opts.closedStdout) child.stdout.destroy();
    else child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.(child.pid as number);
  });
}
