// The `cosmo` meta schema: dataset versions (one schema `zones_v<N>` each), their status, the import lock,
// cleanup of imports that died, and pruning of old versions.
import type pg from "pg";
import { CosmoError, EXIT } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { sqlFiles, sqlFragment } from "../core/sql.ts";

const log = childLogger("importer");
const sql = sqlFiles(import.meta.url);

export type DatasetStatus = "loading" | "ready" | "published" | "retired" | "failed";

export interface DatasetRow {
  version: number;
  schema_name: string;
  source: string;
  source_sha256: string;
  zone_count: number | null;
  created_at: Date;
  status: DatasetStatus;
  published_at: Date | null;
  forced_by: string | null;
  force_reason: string | null;
  meta: unknown;
  error: string | null;
}

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export function schemaOf(version: number): string {
  return `zones_v${version}`;
}

const META_LOCK = 7_270_001; // advisory lock ids: arbitrary constants owned by the importer
const IMPORT_LOCK = 7_270_002;

const ensured = new WeakSet<object>();
/** Creates the meta schema if needed (idempotent, safe against concurrent first runs). */
export async function ensureMetaSchema(pool: pg.Pool): Promise<void> {
  if (ensured.has(pool)) return;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(sql("meta-lock.sql"), [META_LOCK]);
    await client.query(sql("meta.sql"));
    await client.query("COMMIT");
    ensured.add(pool);
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * Runs `fn` holding the import lock on a dedicated connection (session advisory lock). A killed import's
 * connection closes and frees the lock, so a 'loading' dataset found while holding it is a dead import's.
 */
export async function withImportLock<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  waitMs = 30_000,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    // Wait a little: a killed import's backend may take a moment to notice and free the lock.
    let ok = true;
    await client.query(sql("import-lock-timeout.sql", { ms: Math.round(waitMs) }));
    try {
      await client.query(sql("import-lock.sql"), [IMPORT_LOCK]);
    } catch (e) {
      if ((e as { code?: string }).code !== "55P03") throw e;
      ok = false;
    } finally {
      await client.query(sql("import-lock-timeout-reset.sql"));
    }
    if (!ok) {
      const holder = await client.query<{ pid: number; application_name: string }>(sql("import-lock-holder.sql"), [
        IMPORT_LOCK,
      ]);
      const who = holder.rows[0] ? ` (backend pid ${holder.rows[0].pid}, ${holder.rows[0].application_name})` : "";
      throw new CosmoError(`another import or publish is running on this database${who}; try again when it is done`, {
        exitCode: EXIT.unavailable,
      });
    }
    try {
      return await fn(client);
    } catch (e) {
      broken = true;
      throw e;
    } finally {
      await client.query(sql("import-unlock.sql"), [IMPORT_LOCK]).catch(() => (broken = true));
    }
  } finally {
    // after a failed COPY the connection state is uncertain: close it rather than pool it
    client.release(broken);
  }
}

/**
 * Drops version `version`'s schema (everything in it), then says so in its row with `rowSql` (one of the row
 * statements: deleted, failed, interrupted, retired), $1 the version and $2… `values`.
 */
async function dropVersion(
  db: Queryable,
  version: number,
  schema: string,
  rowSql: string,
  values: unknown[] = [],
): Promise<void> {
  await db.query(sql("drop-version.sql", { schema }));
  await db.query(sql(rowSql), [version, ...values]);
}

/** Drops the schemas of imports that died while loading (call holding the import lock). */
export async function cleanupStaleLoads(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ version: number; schema_name: string }>(sql("stale-loads.sql"));
  for (const r of rows) {
    log.warn({ version: r.version, schema: r.schema_name }, "cleaning up an import that did not finish");
    await dropVersion(db, r.version, r.schema_name, "mark-interrupted.sql");
  }
  return rows.map((r) => r.version);
}

export async function getDataset(db: Queryable, version: number): Promise<DatasetRow | null> {
  const { rows } = await db.query<DatasetRow>(sql("dataset-row.sql"), [version]);
  return rows[0] ?? null;
}

