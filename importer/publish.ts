// Versioned, atomic publishing: one transaction moves `cosmo.served` to a version, repoints the `public.zones`
// compatibility view and notifies `cosmo_dataset` (tiles/API listen and switch). The previous version stays
// loaded for rollback(); versions beyond `import.keepVersions` are dropped afterwards.
import type pg from "pg";
import { getConfig } from "../core/config.ts";
import type { Database } from "../core/db.ts";
import { CosmoError, EXIT, GateRefusedError } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { sqlFiles } from "../core/sql.ts";
import { type DatasetRow, ensureMetaSchema, getDataset, pruneVersions } from "./datasets.ts";
import { ensureLookup } from "./lookup.ts";
import { ensureSearchNames } from "./post-load.ts";

const log = childLogger("importer");
const sql = sqlFiles(import.meta.url);

export interface GateResult {
  ok: boolean;
  failures: { rule: string; message: string }[];
  report: unknown;
}
/** The publish gate (dashboard/gate.ts#evaluateGate). */
export type Gate = (db: Database, candidateVersion: number) => Promise<GateResult>;

export interface PublishOptions {
  force?: boolean;
  forcedBy?: string;
  reason?: string;
  /** Evaluated before switching unless forced or nothing is served yet; a refusal throws GateRefusedError. */
  gate?: Gate;
  /** Versions to keep loaded (default config import.keepVersions). */
  keepVersions?: number;
}

export interface PublishResult {
  version: number;
  previous: number | null;
  forced: boolean;
  /** The version was already the served one: nothing changed. */
  unchanged: boolean;
  gate: GateResult | null;
  dropped: number[];
}

export const NOTIFY_CHANNEL = "cosmo_dataset";

export async function servedVersion(
  pool: pg.Pool,
): Promise<{ version: number; schema: string; previousVersion: number | null; switchedAt: Date } | null> {
  try {
    const { rows } = await pool.query<{
      version: number;
      schema_name: string;
      previous_version: number | null;
      switched_at: Date;
    }>(sql("served-version.sql"));
    const r = rows[0];
    return r
      ? { version: r.version, schema: r.schema_name, previousVersion: r.previous_version, switchedAt: r.switched_at }
      : null;
  } catch (e) {
    if ((e as { code?: string }).code === "42P01" || (e as { code?: string }).code === "3F000") return null; // no meta schema yet
    throw e;
  }
}

export async function listDatasets(pool: pg.Pool): Promise<(DatasetRow & { served: boolean; previous: boolean })[]> {
  await ensureMetaSchema(pool);
  const { rows } = await pool.query<DatasetRow & { served: boolean; previous: boolean }>(sql("list-datasets.sql"));
  return rows.map((r) => ({ ...r, served: r.served === true }));
}

/**
 * What the serving paths read that a version imported by an older cosmo lacks (the point lookup pieces of
 * /zones/at and bulk locate, the search names and their function), built before the version is served.
 */
async function ensureServingStructures(pool: pg.Pool, schema: string): Promise<void> {
  await ensureLookup(pool, schema);
  await ensureSearchNames(pool, schema);
}

function publishable(row: DatasetRow | null, version: number): DatasetRow {
  if (!row) throw new CosmoError(`no dataset version ${version} (see \`cosmo datasets\`)`, { exitCode: EXIT.input });
  if (row.status !== "ready" && row.status !== "published") {
    throw new CosmoError(`dataset version ${version} is ${row.status}: only a loaded (ready) version can be served`, {
      exitCode: EXIT.input,
    });
  }
  return row;
}

