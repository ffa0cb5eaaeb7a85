// TEMPORARY dev-loop helper (not used by `make test`): the same per-run services as core/testing-setup.ts but on
// a private cluster, so concurrent test runs of other stages cannot drop our databases mid-test.
import pg from "pg";
import { EXTENSIONS, ensureEmbeddedPostgres } from "../../core/embedded-pg.ts";
import { ensureEmbeddedS3 } from "../../core/embedded-s3.ts";
import { projectPath } from "../../core/paths.ts";

export default async function setup(): Promise<void> {
  delete process.env.DATABASE_URL;
  delete process.env.S3_ENDPOINT;
  delete process.env.COSMO_CONFIG;
  process.env.COSMO_LOG_LEVEL ??= "warn";
  const cluster = await ensureEmbeddedPostgres(projectPath(".data/test-serving/pg"), { fast: true });
  const s3 = await ensureEmbeddedS3(projectPath(".data/test-serving/s3"));
  process.env.COSMO_TEST_ADMIN_URL = cluster.adminUrl;
  process.env.COSMO_TEST_S3_ENDPOINT = s3.endpoint;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'cosmo_test_template'");
    if (!exists.rowCount) await admin.query("CREATE DATABASE cosmo_test_template");
  } finally {
    await admin.end();
  }
  const t = new pg.Client({ connectionString: cluster.adminUrl.replace(/\/postgres$/, "/cosmo_test_template") });
  await t.connect();
  try {
    for (const ext of EXTENSIONS) await t.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  } finally {
    await t.end();
  }
}
