// What each zone request costs the database: one statement per request, planned once per connection (named
// statements whose generic plan PostgreSQL keeps), and answers equal to the separate queries they replace.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSql } from "../../core/sql.ts";
import { ZoneQueries, type ZoneRow } from "../queries.ts";
import { COMPAT_SHAPE, type ZoneShape, zoneShape } from "../views.ts";
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

describe("point lookups arriving together", () => {
  /** How often the point lookup statements ran on this connection. */
  const lookupRuns = async () =>
    (await preparedPlans())
      .filter((p) => p.name.startsWith("api_at_"))
      .reduce((n, p) => n + p.generic_plans + p.custom_plans, 0);

  test("one statement per version and shape answers them all, each lookup its own answer, as when alone", async () => {
    const lean = zoneShape({});
    const german = zoneShape({ lang: "de" });
    // a grid over Luxembourg and around it: points in several zones, in one, in none
    const points = Array.from({ length: 60 }, (_, k) => [5.7 + (k % 10) * 0.09, 49.4 + Math.floor(k / 10) * 0.15]);
    const shapeOf = (k: number) => (k % 3 === 0 ? german : lean);
    const alone: ZoneRow[][] = [];
    for (const [k, [lon, lat]] of points.entries())
      alone.push(await queries.at(ref(), lon as number, lat as number, shapeOf(k)));
    expect(alone.filter((rows) => rows.length > 1).length).toBeGreaterThan(10);
    expect(alone.filter((rows) => rows.length === 0).length).toBeGreaterThan(3);
    const before = await lookupRuns();
    const together = await Promise.all(
      points.map(([lon, lat], k) => queries.at(ref(), lon as number, lat as number, shapeOf(k))),
    );
    expect(together).toEqual(alone);
    // the lean lookups in one statement, the German ones in another
    expect((await lookupRuns()) - before).toBe(2);
  });
});

describe("zone requests arriving together", () => {
  test("one statement per shape answers them all (the same id twice too), each as when alone: children, parents", async () => {
    const { rows } = await fx.db.pool.query<{ id: string }>(`SELECT id FROM ${ref().schema}.zones ORDER BY id`);
    const ids = [...rows.slice(0, 30).map((r) => Number(r.id)), Number(rows[0]?.id), 999_999_999];
    const shapeOf = (k: number) => (k % 2 === 0 ? zoneShape({}) : zoneShape({ lang: "de" }));
    const alone = [];
    for (const [k, id] of ids.entries()) alone.push(await queries.zoneAndChildren(ref(), id, shapeOf(k)));
    expect(alone.filter((z) => z && z.children.length > 0).length).toBeGreaterThan(3);
    expect(alone.at(-1)).toBeNull();
    const runs = async (what: "children" | "parents") =>
      (await preparedPlans())
        .filter((p) => p.name.startsWith(`api_zone-${what}_`))
        .reduce((n, p) => n + p.generic_plans + p.custom_plans, 0);
    const before = await runs("children");
    const together = await Promise.all(ids.map((id, k) => queries.zoneAndChildren(ref(), id, shapeOf(k))));
    expect(together).toEqual(alone);
    expect((await runs("children")) - before).toBe(2);

    const chains = [];
    for (const [k, id] of ids.entries()) chains.push(await queries.zoneAndParents(ref(), id, shapeOf(k)));
    expect(chains.filter((z) => z && z.parents.length > 1).length).toBeGreaterThan(3);
    expect(chains.at(-1)).toBeNull();
    const beforeChains = await runs("parents");
    const chainsTogether = await Promise.all(ids.map((id, k) => queries.zoneAndParents(ref(), id, shapeOf(k))));
    expect(chainsTogether).toEqual(chains);
    expect((await runs("parents")) - beforeChains).toBe(2);
  });
});

/** The shapes the routes ask for: the lean default, every field, one language, the compat routes' old fields. */
const SHAPES: [string, ZoneShape][] = [
  ["lean", zoneShape({})],
  ["fields=all", zoneShape({ fields: ["id", "name", "tags", "international_labels", "zip_codes", "bbox"] })],
  ["lang=de", zoneShape({ lang: "de" })],
  ["compat", COMPAT_SHAPE],
];

/** The parent chain by one zone() query per step, as the API read it before (a seen zone ends the walk). */
async function parentsOneByOne(id: number, shape: ZoneShape): Promise<ZoneRow[]> {
  const chain: ZoneRow[] = [];
  const seen = new Set([id]);
  let next = (await queries.zone(ref(), id, shape))?.parent ?? null;
  while (next !== null && !seen.has(next)) {
    const z = await queries.zone(ref(), next, shape);
    if (!z) break;
    seen.add(next);
    chain.push(z);
    next = z.parent;
  }
  return chain;
}

describe("one statement per zone request", () => {
  test("a zone with its children, and with its parents, equal the separate queries for every zone and shape", async () => {
    const { rows } = await fx.db.pool.query<{ id: string }>(`SELECT id FROM ${ref().schema}.zones ORDER BY id`);
    const ids = rows.map((r) => Number(r.id));
    let withChildren = 0;
    let withParents = 0;
    for (const [name, shape] of SHAPES) {
      for (const id of ids) {
        const zone = await queries.zone(ref(), id, shape);
        const both = await queries.zoneAndChildren(ref(), id, shape);
        const { part, ...first } = (both?.zone ?? {}) as ZoneRow & { part?: number };
        expect(part, `${name} ${id}`).toBe(0);
        expect(first, `${name} ${id}`).toEqual(zone);
        const children = (both?.children ?? []).map((c) => {
          const { part, ...row } = c as ZoneRow & { part?: number };
          return row;
        });
        expect(children, `${name} ${id}`).toEqual(await queries.children(ref(), id, shape));
        if (children.length) withChildren++;
        const up = await queries.zoneAndParents(ref(), id, shape);
        expect(up?.zone, `${name} ${id}`).toEqual(zone);
        expect(up?.parents, `${name} ${id}`).toEqual(await parentsOneByOne(id, shape));
        if (up?.parents.length) withParents++;
      }
    }
    // Both kinds were seen: zones with and without children, with and without parents.
    expect(withChildren).toBeGreaterThan(10);
    expect(withChildren).toBeLessThan(ids.length * SHAPES.length);
    expect(withParents).toBeGreaterThan(10);
    expect(withParents).toBeLessThan(ids.length * SHAPES.length);
  });

  test("an unknown id: null, not an empty zone (the route answers 404)", async () => {
    for (const [, shape] of SHAPES) {
      expect(await queries.zoneAndChildren(ref(), 999_999_999, shape)).toBeNull();
      expect(await queries.zoneAndParents(ref(), 999_999_999, shape)).toBeNull();
    }
  });

  test("after a few requests, the zone statements run on their generic plans (planned once per connection)", async () => {
    const { rows } = await fx.db.pool.query<{ id: string }>(`SELECT id FROM ${ref().schema}.zones ORDER BY id`);
    const shape = zoneShape({});
    for (const { id } of rows.slice(0, 20)) {
      await queries.zoneAndChildren(ref(), Number(id), shape);
      await queries.zoneAndParents(ref(), Number(id), shape);
    }
    const plans = (await preparedPlans()).filter((p) => /^api_zone-(children|parents)_.*_100$/.test(p.name));
    expect(plans.map((p) => p.name.split("_")[1]).sort()).toEqual(["zone-children", "zone-parents"]);
    for (const p of plans) expect(p.custom_plans, p.name).toBeLessThanOrEqual(5);
  });
});
