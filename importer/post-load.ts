// What follows the load, each step timed (the benchmark reports them apart from the load): geometry repair,
// keys and indexes, the search names table, generalised tables per zoom band, ANALYZE.
import type pg from "pg";
import { childLogger } from "../core/log.ts";
import { ident, loadSql, sqlFragment } from "../core/sql.ts";
import { bandFilterSql, ZOOM_BANDS } from "./zoom-bands.ts";

const log = childLogger("importer");

export interface PostLoadTimings {
  makeValidMs: number;
  indexesMs: number;
  searchNamesMs: number;
  generaliseMs: number;
  analyzeMs: number;
}

async function timed(label: string, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  log.info({ step: label, seconds: Number((ms / 1000).toFixed(2)) }, `${label} done`);
  return ms;
}

/** The search names table (sql/search-names.sql) and its indexes, vacuumed. */
async function buildSearchNames(db: pg.PoolClient | pg.Pool, schema: string): Promise<void> {
  await db.query(loadSql(import.meta.url, "sql/search-names.sql", { schema }));
  // VACUUM sets the visibility map: the search's index-only scans then never visit the table.
  await db.query(`VACUUM (ANALYZE) ${ident(schema)}.zone_names`);
}

/**
 * `pool`: another connection for the search names, which read only the loaded rows' names: they are built
 * while the geometries are repaired and indexed on `client` (both cores busy instead of one). Without it, after.
 */
export async function postLoad(
  client: pg.PoolClient | pg.Pool,
  schema: string,
  pool?: pg.Pool,
): Promise<PostLoadTimings> {
  const s = ident(schema);
  const namesAlongside = pool ? timed("search names", () => buildSearchNames(pool, schema)) : null;
  namesAlongside?.catch(() => {}); // awaited below, after the steps that run meanwhile
  let makeValidMs: number;
  let indexesMs: number;
  try {
    makeValidMs = await timed("make geometries valid", () =>
      client.query(loadSql(import.meta.url, "sql/make-valid.sql", { schema })),
    );
    indexesMs = await timed("indexes", () => client.query(loadSql(import.meta.url, "sql/indexes.sql", { schema })));
  } catch (err) {
    await namesAlongside?.catch(() => {}); // its connection back before the failed version's schema is dropped
    throw err;
  }
  const searchNamesMs = await (namesAlongside ?? timed("search names", () => buildSearchNames(client, schema)));
  // deepest band first: each coarser band is simplified from the previous (finer) one
  const generalised = ZOOM_BANDS.filter((b) => b.table !== null).sort((a, b) => b.minZoom - a.minZoom);
  const generaliseMs = await timed("generalised tables", async () => {
    let source = "zones";
    for (const band of generalised) {
      const table = band.table as string;
      await client.query(
        loadSql(import.meta.url, "sql/generalise.sql", {
          schema,
          table,
          source,
          filter: sqlFragment(bandFilterSql(band)),
          tolerance: band.toleranceMeters,
        }),
      );
      source = table;
    }
  });
  const tables = ["zones", ...generalised.map((b) => b.table as string)];
  const analyzeMs = await timed("analyze", () =>
    client.query(`ANALYZE ${tables.map((t) => `${s}.${ident(t)}`).join(", ")}`),
  );
  return { makeValidMs, indexesMs, searchNamesMs, generaliseMs, analyzeMs };
}
