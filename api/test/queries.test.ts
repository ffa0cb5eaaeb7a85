// What each zone request costs the database: one statement per request, planned once per connection (named
// statements whose generic plan PostgreSQL keeps), and answers equal to the separate queries they replace.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSql } from "../../core/sql.ts";
import { ZoneQueries } from "../queries.ts";
import { zoneShape } from "../views.ts";
import { luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
/** One connection: pg_prepared_statements shows that session's statements. */
let session: pg.Pool;
let queries: ZoneQueries;
const ref = () => ({ version: fx.version, schema: `zones_v${fx.version}` });

beforeAll(async () => {
  fx = await luxembourgDatabase("queries");
  session = new pg.Pool({ connectionString: fx.db.url, max: 1 });
  queries = new ZoneQueries(session);
});
afterAll(async () => {
  await session?.end();
  await fx?.db.close();
});

async function preparedPlans() {
  const text = loadSql(import.meta.url, "sql/prepared-plans.sql");
  return (await session.query<{ name: string; generic_plans: number; custom_plans: number }>(text)).rows;
}

describe("planning", () => {
  test("the point lookup is planned once per connection, not once per request (large lookup table)", async () => {
    // 160 k pieces: the grid bench dataset has 830 k, where planning each lookup cost more than running it.
    await fx.db.pool.query(loadSql(import.meta.url, "sql/far-pieces.sql", { schema: ref().schema }), [400]);
    await fx.db.pool.query(`ANALYZE ${ref().schema}.zone_pieces`);
    const shape = zoneShape({});
    const runs = 12;
    for (let k = 0; k < runs; k++) await queries.at(ref(), 5.9 + k * 0.04, 49.5 + k * 0.03, shape);
    const plans = (await preparedPlans()).filter((p) => p.name.startsWith("api_at_"));
    expect(plans).toHaveLength(1);
    // PostgreSQL plans a prepared statement for its values five times before it weighs its generic plan.
    expect(plans[0]).toMatchObject({ custom_plans: 5, generic_plans: runs - 5 });
  });
});
