// Scratch schemas of the extractor: a crashed run's leftover is dropped by the next run, a run in progress
// (its session holds the schema's advisory lock) and a schema kept on purpose are not.
import { afterAll, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase } from "../../core/testing.ts";
import { openWorkspace } from "../postgis.ts";

describe("extractor workspaces", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.close();
  });

  const schemas = async () =>
    (
      await db!.pool.query<{ n: string }>(
        "SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'cosmo\\_extract\\_%' ORDER BY 1",
      )
    ).rows.map((r) => r.n);

  it("drops the schemas of dead runs only", async () => {
    db = await testDatabase("extract_ws");
    const live = await openWorkspace(db);
    const crashed = await openWorkspace(db);
    await db.pool.query("CREATE SCHEMA cosmo_extract_kept_0; COMMENT ON SCHEMA cosmo_extract_kept_0 IS 'kept'");
    // the crashed run: its connection dies with its schema still there
    crashed.client.on("error", () => undefined);
    const pid = (await crashed.client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    await db.pool.query("SELECT pg_terminate_backend($1)", [pid]);
    crashed.client.release(new Error("terminated"));
    expect(await schemas()).toEqual([crashed.schema, live.schema, "cosmo_extract_kept_0"].sort());

    const next = await openWorkspace(db);
    expect(await schemas()).toEqual([live.schema, next.schema, "cosmo_extract_kept_0"].sort());
    await next.drop();
    await live.drop();
    expect(await schemas()).toEqual(["cosmo_extract_kept_0"]);
    // and no advisory lock is left behind on the pooled connections
    // (this database's only: the other test files run extractions at the same time)
    const locks = await db.pool.query(
      "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
        "WHERE l.locktype = 'advisory' AND d.datname = current_database()",
    );
    expect(locks.rows[0].n).toBe(0);
  }, 60_000);

  it("COSMO_EXTRACT_KEEP_SCHEMA keeps the scratch schema, commented, and the next run leaves it alone", async () => {
    db ??= await testDatabase("extract_ws");
    const ws = await openWorkspace(db);
    process.env.COSMO_EXTRACT_KEEP_SCHEMA = "1";
    try {
      await ws.drop();
    } finally {
      delete process.env.COSMO_EXTRACT_KEEP_SCHEMA;
    }
    const { rows } = await db.pool.query<{ comment: string | null }>(
      "SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1",
      [ws.schema],
    );
    expect(rows).toEqual([{ comment: "kept by COSMO_EXTRACT_KEEP_SCHEMA" }]);
    const next = await openWorkspace(db);
    await next.drop();
    expect(await schemas()).toContain(ws.schema);
    expect(await schemas()).not.toContain(next.schema);
  }, 60_000);
});
