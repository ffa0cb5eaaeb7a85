// The point lookup (zone_pieces, importer/lookup.ts) gives exactly what ST_Covers says on the full boundaries:
// 10 k seeded random points and every tricky point (vertices and edge midpoints of the boundaries and of the cut
// pieces, points in holes, points on and beside the cut lines) on Luxembourg, on a synthetic enclave dataset and
// on a synthetic dataset of the cutting's cases (cut-fixture.ts); /zones/at = the same query on the
// full boundaries, order included; the structure is built at import (its time in the summary) and before
// publishing a version that lacks it.

import type { PoolClient } from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { seededRandom } from "../../core/seeded-random.ts";
import { loadSql } from "../../core/sql.ts";
import { type PlanNode, planNodes, type TestDatabase, testConfig, testDatabase } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import {
  BUILD_SETTINGS,
  buildLookup,
  fillStatements,
  PIECE_MAX_DEPTH,
  PIECE_MAX_VERTICES,
  sharesBySize,
} from "../../importer/lookup.ts";
import { publishVersion, rollback } from "../../importer/publish.ts";
import { TILE_CELL_ZOOMS } from "../../importer/tile-cells.ts";
import { coveringPiecesSql, ZoneQueries } from "../queries.ts";
import { startApiServer } from "../server.ts";
import { zoneShape } from "../views.ts";
import { CROWDED, CUT_IDS, cutZonesFile, HOLE, SLOT } from "./cut-fixture.ts";
import { ENCLAVE_POINTS, enclaveZonesFile } from "./enclave-fixture.ts";
import { eventually, getJson, luxembourgDatabase, type ServingFixture } from "./support.ts";

interface Differences {
  pairs: number;
  points_in_zones: number;
  differences: { i: number; zone_id: number; found: string }[];
}

async function differences(db: TestDatabase, schema: string, lon: number[], lat: number[]): Promise<Differences> {
  const text = loadSql(import.meta.url, "sql/lookup-differences.sql", {
    schema,
    covering_pieces: coveringPiecesSql(schema),
  });
  return (await db.pool.query<Differences>(text, [lon, lat])).rows[0] as Differences;
}

/** About `perKind` points of each tricky kind (see sql/tricky-points.sql). */
async function trickyPoints(db: TestDatabase, schema: string, perKind: number) {
  const text = loadSql(import.meta.url, "sql/tricky-points.sql", { schema });
  return (await db.pool.query<{ lon: number[]; lat: number[] }>(text, [perKind])).rows[0] as {
    lon: number[];
    lat: number[];
  };
}

/**
 * What `work` added to the counts `read` gives (PostgreSQL's own counts of the transaction): read before and after
 * it, in one transaction, on one connection. Not the counts alone: those of the connection's earlier transactions
 * stay in them until the backend flushes its statistics (when it is idle, at most once a second).
 */
async function countsOf(
  db: TestDatabase,
  work: (client: PoolClient) => Promise<unknown>,
  read: (client: PoolClient) => Promise<Record<string, number>>,
): Promise<Record<string, number>> {
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL track_functions = 'all'");
    const before = await read(client);
    await work(client);
    const after = await read(client);
    await client.query("COMMIT");
    return Object.fromEntries(
      Object.entries(after)
        .map(([name, n]): [string, number] => [name, n - (before[name] ?? 0)])
        .filter(([, n]) => n > 0),
    );
  } finally {
    client.release();
  }
}

/** How many times rebuilding the pieces on one connection called each function, by name. */
function buildCountingCalls(db: TestDatabase, schema: string): Promise<Record<string, number>> {
  return countsOf(
    db,
    (client) => buildLookup(client, schema),
    async (client) => {
      const { rows } = await client.query<{ name: string; calls: number }>(
        `SELECT proname AS name, sum(pg_stat_get_xact_function_calls(oid))::int AS calls
           FROM pg_proc WHERE pg_stat_get_xact_function_calls(oid) > 0 GROUP BY proname`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.calls]));
    },
  );
}

