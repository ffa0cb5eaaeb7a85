// Database access: DATABASE_URL when set, else the embedded cluster (started or reused). Serving processes read
// from DATABASE_READ_URL (a streaming replica) when it is set.
import { availableParallelism } from "node:os";
import pg from "pg";
import { type Config, getConfig } from "./config.ts";
import { EXTENSIONS, ensureEmbeddedPostgres } from "./embedded-pg.ts";
import { CosmoError, EXIT } from "./errors.ts";
import { childLogger } from "./log.ts";
import { projectPath } from "./paths.ts";
import { isUnreachable, unreachableReason } from "./ports.ts";

const log = childLogger("db");

// Zone ids and counts are bigint in SQL but always below 2^53: read them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface Database {
  url: string;
  pool: pg.Pool;
  /** A read-only streaming replica (database.readUrl): no NOTIFY reaches it, nothing may be written to it. */
  replica?: boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  poolMax?: number;
  /**
   * A serving process (API, tiles): it reads from database.readUrl when set (a replica), and its pool is sized by
   * servicePoolMax() unless poolMax is given.
   */
  serving?: boolean;
  /** Per-statement timeout for services; batch stages leave it unset. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

/** The URL to use: config/env DATABASE_URL, else the embedded cluster's. */
export async function databaseUrl(config: Config = getConfig()): Promise<string> {
  if (config.database.url) return config.database.url;
  const embedded = await ensureEmbeddedPostgres(projectPath(config.database.embeddedDir));
  return embedded.url;
}

export function poolFor(url: string, opts: OpenOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax ?? 10,
    application_name: opts.applicationName ?? "cosmo",
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", (err) => log.warn({ err: err.message }, "idle database connection failed"));
  let closed = false;
  return {
    url,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** "database at host:port unreachable (ECONNREFUSED)" for connection failures (exit 5), the error itself otherwise. */
export function unavailableDatabase(err: unknown, url: string): unknown {
  if (!isUnreachable(err)) return err;
  let address = "(unparsable URL)";
  try {
    const u = new URL(url);
    address = `${u.hostname || "localhost"}:${u.port || 5432}${u.pathname}`; // never the password
  } catch {
    /* keep the placeholder */
  }
  return new CosmoError(`database (PostgreSQL) at ${address} unreachable (${unreachableReason(err)}): is it running?`, {
    exitCode: EXIT.unavailable,
    cause: err,
  });
}

/**
 * Connections a serving process opens. Its queries are CPU-bound in PostgreSQL (MVT encoding, point-in-polygon):
 * more of them at once than the database has cores only queue inside PostgreSQL, and when the database is on this
 * machine they crowd nginx and the clients out of the cores — with 10 + 10 connections on 2 cores, nginx's quick
 * 503s under a 1000-connection flood took 30–90 ms at p99 to reach the client, 10–14 ms with 3 + 3, with more
 * requests answered. A loopback (or unix-socket) database is this machine's: cores + 1 at most (one waits on I/O
 * while the others compute). A remote one has cores of its own that only its operator knows: poolMax.
 */
export function servicePoolMax(config: Config, url: string, cores = availableParallelism()): number {
  if (config.database.servicePoolMax !== undefined) return config.database.servicePoolMax;
  return isLocalDatabase(url) ? Math.min(config.database.poolMax, cores + 1) : config.database.poolMax;
}

function isLocalDatabase(url: string): boolean {
  let host: string;
  try {
    const u = new URL(url);
    host = decodeURIComponent(u.hostname || new URLSearchParams(u.search).get("host") || "");
  } catch {
    return false;
  }
  return host === "" || host.startsWith("/") || host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

/**
 * Open a pool on the configured database; makes sure the extensions cosmo needs exist. A serving process with
 * database.readUrl set opens the replica instead, where it only checks (they come from the primary).
 */
export async function openDatabase(config: Config = getConfig(), opts: OpenOptions = {}): Promise<Database> {
  const replica = opts.serving === true && config.database.readUrl !== undefined;
  const url = replica ? (config.database.readUrl as string) : await databaseUrl(config);
  const poolMax = opts.poolMax ?? (opts.serving ? servicePoolMax(config, url) : config.database.poolMax);
  const db = { ...poolFor(url, { ...opts, poolMax }), ...(replica ? { replica } : {}) };
  try {
    if (!replica) await ensureExtensions(db.pool);
    else {
      const missing = await missingExtensions(db.pool);
      if (missing.length)
        log.warn({ missing }, "the replica lacks extensions: they appear once a cosmo stage ran on the primary");
    }
  } catch (err) {
    await db.close().catch(() => undefined);
    throw unavailableDatabase(err, url);
  }
  return db;
}

async function missingExtensions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ extname: string }>("SELECT extname FROM pg_extension");
  const have = new Set(rows.map((r) => r.extname));
  return EXTENSIONS.filter((ext) => !have.has(ext));
}

const checked = new WeakSet<pg.Pool>();
export async function ensureExtensions(pool: pg.Pool): Promise<void> {
  if (checked.has(pool)) return;
  for (const ext of await missingExtensions(pool)) await pool.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  checked.add(pool);
}

/** Run `fn` in a transaction on one client: COMMIT on success, ROLLBACK on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