export async function publishVersion(db: Database, version: number, opts: PublishOptions = {}): Promise<PublishResult> {
  await ensureMetaSchema(db.pool);
  const forced = opts.force === true;
  if (forced && !opts.reason?.trim())
    throw new CosmoError("--force needs --reason TEXT (recorded with the dataset)", { exitCode: EXIT.input });
  const candidate = publishable(await getDataset(db.pool, version), version);
  const before = await servedVersion(db.pool);
  if (before?.version === version) {
    // Publishing the served version again is how an upgrade gives it what this cosmo's serving paths read.
    await ensureServingStructures(db.pool, candidate.schema_name);
    log.info({ version }, "already served");
    return { version, previous: before.previousVersion, forced, unchanged: true, gate: null, dropped: [] };
  }

  // The gate compares with the served dataset; it runs outside the switch transaction (it reads a lot), and
  // the transaction then checks that the served version did not move meanwhile.
  let gate: GateResult | null = null;
  if (!forced && opts.gate && before) {
    gate = await opts.gate(db, version);
    if (!gate.ok) {
      const why = gate.failures.map((f) => `${f.rule}: ${f.message}`).join("; ");
      throw new GateRefusedError(
        `publish gate refused version ${version} (served stays ${before.version}): ${why} ` +
          `(to serve it anyway: cosmo publish ${version} --force --reason TEXT)`,
        gate.failures,
      );
    }
  } else if (forced && before) {
    log.warn({ version, forcedBy: opts.forcedBy, reason: opts.reason }, "publishing without the gate (forced)");
  }

  await ensureServingStructures(db.pool, candidate.schema_name);
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ version: number | null }>(sql("served-for-update.sql"));
    const current = rows[0]?.version ?? null;
    if (current !== (before?.version ?? null)) {
      throw new CosmoError(
        `the served version changed from ${before?.version} to ${current} while publishing; run it again`,
        { exitCode: EXIT.unavailable },
      );
    }
    const row = publishable(await getDataset(client, version), version);
    await switchServed(client, row, current);
    if (forced) {
      await client.query(sql("record-force.sql"), [version, opts.forcedBy ?? null, opts.reason]);
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
  log.info({ version, previous: before?.version ?? null, forced }, "published");
  const dropped = await pruneVersions(db.pool, opts.keepVersions ?? getConfig().import.keepVersions);
  return { version, previous: before?.version ?? null, forced, unchanged: false, gate, dropped };
}

/** Serves the previous version again (no gate: it was served before). A second rollback rolls forward. */
export async function rollback(db: Database): Promise<{ version: number; previous: number }> {
  await ensureMetaSchema(db.pool);
  // Outside the switch transaction (it can take a while); the transaction re-reads what it switches to.
  const target = await servedVersion(db.pool).then((s) =>
    s?.previousVersion ? getDataset(db.pool, s.previousVersion) : null,
  );
  if (target && (target.status === "ready" || target.status === "published"))
    await ensureServingStructures(db.pool, target.schema_name);
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ version: number | null; previous_version: number | null }>(
      sql("served-for-update.sql"),
    );
    const s = rows[0];
    if (!s?.version || !s.previous_version)
      throw new CosmoError("nothing to roll back to: no previous version is recorded", { exitCode: EXIT.input });
    const row = await getDataset(client, s.previous_version);
    if (!row || (row.status !== "ready" && row.status !== "published")) {
      throw new CosmoError(`cannot roll back to version ${s.previous_version}: it is ${row?.status ?? "gone"}`, {
        exitCode: EXIT.input,
      });
    }
    await switchServed(client, row, s.version);
    await client.query("COMMIT");
    log.info({ version: row.version, previous: s.version }, "rolled back");
    return { version: row.version, previous: s.version };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** The switch itself, inside the caller's transaction. */
async function switchServed(client: pg.PoolClient, row: DatasetRow, current: number | null): Promise<void> {
  await client.query(sql("switch-served.sql"), [row.version, current]);
  if (current !== null) await client.query(sql("unpublish.sql"), [current]);
  await client.query(sql("mark-published.sql"), [row.version]);
  await replaceCompatView(client, row.schema_name);
  await client.query(sql("notify-switch.sql"), [NOTIFY_CHANNEL, String(row.version)]);
}

async function replaceCompatView(client: pg.PoolClient, schema: string): Promise<void> {
  // A database migrated from cosmogony_explorer has a real public.zones table: keep it under another name.
  const { rows } = await client.query<{ relkind: string }>(sql("public-zones-kind.sql"));
  const kind = rows[0]?.relkind;
  if (kind && kind !== "v") {
    const legacy = `zones_before_cosmo_${Date.now()}`;
    log.warn(
      { renamedTo: `public.${legacy}` },
      "public.zones was a table (old importer): renamed it to make room for the view",
    );
    await client.query(sql("keep-legacy-zones.sql", { legacy }));
  }
  await client.query(sql("compat-view.sql", { schema }));
}
