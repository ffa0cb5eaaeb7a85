// The point lookup structure of a version (`zone_pieces`, see sql/lookup-create.sql, and sql/lookup-fill.sql for
// how zones are cut): built after the load, in parallel over several connections on id ranges of about equal
// boundary size, so that cutting the large boundaries costs a share of the load time.
// Publishing or rolling back to a version imported before the structure existed builds it first.
import { availableParallelism } from "node:os";
import pg from "pg";
import { childLogger } from "../core/log.ts";
import { loadSql } from "../core/sql.ts";

const log = childLogger("importer");

/**
 * Vertices per piece at most. The cut costs one clipping pass over a zone's vertices per halving, and more pieces
 * mean more rows and a bigger index; the point-in-polygon test of a lookup is linear in them, but at this size
 * (~3 µs for ~250 vertices) it is a small share of a lookup. 500 is the most whose row (~8 kB) still fits a heap
 * page uncompressed (sql/lookup-create.sql).
 */
export const PIECE_MAX_VERTICES = 500;

/** Halvings at most (alternately across x and y, about: 16 each way cut a 4° country into ~7 m boxes). */
export const PIECE_MAX_DEPTH = 32;

export interface LookupBuild {
  ms: number;
  pieces: number;
  connections: number;
  /** Size of the table and its index. */
  bytes: number;
}

function sql(file: string, schema: string): string {
  return loadSql(import.meta.url, `sql/${file}`, {
    schema,
    max_vertices: PIECE_MAX_VERTICES,
    max_depth: PIECE_MAX_DEPTH,
  });
}

/** Connections for the build: the cores, within what the pool leaves besides the caller's own connection. */
export function buildConnections(pool: pg.Pool, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, pool.options.max - 1));
}

/**
 * (Re)builds `schema.zone_pieces` from `schema.zones` (committed: the build reads it from other connections).
 * Id ranges go to the connections as they become free (more ranges than connections: one slow range does not
 * leave the others idle). `on` a single connection (e.g. the import's own, when the pool has no other to give)
 * builds it there, range after range.
 */
export async function buildLookup(
  on: pg.Pool | pg.PoolClient,
  schema: string,
  opts: { connections?: number } = {},
): Promise<LookupBuild> {
  const t0 = performance.now();
  const connections = on instanceof pg.Pool ? (opts.connections ?? buildConnections(on)) : 1;
  await on.query(sql("lookup-create.sql", schema));
  const { rows: ranges } = await on.query<{ lo: number; hi: number }>(sql("lookup-chunks.sql", schema), [
    connections * 4,
  ]);
  const fill = sql("lookup-fill.sql", schema);
  let next = 0;
  let pieces = 0;
  let failed = false;
  const worker = async () => {
    try {
      for (let r = ranges[next++]; r !== undefined && !failed; r = ranges[next++]) {
        const inserted = (await on.query(fill, [r.lo, r.hi])).rowCount ?? 0;
        pieces += inserted; // not `pieces += await …`: that reads `pieces` before the other connections add theirs
      }
    } catch (err) {
      failed = true; // the other connections stop after their current range
      throw err;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(connections, ranges.length) }, worker));
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) throw failure.reason;
  await on.query(sql("lookup-index.sql", schema));
  const ms = performance.now() - t0;
  const { rows } = await on.query<{ bytes: number }>(sql("lookup-size.sql", schema), [schema]);
  const bytes = rows[0]?.bytes ?? 0;
  log.info(
    { step: "point lookup", seconds: Number((ms / 1000).toFixed(2)), pieces, connections, mb: Math.round(bytes / 1e6) },
    "point lookup done",
  );
  return { ms, pieces, connections, bytes };
}

/** Builds the structure of a version that lacks it (imported before it existed); null when it has one. */
export async function ensureLookup(pool: pg.Pool, schema: string): Promise<LookupBuild | null> {
  const { rows } = await pool.query<{ present: boolean }>(sql("lookup-exists.sql", schema), [schema]);
  if (rows[0]?.present) return null;
  log.info({ schema }, "this version has no point lookup structure yet: building it");
  return buildLookup(pool, schema);
}
