// vitest globalSetup: one PostgreSQL+PostGIS cluster and one S3-protocol server per test run, both real,
// under .data/test/ (never the developer's .data/pg). Suites make their own databases/buckets on them.
import pg from "pg";
import { EXTENSIONS, ensureEmbeddedPostgres, stopEmbeddedPostgres } from "./embedded-pg.ts";
import { ensureEmbeddedS3, stopEmbeddedS3 } from "./embedded-s3.ts";
import { projectPath } from "./paths.ts";

export const TEST_PG_DIR = ".data/test/pg";
export const TEST_S3_DIR = ".data/test/s3";
export const TEMPLATE_DATABASE = "cosmo_test_template";

export default async function setup(): Promise<() => Promise<void>> {
  // Tests must never write into a database or bucket someone configured for real use.
  delete process.env.DATABASE_URL;
  delete process.env.S3_ENDPOINT;
  delete process.env.COSMO_CONFIG;
  process.env.COSMO_DATABASE_EMBEDDED_DIR = TEST_PG_DIR;
  process.env.COSMO_STORAGE_EMBEDDED_DIR = TEST_S3_DIR;
  process.env.COSMO_LOG_LEVEL ??= "warn";

  const pgDir = projectPath(TEST_PG_DIR);
  const s3Dir = projectPath(TEST_S3_DIR);
  const cluster = await ensureEmbeddedPostgres(pgDir, { fast: true });
  const s3 = await ensureEmbeddedS3(s3Dir);
  process.env.COSMO_TEST_ADMIN_URL = cluster.adminUrl;
  process.env.COSMO_TEST_S3_ENDPOINT = s3.endpoint;

  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    // Leftovers of an interrupted earlier run.
    const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'");
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const template = new pg.Client({
    connectionString: cluster.adminUrl.replace(/\/postgres$/, `/${TEMPLATE_DATABASE}`),
  });
  await template.connect();
  try {
    for (const ext of EXTENSIONS) await template.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  } finally {
    await template.end();
  }

  return async () => {
    if (cluster.started) stopEmbeddedPostgres(pgDir);
    if (s3.started) await stopEmbeddedS3(s3Dir);
  };
}
