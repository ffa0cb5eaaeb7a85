// The point lookup structure of a version (`zone_pieces`, see sql/lookup-create.sql, and sql/lookup-fill.sql for
// how zones are cut): built after the load, in parallel over several connections on id ranges of about equal
// boundary size, so that cutting the large boundaries costs a share of the load time. The zones the tiles cut
// into cells (tile-cells.ts) first take their pieces from those cells (sql/lookup-fill-cells.sql), the upper
// halvings of their boundaries done once for both.
// Publishing or rolling back to a version imported before the structure existed builds it first.
import { availableParallelism } from "node:os";
import pg from "pg";
import { childLogger } from "../core/log.ts";
import { loadSql, sqlFragment } from "../core/sql.ts";
import { TILE_CELL_ZOOMS } from "./tile-cells.ts";

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
  /** Zones whose pieces were taken from their tile cells (sql/lookup-fill-cells.sql). */
  fromCells: number;
  /** Size of the table and its index. */
  bytes: number;
}

/** The web-mercator world's edge (EPSG:3857 reaches ±85.0511°): zones beyond have no tile cells all over. */
const MERCATOR_MAX_LAT = 85.05;

function sql(file: string, schema: string, repairsRecorded = false): string {
  const values = { schema, max_vertices: PIECE_MAX_VERTICES, max_depth: PIECE_MAX_DEPTH };
  return loadSql(import.meta.url, `sql/${file}`, {
    ...values,
    halve: sqlFragment(loadSql(import.meta.url, "sql/lookup-halve.sql", values)),
    cell_zoom: TILE_CELL_ZOOMS[TILE_CELL_ZOOMS.length - 1] as number,
    max_lat: MERCATOR_MAX_LAT,
    boundary_kept: sqlFragment(
      repairsRecorded
        ? loadSql(import.meta.url, "sql/lookup-boundary-recorded.sql", { schema })
        : loadSql(import.meta.url, "sql/lookup-boundary-checked.sql"),
    ),
  });
}

/**
 * Planner settings of the build's sessions. No Memoize: the planner puts one on the LATERAL subqueries of the fill
 * statements, keyed on whole boundaries and clips (hashed and copied into its cache at every row) that never repeat
 * (on the grid: 60 hits in 5,220 lookups, 131 MB of cache for one share).
 */
export const BUILD_SETTINGS = "SET enable_memoize = off";
const BUILD_SETTINGS_RESET = "RESET enable_memoize";

/**
 * The statements that fill zone_pieces: `fill` ($1, $2: an id range, $3: ids left out) cuts zones from their
 * boundaries, `fillCells` ($1: ids) takes the tiles' cut zones from their cells; `repairsRecorded`: the version has
 * the record of the zones its repair rewrote (zones_repaired).
 */
export function fillStatements(schema: string, repairsRecorded: boolean): { fill: string; fillCells: string } {
  return {
    fill: sql("lookup-fill.sql", schema),
    fillCells: sql("lookup-fill-cells.sql", schema, repairsRecorded),
  };
}

/**
 * Runs `statements` (each a query and its parameters) on `connections` of `on`, each taken by the next free one
 * in order (a slow one does not leave the others idle); returns their results, by statement. A failure stops the
 * others after their current statement.
 */
async function onConnections<R extends pg.QueryResultRow>(
  on: pg.Pool | pg.PoolClient,
  connections: number,
  statements: readonly [string, unknown[]][],
): Promise<pg.QueryResult<R>[]> {
  const results: pg.QueryResult<R>[] = [];
  let next = 0;
  let failed = false;
  const run = async (db: pg.Pool | pg.PoolClient) => {
    for (let k = next++; k < statements.length && !failed; k = next++) {
      const [text, params] = statements[k] as [string, unknown[]];
      results[k] = await db.query<R>(text, params);
    }
  };
  // a session of its own per worker, with the build's settings (a PoolClient `on` has them from buildLookup)
  const worker = async () => {
    const session = on instanceof pg.Pool ? await on.connect() : null;
    try {
      if (session) await session.query(BUILD_SETTINGS);
      await run(session ?? on);
      if (session) await session.query(BUILD_SETTINGS_RESET);
      session?.release();
    } catch (err) {
      failed = true;
      // a session whose statement failed is closed rather than pooled, settings and all
      session?.release(err instanceof Error ? err : true);
      throw err;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(connections, statements.length) }, worker));
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) throw failure.reason;
  return results;
}

