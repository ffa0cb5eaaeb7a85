// What follows the load, in two phases, each run at once over a few sessions (parallel-steps.ts), as many as the
// cores and the pool allow:
//   1. the core import, what the version needs to be correct and served: geometry repair, keys and indexes,
//      generalised tables per zoom band, ANALYZE;
//   2. the query structures built from it: the search names and the tiles' cell pieces (the point lookup pieces,
//      lookup.ts, follow in import.ts). They start only once the core is done, so the core's time is its own
//      ("core import done" in the log; issue 17 reports the structures apart).
// What waits for what in the core: the repair's UPDATE only after the validity checks (in shares on every
// session; their read of each geometry also fills the deepest zoom band with the rows found valid); the indexes,
// the repaired rows' generalisation and zones' ANALYZE after the repair; each coarser band after the finer one it
// is simplified from. Each step's time is reported (they overlap: `postLoadMs` is the wall time of the whole).
import { availableParallelism } from "node:os";
import pg from "pg";
import { childLogger } from "../core/log.ts";
import { ident, loadSql, type SqlFragment, sqlFragment } from "../core/sql.ts";
import { CANCEL_SQL, runSteps, type Step, type StepSession, StepsFailed } from "./parallel-steps.ts";
import { createTileCellTables, fillTileCells, indexTileCells, TILE_CELL_MIN_BYTES } from "./tile-cells.ts";
import { bandFilterSql, ZOOM_BANDS, type ZoomBand, zoneInBand } from "./zoom-bands.ts";

const log = childLogger("importer");

export interface PostLoadTimings {
  makeValidMs: number;
  indexesMs: number;
  searchNamesMs: number;
  generaliseMs: number;
  analyzeMs: number;
  /** Cutting the big zones into the tiles' cell pieces (tile-cells.ts). */
  tileCellsMs: number;
  /** Wall time of the core import's steps (repair, indexes, generalisation, analyze), before the structures. */
  coreMs: number;
  /** Wall time of all of them (they run at once). */
  postLoadMs: number;
  /** Database sessions they ran on. */
  postLoadSessions: number;
}

export interface PostLoadOptions {
  /** Sessions to run on at most (default: the machine's cores); never more than the pool holds. */
  sessions?: number;
}

const GROUP = {
  repair: "make geometries valid",
  indexes: "indexes",
  names: "search names",
  namesVisible: "search names all-visible",
  generalise: "generalised tables",
  analyze: "analyze",
  tileCells: "tile cells",
} as const;

/** Shares per session: enough that sessions finishing early take over part of a slow one's work. */
const SHARES_PER_SESSION = 4;

const sql = (name: string, values: Parameters<typeof loadSql>[2]) => loadSql(import.meta.url, `sql/${name}`, values);

/** The statements of a file of one statement per line or lines, each ending with `;` at the end of a line. */
function statements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s !== "");
}

/** The search names table (sql/search-names.sql) and its indexes, analyzed; the search function over them. */
async function buildSearchNames(db: StepSession, schema: string): Promise<void> {
  await db.query(loadSql(import.meta.url, "sql/search-names.sql", { schema }));
  await db.query(loadSql(import.meta.url, "sql/search-names-function.sql", { schema }));
  await db.query(`ANALYZE ${ident(schema)}.zone_names, ${ident(schema)}.zone_names_terms`);
}

/**
 * How long the VACUUM of the search names is tried again while an older snapshot keeps their pages from being
 * all-visible (another session of the database in a transaction that began before the names were written: an
 * autovacuum ANALYZE of the tables the import just wrote, a reader's long transaction). Past it the import goes on:
 * the searches are as right, their index-only scans only read the table until autovacuum comes by.
 */
const SEARCH_NAMES_VISIBLE_WAIT_MS = 10_000;
const SEARCH_NAMES_VISIBLE_RETRY_MS = 100;

/**
 * VACUUM of the search names until every page is all-visible (or the wait above runs out): the search's index-only
 * scans then never read the table. VACUUM marks a page only when no session's snapshot predates its rows, so the
 * import runs this once no statement that started before the tables were written is still running (beside the
 * tile cells' fills it set none).
 */
