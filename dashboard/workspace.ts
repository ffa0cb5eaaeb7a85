// A dedicated database session for one dashboard/diff/gate run. The working copies of the datasets are TEMP
// tables on this session: they vanish with it (even when the process dies), never touch published schemas,
// and give file mode and database mode the very same SQL to run.
import type pg from "pg";
import type { Database } from "../core/db.ts";
import { ident } from "../core/db.ts";

export interface Workspace {
  client: pg.PoolClient;
  /** Run SQL whose `{{name}}` placeholders are replaced by quoted identifiers (table names chosen by code). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    tables: Record<string, string>,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  release(): Promise<void>;
}

/** `{{zones}}` → `"dash_zones"`; `{{source}}` may be a qualified `schema.table` (each part quoted). */
export function bindTables(sql: string, tables: Record<string, string>): string {
  return sql.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const name = tables[key];
    if (name === undefined) throw new Error(`SQL placeholder {{${key}}} has no table`);
    return name.split(".").map(ident).join(".");
  });
}

export async function openWorkspace(db: Database): Promise<Workspace> {
  const client = await db.pool.connect();
  // Batch work: no per-statement timeout (a planet-size check runs for minutes); ST_IsValid's NOTICEs are noise.
  await client.query("SET statement_timeout = 0; SET client_min_messages = warning");
  let released = false;
  return {
    client,
    query: (sql, tables, params) => client.query(bindTables(sql, tables), params as unknown[] | undefined),
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