/** `count` lists of ids of about equal total size, the largest first (the largest item to the lightest list). */
export function sharesBySize(items: readonly { id: number; bytes: number }[], count: number): number[][] {
  const shares = Array.from({ length: Math.min(count, items.length) }, () => ({ ids: [] as number[], bytes: 0 }));
  for (const item of [...items].sort((a, b) => b.bytes - a.bytes)) {
    const lightest = shares.reduce((min, s) => (s.bytes < min.bytes ? s : min));
    lightest.ids.push(item.id);
    lightest.bytes += item.bytes;
  }
  return shares.sort((a, b) => b.bytes - a.bytes).map((s) => s.ids);
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
  if (on instanceof pg.Pool) return build(on, schema, connections, t0);
  // the caller's connection, its settings as they were once done (after a failure the import closes it)
  await on.query(BUILD_SETTINGS);
  const built = await build(on, schema, connections, t0);
  await on.query(BUILD_SETTINGS_RESET);
  return built;
}

async function build(
  on: pg.Pool | pg.PoolClient,
  schema: string,
  connections: number,
  t0: number,
): Promise<LookupBuild> {
  await on.query(sql("lookup-create.sql", schema));
  const { rows: hasCells } = await on.query<{ present: boolean; repairs_recorded: boolean }>(
    sql("lookup-cells-exist.sql", schema),
    [schema],
  );
  const cutZones = hasCells[0]?.present
    ? (await on.query<{ id: string; bytes: number }>(sql("lookup-cell-zones.sql", schema))).rows
    : [];
  const candidates = cutZones.map((z) => Number(z.id));
  // the zones left to cut from their boundaries: all but the tiles' cut ones, at the same time on the same
  // connections (after those: the biggest zones first)
  const { rows: ranges } = await on.query<{ lo: number; hi: number }>(sql("lookup-chunks.sql", schema), [
    connections * 4,
    candidates,
  ]);
  const { fill, fillCells } = fillStatements(schema, hasCells[0]?.repairs_recorded ?? false);
  const results = await onConnections<{ zone_id?: string }>(on, connections, [
    ...sharesBySize(
      cutZones.map((z) => ({ id: Number(z.id), bytes: z.bytes })),
      connections * 4,
    ).map((ids): [string, unknown[]] => [fillCells, [ids]]),
    ...ranges.map((r): [string, unknown[]] => [fill, [r.lo, r.hi, candidates]]),
  ]);
  const fromCells = new Set(results.flatMap((r) => r.rows.map((row) => Number(row.zone_id))));
  // and the tiles' cut zones the cells could not give (rare: see sql/lookup-fill-cells.sql), one by one
  const rest = await onConnections(
    on,
    connections,
    candidates.filter((id) => !fromCells.has(id)).map((id): [string, unknown[]] => [fill, [id, id, []]]),
  );
  const pieces = [...results, ...rest].reduce((n, r) => n + (r.rowCount ?? 0), 0);
  await on.query(sql("lookup-index.sql", schema));
  const ms = performance.now() - t0;
  const { rows } = await on.query<{ bytes: number }>(sql("lookup-size.sql", schema), [schema]);
  const bytes = rows[0]?.bytes ?? 0;
  log.info(
    {
      step: "point lookup",
      seconds: Number((ms / 1000).toFixed(2)),
      pieces,
      fromCells: fromCells.size,
      connections,
      mb: Math.round(bytes / 1e6),
    },
    "point lookup done",
  );
  return { ms, pieces, connections, fromCells: fromCells.size, bytes };
}

/** Builds the structure of a version that lacks it (imported before it existed); null when it has one. */
export async function ensureLookup(pool: pg.Pool, schema: string): Promise<LookupBuild | null> {
  const { rows } = await pool.query<{ present: boolean }>(sql("lookup-exists.sql", schema), [schema]);
  if (rows[0]?.present) return null;
  log.info({ schema }, "this version has no point lookup structure yet: building it");
  return buildLookup(pool, schema);
}