export async function makeSearchNamesAllVisible(db: StepSession, schema: string): Promise<void> {
  const deadline = Date.now() + SEARCH_NAMES_VISIBLE_WAIT_MS;
  for (;;) {
    await db.query(`VACUUM ${ident(schema)}.zone_names, ${ident(schema)}.zone_names_terms`);
    const { rows } = await db.query<{ pages_left: number }>(loadSql(import.meta.url, "sql/search-names-visible.sql"), [
      schema,
    ]);
    const pagesLeft = rows[0]?.pages_left ?? 0;
    if (pagesLeft === 0) return;
    if (Date.now() >= deadline) {
      log.warn({ schema, pagesLeft }, "search names not all-visible: an older transaction of the database held them");
      return;
    }
    await new Promise((r) => setTimeout(r, SEARCH_NAMES_VISIBLE_RETRY_MS));
  }
}

/**
 * The search names of a version imported by an older cosmo (no search function, or no names tables at all), built
 * before it is served (publish, rollback); what it has of them, in an older form, is dropped first. False when it has them:
 * then it gets this cosmo's search function, and its names are made all-visible (an earlier cosmo's import left
 * them not; on a version imported by this one, both change nothing).
 */
export async function ensureSearchNames(pool: pg.Pool, schema: string): Promise<boolean> {
  const { rows } = await pool.query<{ present: boolean }>(loadSql(import.meta.url, "sql/search-names-exists.sql"), [
    schema,
  ]);
  if (rows[0]?.present) {
    await pool.query(loadSql(import.meta.url, "sql/search-names-function.sql", { schema }));
    await makeSearchNamesAllVisible(pool, schema);
    return false;
  }
  log.info({ schema }, "this version has no search names in this cosmo's form yet: building them");
  await pool.query(`DROP FUNCTION IF EXISTS ${ident(schema)}.zone_names_search`);
  await pool.query(`DROP TABLE IF EXISTS ${ident(schema)}.zone_names_terms, ${ident(schema)}.zone_names`);
  await buildSearchNames(pool, schema);
  await makeSearchNamesAllVisible(pool, schema);
  return true;
}

interface GeometryRow {
  row: string;
  id: number;
  zone_type: string | null;
  admin_level: number | null;
  bytes: number;
}