/** Blocks of the zones' TOAST table that `work` read. */
async function zonesToastBlocksRead(db: TestDatabase, schema: string, work: (client: PoolClient) => Promise<unknown>) {
  const counts = await countsOf(db, work, async (client) => {
    const { rows } = await client.query<{ blocks: number }>(
      `SELECT pg_stat_get_xact_blocks_fetched(reltoastrelid)::int AS blocks FROM pg_class WHERE oid = $1::regclass`,
      [`"${schema}".zones`],
    );
    return { blocks: rows[0]?.blocks as number };
  });
  return counts.blocks ?? 0;
}

function randomPoints(n: number, seed: number, [minLon, minLat, maxLon, maxLat]: number[]) {
  const rnd = seededRandom(seed);
  const lon: number[] = [];
  const lat: number[] = [];
  for (let k = 0; k < n; k++) {
    lon.push(minLon + rnd() * (maxLon - minLon));
    lat.push(minLat + rnd() * (maxLat - minLat));
  }
  return { lon, lat };
}

/** differences() on 10 000 seeded random points in `bbox` and every tricky point; and how many tricky ones. */
async function randomAndTrickyDifferences(db: TestDatabase, schema: string, seed: number, bbox: number[]) {
  const random = randomPoints(10_000, seed, bbox);
  const tricky = await trickyPoints(db, schema, 1_000_000); // all of them
  const d = await differences(db, schema, [...random.lon, ...tricky.lon], [...random.lat, ...tricky.lat]);
  return { d, tricky: tricky.lon.length };
}

async function extent(db: TestDatabase, schema: string): Promise<number[]> {
  const { rows } = await db.pool.query<{ b: number[] }>(
    `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b
       FROM (SELECT ST_Extent(geom_4326)::geometry AS e FROM "${schema}".zones) x`,
  );
  return rows[0]?.b as number[];
}

test("sharesBySize: shares of about equal size, the largest first, each item once", () => {
  const items = [5, 1, 9, 3, 3, 7, 2, 8].map((bytes, id) => ({ id, bytes }));
  const shares = sharesBySize(items, 3);
  const size = (ids: number[]) => ids.reduce((n, id) => n + (items[id]?.bytes as number), 0);
  expect(shares.map(size)).toEqual([13, 13, 12]);
  expect(shares.flat().sort()).toEqual(items.map((i) => i.id));
  expect(sharesBySize(items.slice(0, 2), 4)).toEqual([[0], [1]]);
  expect(sharesBySize([], 4)).toEqual([]);
});

