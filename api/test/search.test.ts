// How a search reads the names table (importer/sql/search-names.sql, search-names-function.sql) on the imported
// Luxembourg data: what each search reads, not only what it answers (api.test.ts checks the answers).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { luxembourgDatabase, type ServingFixture } from "./support.ts";

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
});
