// The project's own PostgreSQL+PostGIS cluster (Debian binaries) for when no DATABASE_URL is given:
// initialised once under a directory, started on a loopback port chosen once per directory (so services started
// earlier find it again after a restart), reused by every later process. Every login needs the cluster's
// generated password (scram-sha-256), kept in <dir>/password with mode 0600: other local users get nothing.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { CosmoError, EXIT } from "./errors.ts";
import { withLock } from "./lock.ts";
import { childLogger } from "./log.ts";
import { stablePort } from "./ports.ts";

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
function pgExec(
  bin: string,
  args: string[],
  opts: { allowFail?: boolean; env?: NodeJS.ProcessEnv } = {},
): { status: number; output: string } {
  const cmd = runAsPostgres ? "runuser" : bin;
  const argv = runAsPostgres ? ["-u", "postgres", "--", bin, ...args] : args;
  const res = spawnSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: opts.env });
  const output = `${res.stdout ?? ""}${res.stderr ?? ""}`.trim();
  if (res.status !== 0 && !opts.allowFail) {
    throw new CosmoError(`${bin} ${args.join(" ")} failed: ${output || res.error?.message}`, {
      exitCode: EXIT.unavailable,
    });
  }
  return { status: res.status ?? 1, output };
}

function ownDir(path: string, mode?: number): void {
  mkdirSync(path, { recursive: true });
  if (mode !== undefined) chmodSync(path, mode);
  ownFile(path);
}

/** Hand a file or directory to the user the server runs as (when we are root). */
function ownFile(path: string): void {
  if (runAsPostgres) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(path, uid, gid);
  }
}

/** Password logins only, over the socket and loopback alike. */
const PG_HBA = `# Written by cosmo (core/embedded-pg.ts): every login needs the password kept in the cluster's
# directory (file "password", mode 0600).
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
`;

function passwordFile(dir: string): string {
  return join(dir, "password");
}