describe("point lookup on Luxembourg", () => {
  let fx: ServingFixture;
  const schema = () => `zones_v${fx.version}`;
  beforeAll(async () => {
    fx = await luxembourgDatabase("lookup");
  });
  afterAll(async () => {
    await fx?.db.close();
  });

  test(`large boundaries are cut into ≤ ${PIECE_MAX_VERTICES}-vertex pieces, small polygons kept whole`, async () => {
    const { rows } = await fx.db.pool.query<{ exact: boolean; n: number; max_points: number }>(
      `SELECT exact, count(*)::int AS n, max(ST_NPoints(geom))::int AS max_points
         FROM "${schema()}".zone_pieces GROUP BY exact ORDER BY exact`,
    );
    const cut = rows.find((r) => !r.exact);
    expect(cut?.n).toBeGreaterThan(100);
    expect(cut?.max_points).toBeLessThanOrEqual(PIECE_MAX_VERTICES);
    expect(rows.find((r) => r.exact)?.n).toBeGreaterThan(0);
  });

  test("the build takes zones and clips apart with ST_Dump only where a zone has several polygons; one box a halving", async () => {
    // ST_Dump copies each part through hex WKB text (the costliest call of the build when every zone and clip went
    // through it); box2d reads every vertex of the piece, once a halving (and once for each half's box). The zones
    // cut for the tiles are taken from their cells (next test): one box and one clip a cell, no ST_Dump.
    const calls = await buildCountingCalls(fx.db, schema());
    const { rows } = await fx.db.pool.query<{ several: number }>(
      `SELECT count(*)::int AS several FROM "${schema()}".zones
        WHERE ST_NPoints(geom_4326) > ${PIECE_MAX_VERTICES} AND ST_NumGeometries(geom_4326) > 1
          AND id NOT IN (SELECT id FROM "${schema()}".tile_cut_zones)`,
    );
    expect(rows[0]?.several).toBeGreaterThan(0);
    expect(calls.st_dump ?? 0).toBe(rows[0]?.several);
    const cells = calls.st_transform as number;
    const halvings = ((calls.st_clipbybox2d as number) - cells) / 2;
    expect(halvings).toBeGreaterThan(100);
    expect(calls.box2d).toBe(3 * halvings + cells);
  });

  test("the zones cut for the tiles take their pieces from their z12 cells, each projected and clipped once", async () => {
    const { rows } = await fx.db.pool.query<{ zones: number; cells: number }>(
      `SELECT (SELECT count(*)::int FROM "${schema()}".tile_cut_zones) AS zones,
              (SELECT count(*)::int FROM "${schema()}".tile_cells WHERE cell_z = ${TILE_CELL_ZOOMS.at(-1)} AND NOT covered) AS cells,
              (SELECT count(*)::int FROM "${schema()}".tile_cells WHERE covered) AS covered`,
    );
    const { zones, cells, covered } = rows[0] as { zones: number; cells: number; covered: number };
    expect(zones).toBeGreaterThan(0);
    expect(covered).toBeGreaterThan(0);
    // each piece projected back to EPSG:4326 once (its cell's box computed, not projected); a cell the zone covers
    // whole (covered, at any zoom) is its box, neither projected nor clipped
    expect((await buildCountingCalls(fx.db, schema())).st_transform).toBe(cells);
    expect((await buildLookup(fx.db.pool, schema())).fromCells).toBe(zones);
  });

  test("the zones taken from their cells are not checked for validity again: the import's repair recorded those it rewrote", async () => {
    // ST_IsValid only for the polygons of over PIECE_MAX_VERTICES vertices cut from geom_4326 (lookup-fill.sql)
    const calls = await buildCountingCalls(fx.db, schema());
    const { rows } = await fx.db.pool.query<{ polygons: number; cut: number }>(
      `SELECT (SELECT count(*)::int FROM "${schema()}".zones z CROSS JOIN LATERAL ST_Dump(z.geom_4326) d
                WHERE ST_NPoints(z.geom_4326) > ${PIECE_MAX_VERTICES} AND ST_NPoints(d.geom) > ${PIECE_MAX_VERTICES}
                  AND z.id NOT IN (SELECT id FROM "${schema()}".tile_cut_zones)) AS polygons,
              (SELECT count(*)::int FROM "${schema()}".tile_cut_zones) AS cut`,
    );
    const { polygons, cut } = rows[0] as { polygons: number; cut: number };
    expect(polygons).toBeGreaterThan(0);
    expect(cut).toBeGreaterThan(0);
    expect(calls.st_isvalid).toBe(polygons);
  });

  test.each([
    { record: "the repair's record", dropRecord: false },
    { record: "no record of the repair (a version imported before it): the boundary checked", dropRecord: true },
  ])(
    "a zone cut for the tiles whose cells' pieces do not add up to it, or whose boundary is invalid, is cut from its boundary; $record",
    async ({ dropRecord }) => {
      const client = await fx.db.pool.connect();
      try {
        await client.query("BEGIN");
        const { rows } = await client.query<{ lost: string; invalid: string }>(
          `SELECT min(id) AS lost, max(id) AS invalid FROM "${schema()}".tile_cut_zones`,
        );
        const { lost, invalid } = rows[0] as { lost: string; invalid: string };
        expect(lost).not.toBe(invalid);
        // a cell's piece gone (as a clip losing a part would leave it); a bow tie added to a boundary
        await client.query(
          `DELETE FROM "${schema()}".tile_cells
          WHERE ctid = (SELECT min(ctid) FROM "${schema()}".tile_cells WHERE id = $1 AND cell_z = $2)`,
          [lost, TILE_CELL_ZOOMS.at(-1)],
        );
        await client.query(
          `UPDATE "${schema()}".zones SET geom_4326 = ST_Multi(ST_Collect(ARRAY(
           SELECT d.geom FROM ST_Dump(geom_4326) d
           UNION ALL
           SELECT ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[ST_MakePoint(ST_XMin(geom_4326), ST_YMin(geom_4326)),
             ST_MakePoint(ST_XMax(geom_4326), ST_YMax(geom_4326)), ST_MakePoint(ST_XMax(geom_4326), ST_YMin(geom_4326)),
             ST_MakePoint(ST_XMin(geom_4326), ST_YMax(geom_4326)), ST_MakePoint(ST_XMin(geom_4326), ST_YMin(geom_4326))])), 4326)
         ))) WHERE id = $1`,
          [invalid],
        );
        // as the import's repair does with the geom of such a boundary (its projection is as invalid)
        if (dropRecord) await client.query(`DROP TABLE "${schema()}".zones_repaired`);
        else await client.query(`INSERT INTO "${schema()}".zones_repaired (id) VALUES ($1)`, [invalid]);
        const build = await buildLookup(client, schema());
        const { rows: all } = await client.query<{ zones: number }>(
          `SELECT count(*)::int AS zones FROM "${schema()}".tile_cut_zones`,
        );
        expect(build.fromCells).toBe((all[0]?.zones as number) - 2);
        // the zone that lost a cell: cut from its boundary, its pieces add up to it again
        const { rows: areas } = await client.query<{ zone: number; pieces: number }>(
          `SELECT ST_Area(z.geom_4326) AS zone, (SELECT sum(ST_Area(p.geom)) FROM "${schema()}".zone_pieces p
                                                WHERE p.zone_id = z.id) AS pieces
           FROM "${schema()}".zones z WHERE z.id = $1`,
          [lost],
        );
        expect(areas[0]?.pieces).toBeCloseTo(areas[0]?.zone as number, 10);
        // the invalid one: its bow tie kept whole, as it is (exact)
        const { rows: kept } = await client.query<{ exact: number }>(
          `SELECT count(*)::int AS exact FROM "${schema()}".zone_pieces WHERE zone_id = $1 AND exact AND ST_NPoints(geom) = 5`,
          [invalid],
        );
        expect(kept[0]?.exact).toBe(1);
      } finally {
        await client.query("ROLLBACK");
        client.release();
      }
    },
  );

  test("the build's statements are planned without Memoize (keyed on whole boundaries and clips that never repeat)", async () => {
    const { fill, fillCells } = fillStatements(schema(), true);
    const { rows } = await fx.db.pool.query<{ cut: string[] }>(
      `SELECT array_agg(id::text) AS cut FROM "${schema()}".tile_cut_zones`,
    );
    const cut = rows[0]?.cut ?? [];
    expect(cut.length).toBeGreaterThan(0);
    const client = await fx.db.pool.connect();
    const plans = async () => {
      const texts: string[] = [];
      for (const [text, params] of [
        [fill, [0, Number.MAX_SAFE_INTEGER, cut]],
        [fillCells, [cut]],
      ] as const) {
        const { rows: plan } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (COSTS OFF) ${text}`, [...params]);
        texts.push(plan.map((r) => r["QUERY PLAN"]).join("\n"));
      }
      return texts.join("\n");
    };
    try {
      await client.query("BEGIN");
      // the planner's own choice on this dataset: what the settings are for
      expect(await plans()).toMatch(/Memoize/);
      await client.query(BUILD_SETTINGS);
      expect(await plans()).not.toMatch(/Memoize/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("each part is halved on its own, in memory: no temporary file even in 1 MB of work_mem", async () => {
    // the recursion keeps every level's pieces until it ends: over a whole statement's parts they went to
    // temporary files and back (hundreds of MB a share on the grid), one part's fit in memory
    const { fill } = fillStatements(schema(), true);
    const { rows: cut } = await fx.db.pool.query<{ ids: string[] }>(
      `SELECT array_agg(id::text) AS ids FROM "${schema()}".tile_cut_zones`,
    );
    const client = await fx.db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(BUILD_SETTINGS);
      await client.query("SET LOCAL work_mem = '1MB'");
      const halvings = (
        await planNodes(client, "ANALYZE, BUFFERS, TIMING OFF", fill, [0, Number.MAX_SAFE_INTEGER, cut[0]?.ids])
      ).filter((node) => node["Node Type"] === "CTE Scan" && node["CTE Name"] === "cut");
      expect(halvings).toHaveLength(1);
      const halving = halvings[0] as PlanNode;
      expect((halving["Actual Rows"] ?? 0) * (halving["Actual Loops"] ?? 0)).toBeGreaterThan(100);
      expect(halving["Temp Written Blocks"]).toBe(0);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("the build's id ranges are weighed in float8 and leave the tiles' cut zones out by a hash", async () => {
    // a numeric log and numeric running sums, and each zone compared with every cut zone's id (`<> ALL`), took
    // 3.7 s on the grid's 31 k zones before any range could start (0.45 s so)
    const chunks = loadSql(new URL("../../importer/lookup.ts", import.meta.url).href, "sql/lookup-chunks.sql", {
      schema: schema(),
      max_vertices: PIECE_MAX_VERTICES,
    });
    const { rows: cut } = await fx.db.pool.query<{ ids: string[] }>(
      `SELECT array_agg(id::text) AS ids FROM "${schema()}".tile_cut_zones`,
    );
    const { rows } = await fx.db.pool.query<{ "QUERY PLAN": string }>(`EXPLAIN (VERBOSE, COSTS OFF) ${chunks}`, [
      8,
      cut[0]?.ids,
    ]);
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toMatch(/hashed SubPlan/);
    expect(plan).not.toMatch(/numeric/);
    expect(plan).not.toMatch(/<> ALL/);
  });

  test("the build reads each boundary from TOAST once", async () => {
    // every function given a stored boundary fetches and decompresses it anew: the counts, the polygons and a
    // small zone's row each took it once more
    const once = await zonesToastBlocksRead(fx.db, schema(), (c) =>
      c.query(`SELECT sum(ST_NPoints(geom_4326)) FROM "${schema()}".zones`),
    );
    expect(once).toBeGreaterThan(100);
    expect(await zonesToastBlocksRead(fx.db, schema(), (c) => buildLookup(c, schema()))).toBe(once);
  });

  test("10 000 seeded random points: the same zones as ST_Covers on the full boundaries", async () => {
    const bbox = await extent(fx.db, schema());
    const { lon, lat } = randomPoints(10_000, 16, bbox);
    const d = await differences(fx.db, schema(), lon, lat);
    expect(d.differences).toEqual([]);
    expect(d.points_in_zones).toBeGreaterThan(3000);
    expect(d.pairs).toBeGreaterThan(2 * d.points_in_zones);
  });

  test("vertices and edge midpoints of boundaries and cut pieces, points in holes: the same zones", async () => {
    // On shared borders every point is answered on the full boundaries (slow by design): a sample of each kind.
    const { lon, lat } = await trickyPoints(fx.db, schema(), 200);
    expect(lon.length).toBeGreaterThanOrEqual(800);
    const d = await differences(fx.db, schema(), lon, lat);
    expect(d.differences).toEqual([]);
    // On shared borders: a point covered by two zones of the same type (both sides of the border).
    expect(d.pairs).toBeGreaterThan(lon.length);
  });

  test("/zones/at = the same query on the full boundaries, same order", async () => {
    const queries = new ZoneQueries(fx.db.pool);
    const ref = { version: fx.version, schema: schema() } as never;
    const bbox = await extent(fx.db, schema());
    const { lon, lat } = randomPoints(200, 7, bbox);
    const tricky = await trickyPoints(fx.db, schema(), 20);
    for (const [k, x] of tricky.lon.entries()) {
      lon.push(x);
      lat.push(tricky.lat[k] as number);
    }
    let answered = 0;
    for (let k = 0; k < lon.length; k++) {
      const fast = await queries.at(ref, lon[k] as number, lat[k] as number, zoneShape({}));
      const full = await queries.atFullBoundaries(ref, lon[k] as number, lat[k] as number, zoneShape({}));
      expect(fast, `point ${lon[k]} ${lat[k]}`).toEqual(full);
      if (full.length > 0) answered++;
    }
    expect(answered).toBeGreaterThan(lon.length / 3);
  });
});

describe("point lookup on an enclave dataset (Baarle-like)", () => {
  let db: TestDatabase;
  let schema: string;
  let summary: string;
  let api: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    db = await testDatabase("lookup_enclave");
    const r = await importZonesFile(db, enclaveZonesFile(), { publish: true, progress: false });
    schema = `zones_v${r.version}`;
    summary = r.summary;
    api = await startApiServer({ db, port: 0, host: "127.0.0.1", config: testConfig({ db }) });
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });

  test("the import reports the build of the lookup structure", () => {
    expect(summary).toMatch(/point lookup \d+\.\d s: \d+ pieces, \d+\.\d MB, on \d+ connections/);
  });

  test("random and tricky points: the same zones as ST_Covers on the full boundaries", async () => {
    const { d } = await randomAndTrickyDifferences(db, schema, 1, [-1, -1, 21, 11]);
    expect(d.differences).toEqual([]);
    expect(d.points_in_zones).toBeGreaterThan(8000);
  });

  test.each(ENCLAVE_POINTS)("/zones/at $name", async ({ lon, lat, zones }) => {
    const r = await getJson(`${api.url}/zones/at?lon=${lon}&lat=${lat}`);
    expect(r.status).toBe(200);
    expect(r.body.zones.map((z: { id: number }) => z.id)).toEqual(zones);
  });

  test("a served version without the structure (imported before it existed) still answers /zones/at", async () => {
    await db.pool.query(`DROP TABLE "${schema}".zone_pieces`);
    try {
      for (const p of ENCLAVE_POINTS) {
        const r = await getJson(`${api.url}/zones/at?lon=${p.lon}&lat=${p.lat}`);
        expect(r.status).toBe(200);
        expect(r.body.zones.map((z: { id: number }) => z.id)).toEqual(p.zones);
      }
    } finally {
      await buildLookup(db.pool, schema);
    }
  });

  test("publishing a version imported without the structure builds it first", async () => {
    const other = await importZonesFile(db, enclaveZonesFile("-v2"), { progress: false });
    const otherSchema = `zones_v${other.version}`;
    await db.pool.query(`DROP TABLE "${otherSchema}".zone_pieces`);
    await publishVersion(db, other.version);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${otherSchema}".zone_pieces`);
    expect(rows[0].n).toBeGreaterThan(6);
    await eventually(async () => {
      const r = await getJson(`${api.url}/zones/at?lon=3&lat=2.3`);
      expect(r.body.dataset).toBe(other.version);
      expect(r.body.zones.map((z: { name: string }) => z.name)).toEqual(["Baarle-Hertog-v2", "Belgique-v2"]);
    });

    // and rolling back to one that lacks it too
    await db.pool.query(`DROP TABLE "${schema}".zone_pieces`);
    const back = await rollback(db);
    expect(back.version).toBe(Number(schema.replace("zones_v", "")));
    await eventually(async () => {
      const r = await getJson(`${api.url}/zones/at?lon=3&lat=2.3`);
      expect(r.body.zones.map((z: { name: string }) => z.name)).toEqual(["Baarle-Hertog", "Belgique"]);
    });
  });

  test("built on one connection or on several: the same pieces", async () => {
    const pieces = async () =>
      (
        await db.pool.query<{ rows: string[] }>(
          `SELECT array_agg(zone_id || ' ' || exact || ' ' || md5(ST_AsEWKB(geom)::text) ORDER BY 1) AS rows
             FROM (SELECT * FROM "${schema}".zone_pieces ORDER BY zone_id, md5(ST_AsEWKB(geom)::text)) p`,
        )
      ).rows[0]?.rows;
    const one = await buildLookup(db.pool, schema, { connections: 1 });
    const single = await pieces();
    const three = await buildLookup(db.pool, schema, { connections: 3 });
    expect(three.connections).toBe(3);
    expect(await pieces()).toEqual(single);
    expect(three.pieces).toBe(one.pieces);
    expect(one.pieces).toBeGreaterThan(6);
  });
});

describe("how zones are cut (cut-fixture.ts)", () => {
  let db: TestDatabase;
  let schema: string;
  beforeAll(async () => {
    db = await testDatabase("lookup_cut");
    const r = await importZonesFile(db, cutZonesFile(), { progress: false });
    schema = `zones_v${r.version}`;
  });
  afterAll(async () => {
    await db?.close();
  });

  async function piecesOf(id: number) {
    const { rows } = await db.pool.query<{ exact: boolean; points: number; kind: string; as_boundary: boolean }>(
      `SELECT p.exact, ST_NPoints(p.geom)::int AS points, GeometryType(p.geom) AS kind,
              ST_AsEWKB(p.geom) = ST_AsEWKB(z.geom_4326) AS as_boundary
         FROM "${schema}".zone_pieces p JOIN "${schema}".zones z ON z.id = p.zone_id
        WHERE p.zone_id = $1`,
      [id],
    );
    return rows;
  }

  test(`a zone of at most ${PIECE_MAX_VERTICES} vertices is one exact piece: its boundary as it is`, async () => {
    for (const id of [CUT_IDS.twoSquares, CUT_IDS.hole, CUT_IDS.neighbour]) {
      expect(await piecesOf(id), `zone ${id}`).toEqual([expect.objectContaining({ exact: true, as_boundary: true })]);
    }
    // two polygons, one piece
    expect((await piecesOf(CUT_IDS.twoSquares))[0]?.kind).toBe("MULTIPOLYGON");
  });

  test("a larger zone is cut into small polygons that together are the zone, no more, no less", async () => {
    for (const id of [CUT_IDS.wiggly, CUT_IDS.slotted, CUT_IDS.combed]) {
      const pieces = await piecesOf(id);
      expect(pieces.length, `zone ${id}`).toBeGreaterThanOrEqual(2);
      for (const p of pieces) {
        expect(p).toEqual(expect.objectContaining({ exact: false, kind: "POLYGON" }));
        expect(p.points).toBeLessThanOrEqual(PIECE_MAX_VERTICES);
      }
      // the pieces only meet on cut lines: their areas add up to the zone's, and so does their union's
      const { rows } = await db.pool.query<{ zone: number; sum: number; union: number }>(
        `SELECT ST_Area(z.geom_4326) AS zone, sum(ST_Area(p.geom)) AS sum, ST_Area(ST_Union(p.geom)) AS union
           FROM "${schema}".zones z JOIN "${schema}".zone_pieces p ON p.zone_id = z.id
          WHERE z.id = $1 GROUP BY z.geom_4326`,
        [id],
      );
      const r = rows[0] as { zone: number; sum: number; union: number };
      expect(Math.abs(r.sum - r.zone) / r.zone).toBeLessThan(1e-9);
      expect(Math.abs(r.union - r.zone) / r.zone).toBeLessThan(1e-9);
    }
  });

  test("the hole of a cut zone lies across cut lines: in it, on its ring and around it, the same zones", async () => {
    // pieces of the zone on either side of the first cut (x ≈ the hole's centre) share stretches of the ring
    const { rows } = await db.pool.query<{ n: number; lines: number }>(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE ST_XMax(p.geom) <= $2 OR ST_XMin(p.geom) >= $2)::int AS lines
         FROM "${schema}".zone_pieces p, "${schema}".zones h
        WHERE p.zone_id = $1 AND h.id = $3
          AND ST_Length(ST_Intersection(ST_Boundary(p.geom), ST_Boundary(h.geom_4326))) > 0`,
      [CUT_IDS.wiggly, HOLE.cx + 0.1, CUT_IDS.hole],
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
    const rnd = seededRandom(12);
    const lon: number[] = [];
    const lat: number[] = [];
    for (let k = 0; k < 5000; k++) {
      const a = rnd() * 2 * Math.PI;
      const r = HOLE.r * (0.8 + 0.4 * rnd());
      lon.push(HOLE.cx + r * Math.cos(a));
      lat.push(HOLE.cy + r * Math.sin(a));
    }
    const d = await differences(db, schema, lon, lat);
    expect(d.differences).toEqual([]);
    expect(d.points_in_zones).toBeGreaterThan(4000);
  });

  test("points on the cut lines, beside them, on borders and in the slot along a cut: the same zones", async () => {
    const { d, tricky } = await randomAndTrickyDifferences(db, schema, 3, [0, -1, 28, 10]);
    expect(d.differences).toEqual([]);
    expect(d.points_in_zones).toBeGreaterThan(5000);
    expect(tricky).toBeGreaterThan(10_000);
  });

  test(`more vertices than a piece holds in the box of halving ${PIECE_MAX_DEPTH}: one larger piece, the same zones`, async () => {
    const pieces = await piecesOf(CUT_IDS.crowded);
    const crowded = pieces.filter((p) => p.points > PIECE_MAX_VERTICES);
    expect(crowded).toEqual([expect.objectContaining({ exact: false, kind: "POLYGON" })]);
    // in and between the teeth, on them and just off them
    const lon: number[] = [];
    const lat: number[] = [];
    for (let k = 0; k < 4 * CROWDED.teeth; k++) {
      for (const y of [0, CROWDED.height / 4, CROWDED.height / 2, CROWDED.height, -1e-12, 2 * CROWDED.height]) {
        lon.push(CROWDED.x0 + (k * CROWDED.step) / 4);
        lat.push(y);
      }
    }
    const d = await differences(db, schema, lon, lat);
    expect(d.differences).toEqual([]);
    expect(d.points_in_zones).toBeGreaterThan(lon.length / 3);
    expect(d.points_in_zones).toBeLessThan(lon.length);
  });

  test("each piece's area is measured once: by the halving that made it (a polygon cut whole: before its first)", async () => {
    // the check of a halving adds the halves' areas up to the piece's, which the halving before it measured
    const calls = await buildCountingCalls(db, schema);
    const { rows } = await db.pool.query<{ cut_whole: number }>(
      `SELECT count(*)::int AS cut_whole FROM "${schema}".zones z CROSS JOIN LATERAL ST_Dump(z.geom_4326) d
        WHERE ST_NPoints(z.geom_4326) > ${PIECE_MAX_VERTICES} AND ST_NPoints(d.geom) > ${PIECE_MAX_VERTICES}
          AND ST_IsValid(d.geom)`,
    );
    const halvings = (calls.st_clipbybox2d as number) / 2;
    // where the clip goes wrong, the halves are cut by the exact overlay (and measured) instead
    const overlays = calls.st_intersection ?? 0;
    expect(halvings).toBeGreaterThan(10);
    expect(calls.st_area).toBe((rows[0]?.cut_whole as number) + 2 * halvings + overlays);
  });

  test("each halving clips the piece twice, once per half (not once per use of a half)", async () => {
    // Every split of a piece yields two non-empty halves (the piece reaches both ends of the box it is split
    // across), each a piece or split again, so splits < cut pieces and clips = 2 × splits < 2 × cut pieces.
    const calls = await buildCountingCalls(db, schema);
    const { rows } = await db.pool.query<{ cut: number }>(
      `SELECT count(*)::int AS cut FROM "${schema}".zone_pieces WHERE NOT exact`,
    );
    const cut = rows[0]?.cut as number;
    expect(cut).toBeGreaterThan(10);
    expect(calls.st_clipbybox2d).toBeGreaterThan(0);
    expect(calls.st_clipbybox2d).toBeLessThan(2 * cut);
  });

  test.each([
    { name: "on the slot's side, the first cut line", lon: SLOT.cut, lat: SLOT.depth / 2, zones: [CUT_IDS.slotted] },
    { name: "in the slot", lon: (SLOT.cut + SLOT.right) / 2, lat: SLOT.depth / 2, zones: [] },
    { name: "just beside the slot", lon: SLOT.cut - 1e-10, lat: SLOT.depth / 2, zones: [CUT_IDS.slotted] },
    { name: "on the shared border", lon: SLOT.x1, lat: 2, zones: [CUT_IDS.slotted, CUT_IDS.neighbour] },
    { name: "in the hole", lon: HOLE.cx, lat: HOLE.cy, zones: [CUT_IDS.hole] },
    { name: "in the cut zone, on its first cut line", lon: HOLE.cx, lat: 2, zones: [CUT_IDS.wiggly] },
  ])("$name", async ({ lon, lat, zones }) => {
    const text = `WITH points AS (SELECT 1 AS i, ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
                  SELECT array_agg(zone_id ORDER BY zone_id)::int[] AS ids FROM (${coveringPiecesSql(schema).text}) c`;
    const { rows } = await db.pool.query<{ ids: number[] | null }>(text, [lon, lat]);
    expect(rows[0]?.ids ?? []).toEqual(zones);
  });
});
