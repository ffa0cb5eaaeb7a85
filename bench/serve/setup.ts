// Bench data: a dedicated database `cosmo_bench_serve` on the embedded cluster (or next to DATABASE_URL's),
// the Luxembourg extraction imported and published into it. Never touches the developer's `cosmo` database.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { getConfig } from "../../core/config.ts";
import { type Database, databaseUrl, ensureExtensions, poolFor } from "../../core/db.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { importZonesFile } from "../../importer/import.ts";

export const OUT = join(PROJECT_ROOT, "bench", "out");
const BENCH_DB = "cosmo_bench_serve";

export async function benchDatabase(): Promise<Database> {
  const base = await databaseUrl(getConfig());
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [BENCH_DB]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  } finally {
    await admin.end();
  }
  const u = new URL(base);
  u.pathname = `/${BENCH_DB}`;
  const db = poolFor(u.toString(), { poolMax: 4, applicationName: "bench-serve" });
  await ensureExtensions(db.pool);
  return db;
}

/** The Luxembourg zones file (extracted once into bench/out/). */
export async function luxembourgZones(db: Database): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const target = join(OUT, "luxembourg.jsonl.gz");
  if (existsSync(target)) return target;
  const { extract } = await import("../../extractor/extract.ts");
  await extract({
    input: join(PROJECT_ROOT, "data", "osm", "luxembourg_filtered.osm.pbf"),
    output: target,
    countryCode: "lu",
    voronoi: true,
    rulesDir: join(PROJECT_ROOT, "data", "libpostal", "boundaries"),
    db,
  });
  return target;
}

export async function publishedBenchData(): Promise<{ db: Database; version: number; schema: string }> {
  const db = await benchDatabase();
  const file = await luxembourgZones(db);
  await importZonesFile(db, file, { publish: true, progress: false });
  const { rows } = await db.pool.query<{ version: number; schema_name: string }>(
    "SELECT s.version, d.schema_name FROM cosmo.served s JOIN cosmo.datasets d USING (version)",
  );
  const row = rows[0];
  if (!row) throw new Error("bench: nothing published");
  return { db, version: row.version, schema: row.schema_name };
}