/** A loaded (ready or published) version of the same file, if any. */
export async function findBySha256(db: Queryable, sha256: string): Promise<DatasetRow | null> {
  const { rows } = await db.query<DatasetRow>(sql("dataset-by-sha256.sql"), [sha256]);
  return rows[0] ?? null;
}

/** Registers a new version in status 'loading' (committed at once, so a killed import is visible as such). */
export async function createDatasetRow(db: Queryable, source: string, sha256: string): Promise<DatasetRow> {
  const { rows } = await db.query<DatasetRow>(sql("create-dataset-row.sql"), [source, sha256]);
  return rows[0];
}

/** Records the file's SHA-256 on version `version` (the hash runs beside the load: the row comes first). */
export async function setSha256(db: Queryable, version: number, sha256: string): Promise<void> {
  await db.query(sql("set-sha256.sql"), [version, sha256]);
}

/** Removes a version that turned out to be a file loaded already: its schema (if committed) and its row. */
export async function discardVersion(db: Queryable, row: DatasetRow): Promise<void> {
  await dropVersion(db, row.version, row.schema_name, "delete-dataset-row.sql");
}

/** Drops the schema of a version whose import failed; its row stays, status 'failed' with the error. */
export async function markFailed(db: Queryable, row: DatasetRow, error: string): Promise<void> {
  await dropVersion(db, row.version, row.schema_name, "mark-failed.sql", [error.slice(0, 2000)]);
}

/**
 * Drops the schemas of the oldest loaded versions beyond `keep`, never the served, the previous one, nor
 * those in `spare` (e.g. the version just imported). Their rows stay, with status 'retired'.
 */
export async function pruneVersions(db: Queryable, keep: number, spare: number[] = []): Promise<number[]> {
  const { rows } = await db.query<{ version: number; schema_name: string }>(sql("old-versions.sql"), [keep, spare]);
  for (const r of rows) {
    log.info({ version: r.version, schema: r.schema_name }, "dropping an old dataset version");
    await dropVersion(db, r.version, r.schema_name, "mark-retired.sql");
  }
  return rows.map((r) => r.version);
}

/** A dataset version `cosmo datasets prune` removes, and why. */
export interface PruneCandidate {
  version: number;
  schema_name: string;
  status: DatasetStatus;
  source: string;
  reason: string;
}

/**
 * The versions `cosmo datasets prune` removes (prune-plan.sql): failed, interrupted and retired versions, and
 * loaded ones beyond `keep`; never the served or previous one. Call holding the import lock.
 */
export async function prunePlan(db: Queryable, keep: number): Promise<PruneCandidate[]> {
  const plan = sql("prune-plan.sql", { old_versions: sqlFragment(sql("old-versions.sql")) });
  const { rows } = await db.query<PruneCandidate>(plan, [keep, []]);
  return rows;
}

/** Removes the planned versions: schema and row (the row's history goes with it). Call holding the import lock. */
export async function applyPrune(db: pg.PoolClient | pg.Client, plan: PruneCandidate[]): Promise<void> {
  for (const r of plan) {
    log.info({ version: r.version, schema: r.schema_name, reason: r.reason }, "pruning a dataset version");
    await db.query("BEGIN");
    try {
      await dropVersion(db, r.version, r.schema_name, "delete-dataset-row.sql");
      await db.query("COMMIT");
    } catch (e) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }
}

/**
 * `cosmo datasets prune`: the versions to remove, removed only when `apply` (a dry run otherwise). Holds the
 * import lock, so no import or publish moves versions meanwhile.
 */
export async function pruneDatasets(pool: pg.Pool, keep: number, apply: boolean): Promise<PruneCandidate[]> {
  await ensureMetaSchema(pool);
  return withImportLock(pool, async (client) => {
    const plan = await prunePlan(client, keep);
    if (apply) await applyPrune(client, plan);
    return plan;
  });
}
