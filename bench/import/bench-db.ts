// The benchmarks' database: `cosmo_bench` next to the configured (or embedded) one, so benchmark datasets never
// appear in the real `cosmo datasets` list. Recreated per run.
import pg from "pg";
import { type Database, databaseUrl, ensureExtensions, poolFor } from "../../core/db.ts";

export async function benchDatabase(name = "cosmo_bench"): Promise<Database> {
  const url = new URL(await databaseUrl());
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const db = poolFor(url.toString(), { applicationName: "cosmo-bench" });
  await ensureExtensions(db.pool);
  return db;
}
