// Issue 9 contract tests: the old cosmogony_explorer API shapes, pinned field by field on the Luxembourg data,
// both under /compat/zones… (exactly the old fields) and in the new /zones… (old fields kept, same types).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { testConfig } from "../../core/testing.ts";
import { startApiServer } from "../server.ts";
import { getJson, luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
let api: { url: string; close(): Promise<void> };
const ids: Record<string, number> = {};
const LUX_CITY = "relation:407489";

const OLD_FIELDS = [
  "id",
  "name",
  "parent",
  "zone_type",
  "osm_id",
  "osm_link",
  "wikidata",
  "admin_level",
  "nb_children",
];

beforeAll(async () => {
  fx = await luxembourgDatabase("compat");
  const { rows } = await fx.db.pool.query<{ osm_id: string; id: number }>("SELECT osm_id, id FROM public.zones");
  for (const r of rows) ids[r.osm_id] = r.id;
  api = await startApiServer({ db: fx.db, port: 0, host: "127.0.0.1", config: testConfig({ db: fx.db }) });
});
afterAll(async () => {
  await api?.close();
  await fx?.db.close();
});

const get = (path: string) => getJson(`${api.url}${path}`);

/** The old field types: id/nb_children int, parent/admin_level int|null, the rest string|null. */
function expectOldTypes(z: Record<string, unknown>) {
  expect(Number.isInteger(z.id)).toBe(true);
  expect(Number.isInteger(z.nb_children)).toBe(true);
  for (const k of ["parent", "admin_level"]) expect(z[k] === null || Number.isInteger(z[k]), k).toBe(true);
  for (const k of ["name", "zone_type", "osm_id", "osm_link", "wikidata"]) {
    expect(z[k] === null || typeof z[k] === "string", k).toBe(true);
  }
}

function expectPolygon4326(bbox: any) {
  expect(bbox.type).toBe("Polygon");
  expect(bbox.coordinates).toHaveLength(1);
  expect(bbox.coordinates[0]).toHaveLength(5);
  for (const [lon, lat] of bbox.coordinates[0]) {
    expect(lon).toBeGreaterThan(5.7);
    expect(lon).toBeLessThan(6.6);
    expect(lat).toBeGreaterThan(49.4);
    expect(lat).toBeLessThan(50.2);
  }
}

describe("/compat/zones/{id}: exactly the old shape", () => {
  test("{zone (old fields + bbox), children (old fields)}", async () => {
    const r = await get(`/compat/zones/${ids[LUX_CITY]}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(["zone", "children"]);
    expect(Object.keys(r.body.zone)).toEqual([...OLD_FIELDS, "bbox"]);
    expectOldTypes(r.body.zone);
    expectPolygon4326(r.body.zone.bbox);
    expect(r.body.zone).toMatchObject({
      id: ids[LUX_CITY],
      name: "Luxembourg",
      zone_type: "city",
      osm_id: LUX_CITY,
      osm_link: "https://www.openstreetmap.org/relation/407489",
      wikidata: "Q1842",
      admin_level: 8,
    });
    expect(r.body.children.length).toBe(r.body.zone.nb_children);
    for (const c of r.body.children) {
      expect(Object.keys(c)).toEqual(OLD_FIELDS);
      expectOldTypes(c);
      expect(c.parent).toBe(ids[LUX_CITY]);
    }
  });

  test("{zone, parents}: immediate parent first, to the root, no duplicates", async () => {
    const r = await get(`/compat/zones/${ids[LUX_CITY]}/parents`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(["zone", "parents"]);
    expect(Object.keys(r.body.zone)).toEqual([...OLD_FIELDS, "bbox"]);
    const parents = r.body.parents as Record<string, unknown>[];
    for (const p of parents) expect(Object.keys(p)).toEqual(OLD_FIELDS);
    expect(parents.map((p) => p.name)).toEqual(["Canton Luxembourg", "Lëtzebuerg"]);
    expect(parents[0]?.id).toBe(r.body.zone.parent);
    for (let i = 1; i < parents.length; i++) expect(parents[i]?.id).toBe(parents[i - 1]?.parent);
    expect(parents.at(-1)?.parent).toBeNull();
    expect(parents.at(-1)?.zone_type).toBe("country");
  });

  test("unknown id → 404", async () => {
    expect((await get("/compat/zones/999999999")).status).toBe(404);
    expect((await get("/compat/zones/999999999/parents")).status).toBe(404);
  });
});

describe("new /zones/{id}: the old fields keep their names and types", () => {
  test("same values as the compat shape for every old field", async () => {
    for (const path of [`/zones/${ids[LUX_CITY]}`, `/zones/${ids[LUX_CITY]}/parents`]) {
      const [neu, old] = await Promise.all([get(path), get(`/compat${path}`)]);
      expect(neu.status).toBe(200);
      for (const k of [...OLD_FIELDS, "bbox"]) expect(neu.body.zone[k], `${path} zone.${k}`).toEqual(old.body.zone[k]);
      const list = path.endsWith("parents") ? "parents" : "children";
      expect(neu.body[list].length).toBe(old.body[list].length);
      neu.body[list].forEach((z: Record<string, unknown>, i: number) => {
        for (const k of OLD_FIELDS) expect(z[k], `${path} ${list}[${i}].${k}`).toEqual(old.body[list][i][k]);
      });
    }
    expect((await get("/zones/999999999")).status).toBe(404);
  });
});