/** The cluster's password, created on first use; the file is kept readable by its owner only. */
function clusterPassword(dir: string, create: boolean): string | null {
  const file = passwordFile(dir);
  if (!existsSync(file)) {
    if (!create) return null;
    writeFileSync(file, `${randomBytes(24).toString("hex")}\n`, { mode: 0o600 });
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}

/** Does pg_hba.conf still let someone in without a password (clusters made by older cosmo: trust)? */
function hbaOpen(dataDir: string): boolean {
  const lines = readFileSync(join(dataDir, "pg_hba.conf"), "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean);
  return lines.some((l) => !/\sscram-sha-256$/.test(l));
}

/**
 * A cluster created by older cosmo trusted every loopback login: give its role the generated password, then
 * require it everywhere (pg_hba.conf rewritten and reloaded). Runs while the server is up and still trusting.
 */
async function closeTrustCluster(dir: string, dataDir: string, binDir: string, port: number): Promise<void> {
  const password = clusterPassword(dir, true) as string;
  log.warn({ dataDir }, "embedded PostgreSQL trusted every local login: setting its password and requiring it");
  const client = new pg.Client({ host: "127.0.0.1", port, user: EMBEDDED_USER, database: "postgres" });
  await client.connect();
  try {
    await client.query("SET password_encryption = 'scram-sha-256'");
    await client.query(`ALTER ROLE ${EMBEDDED_USER} PASSWORD ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  writeFileSync(join(dataDir, "pg_hba.conf"), PG_HBA);
  pgExec(join(binDir, "pg_ctl"), ["reload", "-D", dataDir]);
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

/** `pg_ctl start` of the server of `dataDir` on `port` (socket in `runDir`), waiting up to a minute for it. */
function startServer(binDir: string, dataDir: string, runDir: string, port: number, fast: boolean): void {
  const options = [`-p ${port}`, `-k ${runDir}`, ...serverSettings(fast).map((s) => `-c ${s}`)].join(" ");
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
      // initdb may run as another user (postgres) who cannot read our password file: hand it a copy in the
      // socket directory (that user's, mode 0700), removed right after.
      ownDir(runDir, 0o700);
      const pwCopy = join(runDir, "initdb-password");
      writeFileSync(pwCopy, `${clusterPassword(dir, true)}\n`, { mode: 0o600 });
      ownFile(pwCopy);
      try {
        pgExec(join(binDir, "initdb"), [
          "-D",
          dataDir,
          "-U",
          EMBEDDED_USER,
          "--auth=scram-sha-256",
          `--pwfile=${pwCopy}`,
          "-E",
          "UTF8",
          "--locale=C.UTF-8",
        ]);
      } finally {
        rmSync(pwCopy, { force: true });
      }
      writeFileSync(join(dataDir, "pg_hba.conf"), PG_HBA);
    }
    let port = runningPort(dataDir, binDir);
    if (port === null) {
      ownDir(runDir, 0o700);
      port = await stablePort(dir, "embedded PostgreSQL");
      log.info({ dataDir, port }, "starting embedded PostgreSQL");
      startServer(binDir, dataDir, runDir, port, opts.fast ?? false);
      started = true;
    }
    if (hbaOpen(dataDir)) await closeTrustCluster(dir, dataDir, binDir, port);
    const password = clusterPassword(dir, false);
    if (password === null) {
      throw new CosmoError(
        `embedded PostgreSQL under ${dir}: its password file ${passwordFile(dir)} is missing; restore it, or stop ` +
          `the cluster and delete ${dir} to start a new one`,
        { exitCode: EXIT.unavailable },
      );
    }
    const base = `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
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

/** Lets the cluster's role log in for replication (pg_basebackup, a standby), with its password like any login. */
function allowReplication(dataDir: string, binDir: string): void {
  const hba = join(dataDir, "pg_hba.conf");
  const line = `host replication ${EMBEDDED_USER} 127.0.0.1/32 scram-sha-256`;
  if (readFileSync(hba, "utf8").includes(line)) return;
  writeFileSync(hba, `${readFileSync(hba, "utf8").trimEnd()}\n${line}\n`);
  pgExec(join(binDir, "pg_ctl"), ["reload", "-D", dataDir]);
}

/**
 * A hot-standby streaming replica of a running embedded cluster, under `dir` on a port of its own: copied with
 * `pg_basebackup -R` (which also writes how to follow the primary), then started; it answers read-only queries
 * with what it has replayed. For tests and for trying database.readUrl locally; stopEmbeddedPostgres(dir) stops it.
 */
export async function ensureEmbeddedReplica(primary: EmbeddedPostgres, dir: string): Promise<EmbeddedPostgres> {
  const binDir = findBinDir();
  const dataDir = join(dir, "data");
  const runDir = join(dir, "run");
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, ".lock"), async () => {
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      allowReplication(join(primary.dir, "data"), binDir);
      ownDir(dataDir, 0o700);
      const password = clusterPassword(primary.dir, false);
      log.info({ dataDir, primary: primary.port }, "copying the embedded cluster for a streaming replica");
      pgExec(
        join(binDir, "pg_basebackup"),
        // A fast checkpoint: the default spreads it over checkpoint_timeout (minutes of waiting for nothing).
        [
          "-h",
          "127.0.0.1",
          "-p",
          String(primary.port),
          "-U",
          EMBEDDED_USER,
          "-D",
          dataDir,
          "-R",
          "-X",
          "stream",
          "--checkpoint=fast",
        ],
        { env: { ...process.env, PGPASSWORD: password ?? "" } },
      );
    }
    let port = runningPort(dataDir, binDir);
    let started = false;
    if (port === null) {
      ownDir(runDir, 0o700);
      port = await stablePort(dir, "embedded PostgreSQL replica");
      // The standby needs at least the primary's max_connections: the same settings as the primary's.
      log.info({ dataDir, port }, "starting embedded PostgreSQL replica");
      startServer(binDir, dataDir, runDir, port, true);
      started = true;
    }
    const url = new URL(primary.url);
    url.port = String(port);
    const adminUrl = new URL(primary.adminUrl);
    adminUrl.port = String(port);
    return { dir, port, url: url.toString(), adminUrl: adminUrl.toString(), started };
  });
}
