// How a search reads the names table (importer/sql/search-names.sql, search-names-function.sql) on the imported
// Luxembourg data: what each search reads, not only what it answers (api.test.ts checks the answers).
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ZONE_TYPES } from "../../core/cosmogony/model.ts";
import { datasetRef } from "../../core/serving/served-dataset.ts";
import { importZonesFile } from "../../importer/import.ts";
import { makeSearchNamesAllVisible } from "../../importer/post-load.ts";
import { publishVersion } from "../../importer/publish.ts";
import { type SearchParams, ZoneQueries } from "../queries.ts";
import { zoneShape } from "../views.ts";
import { editedCopy, luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
const schema = () => `zones_v${fx.version}`;

beforeAll(async () => {
  fx = await luxembourgDatabase("search");
});
afterAll(async () => {
  await fx?.db.close();
});

describe("the names table as stored", () => {
  test("rows in term order (byte order, as its btree): the rows of one name are on neighbouring pages", async () => {
    const { rows } = await fx.db.pool.query<{ rows: string; out_of_order: string; terms: string; spread: string }>(
      `SELECT count(*) AS rows, count(*) FILTER (WHERE prev COLLATE "C" > term COLLATE "C") AS out_of_order,
              count(DISTINCT term) AS terms,
              (SELECT count(*) FROM (SELECT term FROM ${schema()}.zone_names
                                     GROUP BY term HAVING count(DISTINCT (ctid::text::point)[0]) > 2) s) AS spread
       FROM (SELECT term, lag(term) OVER (ORDER BY ctid) AS prev FROM ${schema()}.zone_names) t`,
    );
    const r = rows[0] as { rows: string; out_of_order: string; terms: string; spread: string };
    expect(Number(r.rows)).toBeGreaterThan(1000);
    expect(Number(r.terms)).toBeGreaterThan(500);
    expect(Number(r.out_of_order)).toBe(0);
    // no name's rows over more than two pages (a page holds ~100 rows; Luxembourg repeats a name a few times)
    expect(Number(r.spread)).toBe(0);
  });

  test("every page all-visible after the import: the search's index-only scans never read the table", async () => {
    // VACUUM sets a page all-visible only once no session's snapshot predates its rows: run beside the import's
    // other sessions (the tile cells), it left every page out of the visibility map
    const { rows } = await fx.db.pool.query<{ relname: string; relpages: number; relallvisible: number }>(
      `SELECT relname, relpages, relallvisible FROM pg_class
       WHERE relnamespace = $1::regnamespace AND relname IN ('zone_names', 'zone_names_terms') ORDER BY relname`,
      [schema()],
    );
    expect(rows.map((r) => r.relname)).toEqual(["zone_names", "zone_names_terms"]);
    for (const r of rows) {
      expect(r.relpages).toBeGreaterThan(0);
      expect({ table: r.relname, allVisible: r.relallvisible }).toEqual({ table: r.relname, allVisible: r.relpages });
    }
  });

  test("a snapshot older than the names held during their VACUUM: tried again until it ends, then all-visible", async () => {
    // another session's transaction that began before the names were written (in CI: other test files reading the
    // same database; in production an autovacuum ANALYZE of the tables just imported) keeps VACUUM from marking
    // their pages; the VACUUM done once left them all out of the visibility map
    const scratch = `names_visible_${process.pid}`;
    const holder = new pg.Client({ connectionString: fx.db.url });
    await holder.connect();
    try {
      await holder.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      await holder.query("SELECT 1");
      await fx.db.pool.query(`CREATE SCHEMA ${scratch}`);
      for (const table of ["zone_names", "zone_names_terms"]) {
        await fx.db.pool.query(`CREATE TABLE ${scratch}.${table} AS SELECT * FROM ${schema()}.${table}`);
      }
      const released = new Promise((r) => setTimeout(r, 1000)).then(() => holder.query("COMMIT"));
      await makeSearchNamesAllVisible(fx.db.pool, scratch);
      await released;
      const { rows } = await fx.db.pool.query<{ relname: string; relpages: number; relallvisible: number }>(
        `SELECT relname, relpages, relallvisible FROM pg_class
         WHERE relnamespace = $1::regnamespace ORDER BY relname`,
        [scratch],
      );
      expect(rows.map((r) => r.relname)).toEqual(["zone_names", "zone_names_terms"]);
      for (const r of rows) {
        expect(r.relpages).toBeGreaterThan(0);
        expect({ table: r.relname, allVisible: r.relallvisible }).toEqual({ table: r.relname, allVisible: r.relpages });
      }
    } finally {
      await holder.end();
      await fx.db.pool.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
    }
  });
});

describe("a page filled by one group of names alone", () => {
  // A name given to every city (as a grid repeats every name, or a country's name labels its zones): one group
  // of rows (zone_names_terms) with more zones than a page.
  test("reads only the page's rows of it, from the index in zone id order (prefix and typo)", async () => {
    const copy = await editedCopy(fx.file, (z) => (z.zone_type === "city" ? { ...z, alt_name: "Cosmoville" } : z));
    const r = await importZonesFile(fx.db, copy, { progress: false });
    const s = `zones_v${r.version}`;
    const cities = (
      await fx.db.pool.query<{ id: string }>(`SELECT id FROM ${s}.zones WHERE zone_type = 'city' ORDER BY id`)
    ).rows.map((row) => Number(row.id));
    expect(cities.length).toBeGreaterThan(50);
    // the whole name, a prefix, a typo (typo-tolerant matches are for the first page only)
    for (const [q, limit, offset] of [
      ["Cosmoville", 5, 2],
      ["cosmov", 5, 2],
      ["Cosmovile", 5, 0],
    ] as const) {
      const client = await fx.db.pool.connect();
      try {
        // index tuples read from the names' btree: its counters in this session (they add up over transactions
        // until flushed), before and after
        const tuplesRead = async () =>
          Number(
            (
              await client.query<{ n: string }>("SELECT pg_stat_get_xact_tuples_returned($1::regclass) AS n", [
                `${s}.zone_names_term`,
              ])
            ).rows[0]?.n,
          );
        await client.query("BEGIN");
        const before = await tuplesRead();
        const { rows } = await client.query<{ zone_id: string }>(
          `SELECT zone_id FROM ${s}.zone_names_search($1, NULL, NULL, NULL, NULL, NULL, NULL, $2, $3, $4)`,
          [q, limit, offset, [...ZONE_TYPES]],
        );
        const read = (await tuplesRead()) - before;
        await client.query("ROLLBACK");
        expect(
          rows.map((row) => Number(row.zone_id)),
          q,
        ).toEqual(cities.slice(offset, offset + limit));
        expect(read, q).toBeGreaterThan(0);
        expect(read, q).toBeLessThanOrEqual(limit + offset);
      } finally {
        client.release();
      }
    }
  });
});

describe("searches under load", () => {
  // Prefix and typo searches, with filters and pages: what 100 clients would send at once.
  const SEARCHES: Omit<SearchParams, "limit" | "offset">[] = [
    { q: "lux" },
    { q: "Esch-sur-Alzete" },
    { q: "can", type: "state_district" },
    { q: "Кан" },
    { q: "Differdnage", country: "LU" },
    { q: "ber", bbox: [5.9, 49.4, 6.2, 49.7] },
    { q: "mon" },
    { q: "Luxembrug", type: "city" },
    { q: "zzzqqq" },
  ];
  const PAGES = [
    [20, 0],
    [3, 2],
  ] as const;

  test("searches waiting for a connection are answered by one statement, each its own page as when alone", async () => {
    const pool = new pg.Pool({ connectionString: fx.db.url, max: 1 });
    try {
      const queries = new ZoneQueries(pool);
      const ref = datasetRef(fx.version, schema());
      const shape = zoneShape({});
      const asked = SEARCHES.flatMap((p) => PAGES.map(([limit, offset]) => ({ ...p, limit, offset })));
      const executions = async () =>
        (
          await pool.query<{ name: string; generic_plans: number; custom_plans: number }>(
            readFileSync(new URL("./sql/prepared-plans.sql", import.meta.url), "utf8"),
          )
        ).rows
          .filter((p) => p.name.startsWith("api_search_"))
          .reduce((n, p) => n + p.generic_plans + p.custom_plans, 0);
      const alone = [];
      for (const p of asked) alone.push(await queries.search(ref, p, shape));
      expect(alone.filter((rows) => rows.length > 0).length).toBeGreaterThan(asked.length / 2);
      const before = await executions();
      const together = await Promise.all(asked.map((p) => queries.search(ref, p, shape)));
      expect(together).toEqual(alone);
      // the first search takes the free connection alone; the others wait for it, together
      expect((await executions()) - before).toBeLessThanOrEqual(2);
    } finally {
      await pool.end();
    }
  });
});

describe("a version imported by an earlier cosmo", () => {
  const SEARCH_FUNCTION = "zone_names_search(text, text, text, float8, float8, float8, float8, int, int, text[])";
  const rowEstimate = async () =>
    (
      await fx.db.pool.query<{ prorows: number }>(`SELECT prorows FROM pg_proc WHERE oid = to_regprocedure($1)`, [
        `${schema()}.${SEARCH_FUNCTION}`,
      ])
    ).rows[0]?.prorows;
  // pages of each names table in its visibility map as all-visible, and its pages
  const visibility = async () =>
    (
      await fx.db.pool.query<{ table: string; all_visible: number; pages: number }>(
        `SELECT t AS table, (pg_visibility_map_summary(format('%I.%I', $1::text, t)::regclass)).all_visible::int,
                (pg_relation_size(format('%I.%I', $1::text, t)) / current_setting('block_size')::int)::int AS pages
         FROM unnest(ARRAY['zone_names', 'zone_names_terms']) t ORDER BY t`,
        [schema()],
      )
    ).rows;

  test("publishing it again gives it this cosmo's search function (its row estimate) and all-visible names; same answers", async () => {
    await fx.db.pool.query("CREATE EXTENSION IF NOT EXISTS pg_visibility");
    const queries = new ZoneQueries(fx.db.pool);
    const ref = datasetRef(fx.version, schema());
    const shape = zoneShape({});
    const searches = [{ q: "lux" }, { q: "Esch-sur-Alzete" }, { q: "Luxembrug", type: "city" }] as const;
    const answers = async () =>
      Promise.all(searches.map((p) => queries.search(ref, { limit: 20, offset: 0, ...p }, shape)));
    const before = await answers();
    const ours = await rowEstimate();
    // as the fifth session's cosmo left a version: PostgreSQL's default estimate of a function's rows, and a
    // VACUUM that ran beside the import's other sessions
    await fx.db.pool.query(`ALTER FUNCTION ${schema()}.${SEARCH_FUNCTION} ROWS 1000`);
    await fx.db.pool.query(
      `SELECT pg_truncate_visibility_map(format('%I.%I', $1::text, t)::regclass)
       FROM unnest(ARRAY['zone_names', 'zone_names_terms']) t`,
      [schema()],
    );
    expect(await rowEstimate()).toBe(1000);
    expect((await visibility()).map((v) => v.all_visible)).toEqual([0, 0]);

    expect((await publishVersion(fx.db, fx.version)).unchanged).toBe(true);
    expect(await rowEstimate()).toBe(ours);
    expect(ours).toBeLessThan(1000);
    for (const v of await visibility()) {
      expect(v.pages).toBeGreaterThan(0);
      expect({ table: v.table, allVisible: v.all_visible }).toEqual({ table: v.table, allVisible: v.pages });
    }
    expect(await answers()).toEqual(before);
  });
});