/** `items` cut into at most `count` runs of consecutive items of about the same total `bytes`. */
export function shares<T extends { bytes: number }>(items: readonly T[], count: number): T[][] {
  const n = Math.max(1, Math.min(count, items.length));
  const total = items.reduce((s, x) => s + x.bytes, 0);
  const out: T[][] = [];
  let current: T[] = [];
  let sum = 0;
  for (const item of items) {
    current.push(item);
    sum += item.bytes;
    // the end of share k is where the running total passes k/n of the whole
    if (out.length < n - 1 && sum >= (total * (out.length + 1)) / n) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The query structures built once the core import is done, in priority order. */
function structureSteps(schema: string, rows: readonly GeometryRow[], sessions: number): Step[] {
  const shareCount = sessions === 1 ? 1 : sessions * SHARES_PER_SESSION;
  const steps: Step[] = [
    // the longest single statement first: the tile cells' shares fill the other sessions meanwhile
    {
      id: "search names",
      group: GROUP.names,
      locks: [{ table: "zones", mode: "read" }],
      run: (db) => buildSearchNames(db, schema),
    },
    ...tileCellSteps(schema, rows, shareCount),
  ];
  // last, alone: every other structure step (started while the names were written) is done by then
  return [
    ...steps,
    {
      id: "search names all-visible",
      group: GROUP.namesVisible,
      after: steps.map((s) => s.id),
      locks: [
        { table: "zone_names", mode: "analyze" },
        { table: "zone_names_terms", mode: "analyze" },
      ],
      run: (db) => makeSearchNamesAllVisible(db, schema),
    },
  ];
}

/** The core import's steps after the load, in priority order (parallel-steps.ts starts the first ready one). */
function coreSteps(schema: string, rows: readonly GeometryRow[], sessions: number): Step[] {
  const shareCount = sessions === 1 ? 1 : sessions * SHARES_PER_SESSION;
  const zones = "zones";
  const steps: Step[] = [];

  // deepest band first: each coarser band is simplified from the previous (finer) one; the deepest from the
  // zones, in the same read as their validity check (check-and-generalise.sql)
  const bands = ZOOM_BANDS.filter((b) => b.table !== null).sort((a, b) => b.minZoom - a.minZoom);
  const deepest = bands[0];
  const deepestTable = deepest.table as string;
  const checkStatement = sql("check-and-generalise.sql", {
    schema,
    generalise: sqlFragment(generaliseStatement(schema, deepest, sqlFragment("valid_rows"))),
  });
  const toRepair: string[] = [];
  const repairedIds: number[] = [];
  const checks = shares(rows, shareCount).map(
    (share, k): Step => ({
      id: `validity check ${k}`,
      group: GROUP.repair,
      locks: [
        { table: zones, mode: "read" },
        { table: deepestTable, mode: "write" },
      ],
      run: async (db) => {
        const found = await db.query<{ row: string; id: string }>(checkStatement, [share.map((r) => r.row)]);
        for (const r of found.rows) {
          toRepair.push(r.row);
          repairedIds.push(Number(r.id));
        }
      },
    }),
  );
  steps.push(...checks);
  steps.push({
    id: "repair",
    group: GROUP.repair,
    after: checks.map((c) => c.id),
    locks: [{ table: zones, mode: "write" }],
    run: async (db) => {
      if (toRepair.length === 0) return;
      log.info({ zones: toRepair.length }, "repairing invalid or empty geometries");
      await db.query(sql("make-valid.sql", { schema }), [toRepair]);
    },
  });

  // Every index after the repair: one started during the checks would keep the repair (and so everything
  // else) waiting behind it, and the checks already keep every core busy. The primary key's index first
  // (generalisation reads zones by id), then the GiSTs (the longest), then the btrees.
  steps.push({
    id: "index zones_pkey",
    group: GROUP.indexes,
    after: ["repair"],
    locks: [{ table: zones, mode: "index" }],
    run: (db) => db.query(sql("id-index.sql", { schema })),
  });
  steps.push({
    id: "index zones_geom",
    group: GROUP.indexes,
    after: ["repair"],
    locks: [{ table: zones, mode: "index" }],
    run: (db) => db.query(sql("geom-index.sql", { schema })),
  });
  statements(sql("indexes.sql", { schema })).forEach((statement, k) => {
    steps.push({
      id: `index ${k}`,
      group: GROUP.indexes,
      after: ["repair"],
      locks: [{ table: zones, mode: "index" }],
      run: (db) => db.query(statement),
    });
  });

  // the deepest band's rows the checks left out: those repaired, generalised once repaired
  const repairedRows = sql("band-rows.sql", { schema, source: zones });
  steps.push({
    id: `generalise ${deepestTable} repaired`,
    group: GROUP.generalise,
    after: ["repair", "index zones_pkey"],
    locks: [
      { table: zones, mode: "read" },
      { table: deepestTable, mode: "write" },
    ],
    run: async (db) => {
      if (repairedIds.length === 0) return;
      await db.query(generaliseStatement(schema, deepest, sqlFragment(repairedRows)), [repairedIds]);
    },
  });
  let source = deepestTable;
  let sourceDone = [...checks.map((c) => c.id), `generalise ${deepestTable} repaired`];
  const bandSteps: Step[] = [];
  for (const band of bands) {
    const table = band.table as string;
    let built = sourceDone;
    if (band !== deepest) {
      const members = rows.filter((r) => zoneInBand(band, r));
      const inserts = shares(members, shareCount).map(
        (share, k): Step => generaliseStep(schema, band, source, sourceDone, share, k),
      );
      steps.push(...inserts);
      built = inserts.map((s) => s.id);
    }
    bandSteps.push(
      {
        id: `index ${table}`,
        group: GROUP.generalise,
        after: built,
        locks: [{ table, mode: "index" }],
        run: (db) => db.query(sql("band-index.sql", { schema, table })),
      },
      {
        id: `analyze ${table}`,
        group: GROUP.analyze,
        after: built,
        locks: [{ table, mode: "analyze" }],
        run: (db) => db.query(`ANALYZE ${ident(schema)}.${ident(table)}`),
      },
    );
    source = table;
    sourceDone = built;
  }

  steps.push(...bandSteps);
  // after the indexes in priority: ANALYZE and CREATE INDEX exclude each other, and a ready ANALYZE kept back
  // keeps back the index builds after it
  steps.push({
    id: "analyze zones",
    group: GROUP.analyze,
    after: ["repair"],
    locks: [{ table: zones, mode: "analyze" }],
    run: (db) => db.query(sql("analyze-zones.sql", { schema })),
  });
  steps.push({
    id: "primary key",
    group: GROUP.indexes,
    after: ["index zones_pkey"],
    locks: [{ table: zones, mode: "exclusive" }],
    run: (db) => db.query(sql("primary-key.sql", { schema })),
  });
  return steps;
}

/**
 * The big zones of `rows` (those the tile cells may cut) in at most `count` shares of about equal size, the share
 * holding the biggest zone first: a zone is never split, and the biggest boundary also takes the most levels of
 * the cells' quadtree, so its share is the longest; started last (ids put it last), it left the other sessions
 * idle at the end.
 */
export function tileCellShares<T extends { bytes: number }>(rows: readonly T[], count: number): T[][] {
  const biggest = (share: readonly T[]) => Math.max(...share.map((r) => r.bytes));
  return shares(
    rows.filter((r) => r.bytes >= TILE_CELL_MIN_BYTES),
    count,
  ).sort((a, b) => biggest(b) - biggest(a));
}

/** The tiles' pieces of big zones (tile-cells.ts), from the repaired zones, in shares; then their indexes. */
function tileCellSteps(schema: string, rows: readonly GeometryRow[], shareCount: number): Step[] {
  const fills = tileCellShares(rows, shareCount).map(
    (share, k): Step => ({
      id: `tile cells ${k}`,
      group: GROUP.tileCells,
      locks: [
        { table: "zones", mode: "read" },
        { table: "tile_cells", mode: "write" },
        { table: "tile_cut_zones", mode: "write" },
      ],
      run: (db) =>
        fillTileCells(
          db,
          schema,
          share.map((r) => r.id),
        ),
    }),
  );
  const index: Step = {
    id: "index tile_cells",
    group: GROUP.tileCells,
    after: fills.map((s) => s.id),
    locks: [
      { table: "tile_cells", mode: "index" },
      { table: "tile_cut_zones", mode: "index" },
    ],
    run: (db) => indexTileCells(db, schema),
  };
  return [...fills, index];
}

/** generalise.sql for `band` over `rows` (band-rows.sql, or the rows a check has just read). */
function generaliseStatement(schema: string, band: ZoomBand, rows: SqlFragment): string {
  return sql("generalise.sql", {
    schema,
    table: band.table as string,
    rows,
    filter: sqlFragment(bandFilterSql(band)),
    tolerance: band.toleranceMeters,
  });
}

function generaliseStep(
  schema: string,
  band: ZoomBand,
  source: string,
  after: readonly string[],
  share: readonly GeometryRow[],
  k: number,
): Step {
  const table = band.table as string;
  const statement = generaliseStatement(schema, band, sqlFragment(sql("band-rows.sql", { schema, source })));
  return {
    id: `generalise ${table} ${k}`,
    group: GROUP.generalise,
    after,
    locks: [
      { table: source, mode: "read" },
      { table, mode: "write" },
    ],
    run: (db) => db.query(statement, [share.map((r) => r.id)]),
  };
}

/** When no session of ours can (the free ones broke), a connection of its own cancels the busy ones. */
async function cancelOnNewConnection(pool: pg.Pool | undefined, pids: number[]): Promise<void> {
  if (!pool) return;
  const c = new pg.Client(pool.options);
  await c.connect();
  try {
    await c.query(CANCEL_SQL, [pids]);
  } finally {
    await c.end();
  }
}

/**
 * Runs on `client` (the import's, holding its lock) and, when `pool` is given, on more of the pool's sessions:
 * as many as `opts.sessions` (default: the cores) and the pool's size allow, the client counted. A failed step
 * cancels the others; every session is idle (and the borrowed ones back in the pool) before the error is thrown.
 */
export async function postLoad(
  client: pg.PoolClient,
  schema: string,
  pool?: pg.Pool,
  opts: PostLoadOptions = {},
): Promise<PostLoadTimings> {
  const t0 = performance.now();
  const wanted = Math.max(1, Math.min(opts.sessions ?? availableParallelism(), pool ? (pool.options.max ?? 10) : 1));
  const borrowed: pg.PoolClient[] = [];
  const broken = new Set<pg.ClientBase>();
  // A killed backend's client emits 'error' (after its statement has failed), possibly after we are done with
  // it: without a listener that would end the process before the import could record its failure.
  const onError = (err: Error) => log.warn({ err: err.message }, "a post-load session lost its connection");
  client.on("error", onError);
  let failed = true;
  try {
    for (let i = 1; i < wanted; i++) {
      const s = await (pool as pg.Pool).connect();
      s.on("error", onError);
      borrowed.push(s);
    }
    for (const band of ZOOM_BANDS) {
      if (band.table) await client.query(sql("generalised-table.sql", { schema, table: band.table }));
    }
    await client.query(sql("repaired-zones-table.sql", { schema }));
    await createTileCellTables(client, schema);
    const { rows } = await client.query<GeometryRow>(sql("list-geometries.sql", { schema }));
    const sessions = [client, ...borrowed];
    const groupMs = new Map<string, number>();
    const run = async (steps: Step[]) => {
      try {
        const done = await runSteps(steps, sessions, (pids) => cancelOnNewConnection(pool, pids));
        for (const [group, ms] of done.groupMs) groupMs.set(group, ms);
      } catch (err) {
        if (!(err instanceof StepsFailed)) throw err;
        for (const s of err.troubled) broken.add(s);
        throw err.first;
      }
    };
    await run(coreSteps(schema, rows, sessions.length));
    const coreMs = performance.now() - t0;
    // `at`: seconds since the process started, the command's own clock (the bench reads the core's end from it)
    log.info(
      {
        step: "core import",
        seconds: Number((coreMs / 1000).toFixed(2)),
        at: Number((performance.now() / 1000).toFixed(2)),
      },
      "core import done",
    );
    await run(structureSteps(schema, rows, sessions.length));
    const postLoadMs = performance.now() - t0;
    log.info(
      { step: "after the load", seconds: Number((postLoadMs / 1000).toFixed(2)), sessions: sessions.length },
      "post-load steps done",
    );
    const ms = (g: string) => groupMs.get(g) ?? 0;
    failed = false;
    return {
      makeValidMs: ms(GROUP.repair),
      indexesMs: ms(GROUP.indexes),
      searchNamesMs: ms(GROUP.names) + ms(GROUP.namesVisible),
      generaliseMs: ms(GROUP.generalise),
      analyzeMs: ms(GROUP.analyze),
      tileCellsMs: ms(GROUP.tileCells),
      coreMs,
      postLoadMs,
      postLoadSessions: sessions.length,
    };
  } finally {
    // a session whose statement failed or was cancelled is closed rather than pooled (the listener stays on
    // those: their 'error' may still come); the import's own client is closed by its caller after a failure
    for (const s of borrowed) {
      if (!broken.has(s)) s.off("error", onError);
      s.release(broken.has(s));
    }
    if (!failed) client.off("error", onError);
  }
}
