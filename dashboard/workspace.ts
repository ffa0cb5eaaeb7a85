// A dedicated database session for one dashboard/diff/gate run. The working copies of the datasets are TEMP
// tables on this session: they vanish with it (even when the process dies), never touch published schemas,
// and give file mode and database mode the very same SQL to run.
import type pg from "pg";
import type { Database } from "../core/db.ts";
import { fillSql } from "../core/sql.ts";

/** Working tables by placeholder name: a table, or a qualified `[schema, table]` (core/sql.ts quotes them). */
export type TableNames = Readonly<Record<string, string | readonly string[]>>;

export interface Workspace {
  client: pg.PoolClient;
  /** Run SQL whose `{{name}}` placeholders are the tables named in `tables` (chosen by code, never input). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    tables: TableNames,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  release(): Promise<void>;
}

export async function openWorkspace(db: Database): Promise<Workspace> {
  const client = await db.pool.connect();
  // Batch work: no per-statement timeout (a planet-size check runs for minutes); ST_IsValid's NOTICEs are noise.
  await client.query("SET statement_timeout = 0; SET client_min_messages = warning");
  let released = false;
  return {
    client,
    query: (sql, tables, params) =>
      client.query(fillSql(sql, tables, "dashboard SQL"), params as unknown[] | undefined),
    async release() {
      if (released) return;
      released = true;
      // Drop our temp tables now rather than when the pool eventually closes the session.
      try {
        await client.query("DISCARD TEMP; RESET statement_timeout; RESET client_min_messages");
        client.release();
      } catch (err) {
        client.release(err as Error);
      }
    },
  };
}
