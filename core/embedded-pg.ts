// The project's own PostgreSQL+PostGIS cluster (Debian binaries) for when no DATABASE_URL is given:
// initialised once under a directory, started on a free loopback port, reused by every later process.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { CosmoError, EXIT } from "./errors.ts";
import { withLock } from "./lock.ts";
import { childLogger } from "./log.ts";

const log = childLogger("embedded-pg");
export const EMBEDDED_USER = "cosmo";
export const EMBEDDED_DATABASE = "cosmo";
/** Extensions every cosmo database gets. */
export const EXTENSIONS = ["postgis", "pg_trgm", "unaccent"];

export interface EmbeddedPostgres {
  dir: string;
  port: number;
  /** URL of the `cosmo` database. */
  url: string;
  /** URL of the maintenance database (`postgres`), for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** True when this call started the server (false when it was already running). */
  started: boolean;
}

export interface EmbeddedOptions {
  /** Test clusters trade durability for speed (fsync off): never for data you keep. */
  fast?: boolean;
}

function findBinDir(): string {
  for (const version of ["15", "16", "17"]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, "pg_ctl")) && existsSync(`/usr/share/postgresql/${version}/extension/postgis.control`)) {
      return dir;
    }
  }
  throw new CosmoError(
    "PostgreSQL with PostGIS not found (expected Debian postgresql-15-postgis-3): run `make init` or set DATABASE_URL",
    { exitCode: EXIT.unavailable },
  );
}

const runAsPostgres = process.getuid?.() === 0;

/** Run a PostgreSQL binary, as the `postgres` user when we are root (the server refuses to run as root). */
function pgExec(bin: string, args: string[], opts: { allowFail?: boolean } = {}): { status: number; output: string } {
  const cmd = runAsPostgres ? "runuser" : bin;
  const argv = runAsPostgres ? ["-u", "postgres", "--", bin, ...args] : args;
  const res = spawnSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const output = `${res.stdout ?? ""}${res.stderr ?? ""}`.trim();
  if (res.status !== 0 && !opts.allowFail) {
    throw new CosmoError(`${bin} ${args.join(" ")} failed: ${output || res.error?.message}`, {
      exitCode: EXIT.unavailable,
    });
  }
  return { status: res.status ?? 1, output };
}

function ownDir(path: string): void {
  mkdirSync(path, { recursive: true });
  if (runAsPostgres) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(path, uid, gid);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Port of a running server from its postmaster.pid, or null when not running. */
function runningPort(dataDir: string, binDir: string): number | null {
  const status = pgExec(join(binDir, "pg_ctl"), ["status", "-D", dataDir], { allowFail: true });
  if (status.status !== 0) return null;
  const lines = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n");
  return Number(lines[3]);
}

function serverSettings(fast: boolean): string[] {
  const settings = [
    "listen_addresses=127.0.0.1",
    "max_connections=300",
    "shared_buffers=512MB",
    "work_mem=64MB",
    "maintenance_work_mem=1GB",
    "max_wal_size=8GB",
    "checkpoint_timeout=30min",
    "default_toast_compression=lz4",
    "jit=off",
  ];
  if (fast) settings.push("fsync=off", "synchronous_commit=off", "full_page_writes=off");
  return settings;
}

async function ensureDatabase(adminUrl: string, url: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const ext of EXTENSIONS) await client.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  } finally {
    await client.end();
  }
}

/** Start (or reuse) the cluster under `dir`; creates the `cosmo` database with PostGIS on first start. */
export async function ensureEmbeddedPostgres(dir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const binDir = findBinDir();
  const dataDir = join(dir, "data");
  const runDir = join(dir, "run");
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, ".lock"), async () => {
    let started = false;
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      ownDir(dataDir);
      log.info({ dataDir }, "initialising embedded PostgreSQL cluster");
      pgExec(join(binDir, "initdb"), [
        "-D",
        dataDir,
        "-U",
        EMBEDDED_USER,
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
      ]);
    }
    let port = runningPort(dataDir, binDir);
    if (port === null) {
      ownDir(runDir);
      port = await freePort();
      const options = [`-p ${port}`, `-k ${runDir}`, ...serverSettings(opts.fast ?? false).map((s) => `-c ${s}`)].join(
        " ",
      );
      log.info({ dataDir, port }, "starting embedded PostgreSQL");
      pgExec(join(binDir, "pg_ctl"), [
        "start",
        "-D",
        dataDir,
        "-w",
        "-t",
        "60",
        "-l",
        join(dataDir, "server.log"),
        "-o",
        options,
      ]);
      writeFileSync(join(dir, "port"), String(port));
      started = true;
    }
    const base = `postgres://${EMBEDDED_USER}@127.0.0.1:${port}`;
    const url = `${base}/${EMBEDDED_DATABASE}`;
    const adminUrl = `${base}/postgres`;
    await ensureDatabase(adminUrl, url, EMBEDDED_DATABASE);
    return { dir, port, url, adminUrl, started };
  });
}

export function stopEmbeddedPostgres(dir: string): boolean {
  const dataDir = join(dir, "data");
  if (!existsSync(join(dataDir, "PG_VERSION"))) return false;
  const binDir = findBinDir();
  if (runningPort(dataDir, binDir) === null) return false;
  pgExec(join(binDir, "pg_ctl"), ["stop", "-D", dataDir, "-m", "fast", "-w"]);
  return true;
}

export function embeddedStatus(dir: string): { running: boolean; port: number | null } {
  const dataDir = join(dir, "data");
  if (!existsSync(join(dataDir, "PG_VERSION"))) return { running: false, port: null };
  const port = runningPort(dataDir, findBinDir());
  return { running: port !== null, port };
}
