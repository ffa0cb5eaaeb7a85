// Every API route on the imported Luxembourg data: happy paths, error paths, limits, search, point lookup,
// OpenAPI, CORS, and switching to a newly published version without a restart.
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ZONE_TYPES } from "../../core/cosmogony/model.ts";
import { datasetRef } from "../../core/serving/served-dataset.ts";
import { testConfig } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { publishVersion } from "../../importer/publish.ts";
import { ZoneQueries } from "../queries.ts";
import * as S from "../schemas.ts";
import { startApiServer } from "../server.ts";
import { ZONE_FIELDS, zoneShape } from "../views.ts";
import { editedCopy, eventually, getJson, luxembourgDatabase, readZonesFile, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
let api: { url: string; close(): Promise<void> };
const ids: Record<string, number> = {};
const LUX = "relation:2171347";
const LUX_CITY = "relation:407489";
const LUX_CANTON = "relation:407824";

beforeAll(async () => {
  fx = await luxembourgDatabase("api");
  const { rows } = await fx.db.pool.query<{ osm_id: string; id: number }>("SELECT osm_id, id FROM public.zones");
  for (const r of rows) ids[r.osm_id] = r.id;
  api = await startApiServer({
    db: fx.db,
    port: 0,
    host: "127.0.0.1",
    config: testConfig({ db: fx.db }),
    settings: { corsOrigins: ["https://explorer.example.org"] },
  });
});
afterAll(async () => {
  await api?.close();
  await fx?.db.close();
});

const get = (path: string, init?: RequestInit) => getJson(`${api.url}${path}`, init);

function expectBadParameter(r: { status: number; body: any }, parameter: string, reason?: RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error).toBe("invalid_parameter");
  expect(r.body.parameter).toBe(parameter);
  if (reason) expect(r.body.reason).toMatch(reason);
}

describe("/zones/:id", () => {
  test("zone with children, old fields kept, new fields alongside", async () => {
    const r = await get(`/zones/${ids[LUX_CITY]}`);
    expect(r.status).toBe(200);
    S.ZoneResponse.parse(r.body);
    const z = r.body.zone;
    expect(z).toMatchObject({
      id: ids[LUX_CITY],
      name: "Luxembourg",
      zone_type: "city",
      admin_level: 8,
      osm_id: LUX_CITY,
      osm_link: "https://www.openstreetmap.org/relation/407489",
      wikidata: "Q1842",
      country_code: "LU",
      label: "Luxembourg, Canton Luxembourg, Lëtzebuerg",
    });
    expect(z.bbox.type).toBe("Polygon");
    expect(z.center.type).toBe("Point");
    expect(z.nb_children).toBe(r.body.children.length);
    expect(r.body.children.length).toBeGreaterThan(0);
    for (const c of r.body.children) expect(c.parent).toBe(ids[LUX_CITY]);
    expect(r.body.dataset).toBe(fx.version);
    expect(r.headers.get("x-dataset-version")).toBe(String(fx.version));
    // International labels only on request (all languages of every child is hundreds of kB).
    expect(z.international_labels).toBeUndefined();
    expect(r.body.children[0].international_labels).toBeUndefined();
    const all = await get(`/zones/${ids[LUX_CITY]}?fields=all`);
    expect(all.body.zone.international_labels.de).toBe("Luxemburg, Kanton Luxemburg, Luxemburg");
    const some = await get(`/zones/${ids[LUX_CITY]}?labels=fr,de`);
    expect(Object.keys(some.body.zone.international_labels).sort()).toEqual(["de", "fr"]);
    for (const c of some.body.children) expect(Object.keys(c.international_labels).sort()).toEqual(["de", "fr"]);
    expectBadParameter(await get(`/zones/${ids[LUX_CITY]}?labels=fr;de`), "labels");
  });

  test("unknown id → 404; malformed id → 400 naming `id`", async () => {
    const r = await get("/zones/999999999");
    expect(r.status).toBe(404);
    expect(r.body.error).toBe("not_found");
    for (const bad of ["abc", "-1", "1.5", "1e3", "99999999999999999999", "%27%20OR%201=1"]) {
      expectBadParameter(await get(`/zones/${bad}`), "id");
    }
    expectBadParameter(await get(`/zones/${ids[LUX]}?foo=1`), "foo", /unknown parameter/);
  });
});

describe("/zones/:id/parents", () => {
  test("immediate parent first, up to the root", async () => {
    const r = await get(`/zones/${ids[LUX_CITY]}/parents`);
    expect(r.status).toBe(200);
    S.ParentsResponse.parse(r.body);
    expect(r.body.zone.id).toBe(ids[LUX_CITY]);
    expect(r.body.parents.map((p: { name: string }) => p.name)).toEqual(["Canton Luxembourg", "Lëtzebuerg"]);
    expect(r.body.parents[0].id).toBe(r.body.zone.parent);
    expect(r.body.parents.at(-1).parent).toBeNull();
    const root = await get(`/zones/${ids[LUX]}/parents`);
    expect(root.body.parents).toEqual([]);
    expect((await get("/zones/999999999/parents")).status).toBe(404);
  });
});

describe("/zones search", () => {
  test('"luxem" finds the country and the city first; the German name works too', async () => {
    const r = await get("/zones?q=luxem&limit=5");
    expect(r.status).toBe(200);
    S.ZoneListResponse.parse(r.body);
    const top = r.body.zones.slice(0, 3).map((z: { osm_id: string }) => z.osm_id);
    expect(top).toContain(LUX);
    expect(top).toContain(LUX_CITY);
    const de = await get(`/zones?q=${encodeURIComponent("Luxemburg")}&type=country`);
    expect(de.body.zones.map((z: { osm_id: string }) => z.osm_id)).toEqual([LUX]);
    // Case and accents do not matter; a typo is still found (trigram similarity).
    const accent = await get(`/zones?q=${encodeURIComponent("LETZEBUERG")}`);
    expect(accent.body.zones[0].osm_id).toBe(LUX);
    const typo = await get(`/zones?q=${encodeURIComponent("Esch-sur-Alzete")}`);
    expect(typo.body.zones[0].name).toBe("Esch-sur-Alzette");
  });

  test("filters: type, country, bbox, limit, offset", async () => {
    const cities = await get("/zones?type=city&country=lu&limit=100");
    expect(cities.body.zones.length).toBeGreaterThan(50);
    expect(new Set(cities.body.zones.map((z: { zone_type: string }) => z.zone_type))).toEqual(new Set(["city"]));
    const none = await get("/zones?country=FR");
    expect(none.body.zones).toEqual([]);
    const box = await get("/zones?bbox=6.12,49.60,6.14,49.62&type=city");
    expect(box.body.zones.map((z: { osm_id: string }) => z.osm_id)).toContain(LUX_CITY);
    const page1 = await get("/zones?type=city&limit=3");
    const page2 = await get("/zones?type=city&limit=3&offset=3");
    expect(page1.body.zones.length).toBe(3);
    expect(page2.body.zones[0].id).not.toBe(page1.body.zones[0].id);
  });

  test("errors name the parameter; limits name the limit", async () => {
    expectBadParameter(await get("/zones?limit=1000"), "limit", /api\.maxLimit/);
    expectBadParameter(await get("/zones?limit=0"), "limit");
    expectBadParameter(await get("/zones?bbox=-10,40,10,60"), "bbox", /api\.maxBboxDegrees2/);
    expectBadParameter(await get("/zones?bbox=1,2,3"), "bbox");
    expectBadParameter(await get("/zones?bbox=6,50,5,49"), "bbox", /min/);
    expectBadParameter(await get("/zones?type=village"), "type");
    expectBadParameter(await get("/zones?country=LUX"), "country");
    expectBadParameter(await get("/zones?q=a"), "q");
    expectBadParameter(await get("/zones?q=a&q=b"), "q");
    expectBadParameter(await get(`/zones?q=${"x".repeat(101)}`), "q");
    expectBadParameter(await get("/zones?offset=100000"), "offset", /api\.maxOffset/);
    // LIKE metacharacters are text, not wildcards.
    const pct = await get(`/zones?q=${encodeURIComponent("%%")}`);
    expect(pct.status).toBe(200);
    expect(pct.body.zones).toEqual([]);
  });
});

describe("/zones search on the names table", () => {
  type Expected = { id: number; names: string[]; words: string[]; label: string };
  const NAME_KEY = /^(name|alt_name|official_name|short_name|old_name|loc_name|int_name|nat_name|reg_name)(:|$)/;
  const SEPARATOR = /[\s\-'’(/]/;
  let expected: Expected[];

  /** Every zone's names, words of names and label, normalised by the database's own function. */
  beforeAll(async () => {
    const zones = await readZonesFile(fx.file);
    const raw = zones.map((z) => {
      const given = [z.name, z.loc_name, z.alt_name] as unknown[];
      for (const [k, v] of Object.entries((z.tags ?? {}) as Record<string, string>))
        if (NAME_KEY.test(k)) given.push(v);
      const names = given
        .flatMap((v) => (typeof v === "string" ? v.split(";") : []))
        .map((v) => v.trim())
        .filter(Boolean);
      return { id: ids[z.osm_id] as number, names, label: String(z.label ?? "") };
    });
    const texts = raw.flatMap((r) => [...r.names, r.label]);
    const { rows } = await fx.db.pool.query<{ n: string }>(
      "SELECT cosmo.search_normalize(t) AS n FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i",
      [texts],
    );
    let i = 0;
    expected = raw.map((r) => {
      const names = r.names.map(() => rows[i++]?.n as string);
      const label = rows[i++]?.n as string;
      const words = names.flatMap((n) =>
        [...n].flatMap((c, k) =>
          k > 0 && SEPARATOR.test(n[k - 1] as string) && !SEPARATOR.test(c) ? [n.slice(k)] : [],
        ),
      );
      return { id: r.id, names, words, label };
    });
  });

  const startsWith = (q: string) => (e: Expected) =>
    e.names.some((n) => n.startsWith(q)) || e.words.some((w) => w.startsWith(q)) || e.label.startsWith(q);

  test("prefixes of 3 to 8 characters of every city's name find exactly the zones with a name, word or label starting so", async () => {
    const cities = (await get("/zones?type=city&limit=100")).body.zones as { id: number; name: string }[];
    expect(cities.length).toBeGreaterThan(50);
    let compared = 0;
    for (const city of cities) {
      const own = expected.find((e) => e.id === city.id) as Expected;
      for (let k = 3; k <= 8; k++) {
        const q = (own.names[0] as string).slice(0, k);
        if (q.length < k) break;
        if (q !== q.trim()) continue; // the API trims the query: "lac " is "lac", the previous round
        const want = expected.filter(startsWith(q)).map((e) => e.id);
        const r = await get(`/zones?q=${encodeURIComponent(q)}&limit=100`);
        expect(r.status).toBe(200);
        const got = r.body.zones.map((z: { id: number }) => z.id);
        expect(got, q).toContain(city.id);
        if (want.length <= 100) expect([...got].sort(), q).toEqual([...want].sort());
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  test("ranking: an equal name first, then names starting with the query, then words, then labels; larger types first", async () => {
    // "esch": the city (its name starts with it) before zones where only a word or the label does.
    const r = await get("/zones?q=esch&limit=100");
    const rank = (z: { id: number }) => {
      const e = expected.find((x) => x.id === z.id) as Expected;
      if (e.names.includes("esch")) return 0;
      if (e.names.some((n) => n.startsWith("esch"))) return 1;
      if (e.words.some((w) => w.startsWith("esch"))) return 2;
      return 3;
    };
    const ranks = r.body.zones.map(rank);
    expect(ranks).toEqual([...ranks].sort((a: number, b: number) => a - b));
    expect(new Set(ranks).size).toBeGreaterThan(1);
    expect(r.body.zones.slice(0, 3).map((z: { name: string }) => z.name)).toContain("Esch-sur-Alzette");
    // A whole name: that zone first.
    const exact = await get("/zones?q=Differdange");
    expect(exact.body.zones[0].name).toBe("Differdange");
  });

  test("a word of a name: its prefix finds the zone (Latin and Cyrillic)", async () => {
    const alz = await get("/zones?q=alzet&type=city");
    expect(alz.body.zones.map((z: { name: string }) => z.name)).toContain("Esch-sur-Alzette");
    // name:ru "кантон Ремих": the second word.
    const remich = await get(`/zones?q=${encodeURIComponent("Ремих")}&type=state_district`);
    expect(remich.body.zones.map((z: { name: string }) => z.name)).toEqual(["Canton Remich"]);
  });

  test("Russian, Chinese and Japanese names, in capitals too", async () => {
    const ru = await get(`/zones?q=${encodeURIComponent("ЛЮКСЕМБУРГ")}&type=country`);
    expect(ru.body.zones.map((z: { osm_id: string }) => z.osm_id)).toEqual([LUX]);
    const ruPrefix = await get(`/zones?q=${encodeURIComponent("Дикир")}&type=city`);
    expect(ruPrefix.body.zones.map((z: { name: string }) => z.name)).toEqual(["Diekirch"]);
    const zh = await get(`/zones?q=${encodeURIComponent("盧森")}`);
    expect(zh.body.zones.map((z: { osm_id: string }) => z.osm_id)).toEqual(expect.arrayContaining([LUX, LUX_CITY]));
    const ja = await get(`/zones?q=${encodeURIComponent("ルクセン")}&type=country`);
    expect(ja.body.zones.map((z: { osm_id: string }) => z.osm_id)).toEqual([LUX]);
  });

  test("one typo: a letter missing, doubled, swapped or changed still finds the zone first", async () => {
    for (const [typed, name] of [
      ["Esch-sur-Alzete", "Esch-sur-Alzette"],
      ["Differdnage", "Differdange"],
      ["Dudelangee", "Dudelange"],
      ["Echternaxh", "Echternach"],
    ]) {
      const r = await get(`/zones?q=${encodeURIComponent(typed as string)}`);
      expect(r.body.zones[0]?.name, typed).toBe(name);
    }
  });

  test("filters combine with the query: type, country, bbox", async () => {
    const all = (await get("/zones?q=lux&limit=100")).body.zones as { zone_type: string; id: number }[];
    expect(new Set(all.map((z) => z.zone_type)).size).toBeGreaterThan(1);
    const cities = (await get("/zones?q=lux&type=city&limit=100")).body.zones as { zone_type: string; id: number }[];
    expect(cities.map((z) => z.id).sort()).toEqual(
      all
        .filter((z) => z.zone_type === "city")
        .map((z) => z.id)
        .sort(),
    );
    // Pages of a name search follow the same order.
    const page2 = (await get("/zones?q=lux&limit=3&offset=3")).body.zones as { id: number }[];
    expect(page2.map((z) => z.id)).toEqual(all.slice(3, 6).map((z) => z.id));
    expect((await get("/zones?q=lux&country=FR")).body.zones).toEqual([]);
    expect((await get("/zones?q=lux&country=lu")).body.zones.length).toBeGreaterThan(0);
    // A box around Luxembourg City: the city, not Esch-sur-Alzette (20 km south-west).
    const box = await get("/zones?q=esch&bbox=6.12,49.60,6.14,49.62&limit=100");
    expect(box.body.zones.map((z: { name: string }) => z.name)).not.toContain("Esch-sur-Alzette");
    const escher = await get("/zones?q=esch&bbox=5.95,49.48,6.0,49.52&limit=100");
    expect(escher.body.zones.map((z: { name: string }) => z.name)).toContain("Esch-sur-Alzette");
    // Typo path with a filter: the filter holds there too.
    const typo = await get(`/zones?q=${encodeURIComponent("Esch-sur-Alzete")}&type=state_district`);
    expect(typo.body.zones.map((z: { zone_type: string }) => z.zone_type)).toEqual(["state_district"]);
  });
});

describe("/zones search pages equal a naive ranking of every matching row", () => {
  // The references read every row of zone_names and rank zones by their best row; the API reads only the
  // groups of rows that can reach the page (importer/sql/search-names-function.sql): the pages must be equal.
  type Filters = { type?: string; country?: string; bbox?: [number, number, number, number] };
  const FILTERS: Filters[] = [
    {},
    { type: "city" },
    { country: "lu" },
    { bbox: [5.9, 49.4, 6.2, 49.7] },
    { type: "suburb", country: "lu", bbox: [6.05, 49.55, 6.2, 49.65] },
  ];
  const schema = () => `zones_v${fx.version}`;
  const filterSql = `($3::text IS NULL OR m.zone_type = $3) AND ($4::text IS NULL OR m.country_code = $4)
      AND ($5::float8 IS NULL OR EXISTS (SELECT FROM ${"{schema}"}.zones b WHERE b.id = m.zone_id
        AND b.bbox && ST_MakeEnvelope($5, $6, $7, $8, 4326)))`;
  const params = (q: string, f: Filters) => [
    q,
    [...ZONE_TYPES],
    f.type ?? null,
    f.country?.toUpperCase() ?? null,
    ...(f.bbox ?? [null, null, null, null]),
  ];
  const reference = async (kind: "prefix" | "fuzzy", q: string, f: Filters): Promise<number[]> => {
    const text =
      kind === "prefix"
        ? `SELECT zone_id FROM (
             SELECT DISTINCT ON (m.zone_id) m.zone_id,
                    CASE WHEN m.match_rank = 1 AND m.term = n.q THEN 0 ELSE m.match_rank END AS r,
                    coalesce(array_position($2::text[], m.zone_type), 0) AS t,
                    round(similarity(n.q, m.term)::numeric, 3) AS s, m.term
             FROM {schema}.zone_names m, (SELECT cosmo.search_normalize($1) AS q) n
             WHERE starts_with(m.term, n.q) AND ${filterSql}
             ORDER BY m.zone_id, r, t DESC, s DESC, m.term) z
           ORDER BY r, t DESC, s DESC, term, zone_id`
        : `SELECT zone_id FROM (
             SELECT DISTINCT ON (m.zone_id) m.zone_id,
                    coalesce(array_position($2::text[], m.zone_type), 0) AS t,
                    round(similarity(n.q, m.term)::numeric, 3) AS s
             FROM {schema}.zone_names m, (SELECT cosmo.search_normalize($1) AS q) n
             WHERE m.match_rank = 1 AND (n.q <% m.term OR n.q % m.term) AND ${filterSql}
             ORDER BY m.zone_id, s DESC, t DESC) z
           ORDER BY s DESC, t DESC, zone_id`;
    const { rows } = await fx.db.pool.query<{ zone_id: string }>(text.replaceAll("{schema}", schema()), params(q, f));
    return rows.map((r) => Number(r.zone_id));
  };
  const page = async (q: string, f: Filters, limit: number, offset: number): Promise<number[]> => {
    const filters = [
      f.type ? `&type=${f.type}` : "",
      f.country ? `&country=${f.country}` : "",
      f.bbox ? `&bbox=${f.bbox.join(",")}` : "",
    ].join("");
    const r = await get(`/zones?q=${encodeURIComponent(q)}&limit=${limit}&offset=${offset}${filters}`);
    expect(r.status).toBe(200);
    return r.body.zones.map((z: { id: number }) => z.id);
  };

  test("prefixes of 3 letters and longer, with more matches than the page: the top ones in rank order, with filters", async () => {
    let beyondPage = 0;
    for (const q of ["lux", "esc", "can", "Кан", "ber", "luxem", "Mon"])
      for (const f of FILTERS) {
        const want = await reference("prefix", q, f);
        for (const [limit, offset] of [
          [1, 0],
          [3, 0],
          [3, 2],
          [20, 0],
        ] as const) {
          if (want.length > limit + offset) beyondPage++;
          expect(await page(q, f, limit, offset), `${q} ${JSON.stringify(f)} ${limit}+${offset}`).toEqual(
            want.slice(offset, offset + limit),
          );
        }
      }
    expect(beyondPage).toBeGreaterThan(40);
  });

  test("one typo, found by the fuzzy path only: the most similar names first, with filters", async () => {
    let found = 0;
    for (const q of ["Luxembrug", "Esch-sur-Alzete", "Differdnage", "Kanton Klerff", "Bettembuorg", "Dudelangee"])
      for (const f of FILTERS) {
        expect(await reference("prefix", q, f), q).toEqual([]); // no name, word or label starts so
        const want = await reference("fuzzy", q, f);
        found += want.length;
        for (const limit of [1, 3, 20])
          expect(await page(q, f, limit, 0), `${q} ${JSON.stringify(f)} ${limit}`).toEqual(want.slice(0, limit));
      }
    expect(found).toBeGreaterThan(20);
  });
});

describe("/zones search statements", () => {
  // A search is one statement on its connection (importer/sql/search-names-function.sql): the transaction
  // around it (BEGIN and its settings, COMMIT; a typo's second statement) cost more round trips than the search.
  test("a prefix search and a typo search are each one statement, leaving the connection's settings as they were", async () => {
    const pool = new pg.Pool({ connectionString: fx.db.url, max: 1 });
    try {
      const queries = new ZoneQueries(pool);
      const ref = datasetRef(fx.version, `zones_v${fx.version}`);
      const shape = zoneShape({});
      const firstLine = readFileSync(new URL("../sql/search.sql", import.meta.url), "utf8").split("\n")[0] as string;
      const searchStatement = new RegExp(`^${firstLine.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n`);
      const backend = Number((await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid);
      const lastStatement = async () =>
        (
          await fx.db.pool.query<{ query: string; state: string }>(
            "SELECT query, state FROM pg_stat_activity WHERE pid = $1",
            [backend],
          )
        ).rows[0];
      for (const [q, name] of [
        ["luxem", "Luxembourg"],
        ["Esch-sur-Alzete", "Esch-sur-Alzette"],
      ] as const) {
        const rows = await queries.search(ref, { q, limit: 5, offset: 0 }, shape);
        expect(rows.map((r) => r.name)).toContain(name);
        // Not COMMIT: the search statement itself (its text as pg_stat_activity keeps it, the first 1 kB).
        expect(await lastStatement(), q).toMatchObject({
          state: "idle",
          query: expect.stringMatching(searchStatement),
        });
      }
      // The statement itself keeps its generic plan (a function scan and lookups by id, whatever the query):
      // once PostgreSQL has weighed it against the plans for their values (the first few runs of any prepared
      // statement), it plans no more. One search at a time: searches waiting together are one statement
      // (search.test.ts).
      const searches = async (n: number) => {
        for (let k = 0; k < n; k++)
          await queries.search(ref, { q: ["lux", "Esch-sur-Alzete"][k % 2] as string, limit: 5, offset: 0 }, shape);
      };
      const plans = async () =>
        (
          await pool.query<{ name: string; generic_plans: number; custom_plans: number }>(
            readFileSync(new URL("./sql/prepared-plans.sql", import.meta.url), "utf8"),
          )
        ).rows.filter((p) => p.name.startsWith("api_search_"));
      await searches(10);
      const before = await plans();
      expect(before).toHaveLength(1);
      await searches(6);
      expect(await plans()).toEqual([{ ...before[0], generic_plans: (before[0]?.generic_plans as number) + 6 }]);
      const settings = await pool.query<{ seqscan: string; plans: string }>(
        "SELECT current_setting('enable_seqscan') AS seqscan, current_setting('plan_cache_mode') AS plans",
      );
      expect(settings.rows[0]).toEqual({ seqscan: "on", plans: "auto" });
    } finally {
      await pool.end();
    }
  });
});

describe("lean responses: fields= and lang=", () => {
  test("the default set; fields= picks fields (the id always); fields=all gives every label and tag", async () => {
    const lean = await get(`/zones/${ids[LUX_CITY]}`);
    expect(Object.keys(lean.body.zone)).toEqual([
      "id",
      "name",
      "parent",
      "zone_type",
      "osm_id",
      "osm_link",
      "wikidata",
      "admin_level",
      "nb_children",
      "bbox",
      "label",
      "country_code",
      "center",
    ]);
    const few = await get(`/zones/${ids[LUX_CITY]}?fields=name,zone_type`);
    expect(few.body.zone).toEqual({ id: ids[LUX_CITY], name: "Luxembourg", zone_type: "city" });
    for (const c of few.body.children) expect(Object.keys(c)).toEqual(["id", "name", "zone_type"]);
    const all = await get(`/zones/${ids[LUX_CITY]}?fields=all`);
    S.ZoneResponse.parse(all.body);
    expect(all.body.zone.tags["name:ru"]).toBe("Люксембург");
    expect(Object.keys(all.body.zone.international_labels).length).toBeGreaterThan(50);
    for (const c of all.body.children) expect(c.international_labels).toBeTypeOf("object");
    const parents = await get(`/zones/${ids[LUX_CITY]}/parents?fields=name`);
    expect(parents.body.parents).toEqual([
      { id: ids[LUX_CANTON], name: "Canton Luxembourg" },
      { id: ids[LUX], name: "Lëtzebuerg" },
    ]);
    const search = await get("/zones?q=luxembourg&type=city&fields=osm_id");
    expect(search.body.zones[0]).toEqual({ id: ids[LUX_CITY], osm_id: LUX_CITY, score: expect.any(Number) });
    const at = await get("/zones/at?lon=6.1296&lat=49.6116&fields=zone_type");
    expect(at.body.zones.map((z: { zone_type: string }) => z.zone_type)).toContain("city");
  });

  test("lang= gives name and label in that language, the local ones where the zone has none", async () => {
    const de = await get(`/zones/${ids[LUX_CITY]}/parents?lang=de`);
    expect(de.body.zone).toMatchObject({ name: "Luxemburg", label: "Luxemburg, Kanton Luxemburg, Luxemburg" });
    expect(de.body.parents.map((p: { name: string }) => p.name)).toEqual(["Kanton Luxemburg", "Luxemburg"]);
    const ru = await get(`/zones?q=${encodeURIComponent("Дикирх")}&type=city&lang=ru`);
    expect(ru.body.zones[0].name).toBe("Дикирх");
    // No such language: the local name and label.
    const none = await get(`/zones/${ids[LUX_CITY]}?lang=xx`);
    expect(none.body.zone).toMatchObject({ name: "Luxembourg", label: "Luxembourg, Canton Luxembourg, Lëtzebuerg" });
  });

  test("a bad field or language → 400 naming it; the compat routes keep their shape", async () => {
    const bad = await get(`/zones/${ids[LUX_CITY]}?fields=name,population`);
    expectBadParameter(bad, "fields", /unknown field "population"/);
    expectBadParameter(await get("/zones?q=lux&fields="), "fields", /unknown field ""/);
    expectBadParameter(await get("/zones/at?lon=6.1&lat=49.6&fields=ALL"), "fields");
    expectBadParameter(await get(`/zones/${ids[LUX_CITY]}/parents?lang=german`), "lang");
    // The compat routes' shape is fixed: the parameters are checked, then ignored.
    const compat = await get(`/compat/zones/${ids[LUX_CITY]}`);
    expect((await get(`/compat/zones/${ids[LUX_CITY]}?fields=all&lang=de`)).body).toEqual(compat.body);
    expect((await get(`/compat/zones/${ids[LUX_CITY]}/parents?fields=name`)).body).toEqual(
      (await get(`/compat/zones/${ids[LUX_CITY]}/parents`)).body,
    );
    expectBadParameter(await get(`/compat/zones/${ids[LUX_CITY]}?fields=nope`), "fields");
  });
});

describe("zone JSON written as text (views.ts zoneText)", () => {
  test("fields in their documented order; bbox and center are the GeoJSON PostGIS writes; compat keeps its keys", async () => {
    const id = ids[LUX_CITY];
    const { rows } = await fx.db.pool.query<{ schema_name: string }>(
      "SELECT schema_name FROM cosmo.datasets WHERE version = $1",
      [fx.version],
    );
    const expected = (
      await fx.db.pool.query<{ bbox: string; center: string }>(
        `SELECT ST_AsGeoJSON(bbox, 7) AS bbox, ST_AsGeoJSON(center, 7) AS center FROM ${rows[0]?.schema_name}.zones WHERE id = $1`,
        [id],
      )
    ).rows[0];
    const all = await fetch(`${api.url}/zones/${id}?fields=all`, { headers: { "Accept-Encoding": "identity" } });
    const text = await all.text();
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(["zone", "children", "dataset"]);
    expect(Object.keys(body.zone)).toEqual([...ZONE_FIELDS]);
    for (const child of body.children) expect(Object.keys(child)).toEqual([...ZONE_FIELDS]);
    expect(body.zone.bbox).toEqual(JSON.parse(expected?.bbox ?? ""));
    expect(body.zone.center).toEqual(JSON.parse(expected?.center ?? ""));
    // The text is what JSON.stringify of the parsed answer gives: no spacing, no key written twice.
    expect(text).toBe(JSON.stringify(body));
    const at = await get("/zones/at?lon=6.1296&lat=49.6116&fields=id,center,bbox");
    expect(Object.keys(at.body)).toEqual(["dataset", "zones"]);
    for (const z of at.body.zones) expect(Object.keys(z)).toEqual(["id", "bbox", "center"]);
    const compat = await get(`/compat/zones/${id}/parents`);
    expect(Object.keys(compat.body)).toEqual(["zone", "parents"]);
    expect(Object.keys(compat.body.zone)).toEqual([...Object.keys(S.OldZoneFields), "bbox"]);
    expect(compat.body.zone.bbox).toEqual(JSON.parse(expected?.bbox ?? ""));
    for (const p of compat.body.parents) expect(Object.keys(p)).toEqual(Object.keys(S.OldZoneFields));
  });
});

describe("/zones/at", () => {
  test("a point in Luxembourg City: city → state_district → country, smallest first", async () => {
    const r = await get("/zones/at?lon=6.1296&lat=49.6116");
    expect(r.status).toBe(200);
    const types: string[] = r.body.zones.map((z: { zone_type: string }) => z.zone_type);
    const chain = types.filter((t) => ["city", "state_district", "country"].includes(t));
    expect(chain).toEqual(["city", "state_district", "country"]);
    expect(types.indexOf("city")).toBeGreaterThanOrEqual(types.lastIndexOf("suburb"));
    expect(r.body.zones.find((z: { zone_type: string }) => z.zone_type === "city").osm_id).toBe(LUX_CITY);
    const sea = await get("/zones/at?lon=-30&lat=0");
    expect(sea.body.zones).toEqual([]);
  });

  test("errors", async () => {
    expectBadParameter(await get("/zones/at?lon=6.1"), "lat", /expected string|Required|received undefined/i);
    expectBadParameter(await get("/zones/at?lon=6.1&lat=91"), "lat", /at most 90/);
    expectBadParameter(await get("/zones/at?lon=abc&lat=1"), "lon");
    expectBadParameter(await get("/zones/at?lon=NaN&lat=1"), "lon");
    expectBadParameter(await get("/zones/at?lon=Infinity&lat=1"), "lon");
  });
});

describe("/zones/:id/geometry", () => {
  test("GeoJSON Feature; simplify= reduces the vertex count", async () => {
    const full = await get(`/zones/${ids[LUX]}/geometry`);
    expect(full.status).toBe(200);
    expect(full.headers.get("content-type")).toMatch(/application\/geo\+json/);
    S.GeometryResponse.parse(full.body);
    expect(full.body.type).toBe("Feature");
    expect(full.body.id).toBe(ids[LUX]);
    expect(full.body.properties.name).toBe("Lëtzebuerg");
    expect(full.body.geometry.type).toBe("MultiPolygon");
    const count = (g: { coordinates: unknown }) => JSON.stringify(g.coordinates).split(",").length / 2;
    const simple = await get(`/zones/${ids[LUX]}/geometry?simplify=500`);
    expect(simple.body.geometry.type).toMatch(/Polygon/);
    expect(count(simple.body.geometry)).toBeLessThan(count(full.body.geometry) / 2);
    const [lon, lat] =
      JSON.stringify(simple.body.geometry.coordinates)
        .match(/-?[\d.]+/g)
        ?.map(Number) ?? [];
    expect(lon).toBeGreaterThan(5.7);
    expect(lat).toBeGreaterThan(49.4);
    expect((await get("/zones/999999999/geometry")).status).toBe(404);
    expectBadParameter(await get(`/zones/${ids[LUX]}/geometry?simplify=-1`), "simplify");
    expectBadParameter(await get(`/zones/${ids[LUX]}/geometry?simplify=1000000`), "simplify");
  });
});

describe("datasets, stats, ops, OpenAPI, CORS", () => {
  test("/stats counts the served dataset", async () => {
    const r = await get("/stats");
    expect(r.status).toBe(200);
    S.StatsResponse.parse(r.body);
    const { rows } = await fx.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM public.zones");
    expect(r.body.total).toBe(rows[0]?.n);
    expect(r.body.by_type.country).toBe(1);
    expect(r.body.by_type.city).toBe(105);
    expect(r.body.by_admin_level["2"]).toBe(1);
    expect(r.body.by_country.LU).toBe(r.body.total);
  });

  test("/datasets lists versions and the served one", async () => {
    const r = await get("/datasets");
    expect(r.status).toBe(200);
    S.DatasetsResponse.parse(r.body);
    expect(r.body.served).toBeGreaterThanOrEqual(fx.version);
    expect(r.body.datasets.some((d: { version: number; served: boolean }) => d.served)).toBe(true);
  });

  test("/healthz, /readyz", async () => {
    expect((await get("/healthz")).body).toEqual({ status: "ok" });
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.dataset).toBeGreaterThanOrEqual(fx.version);
  });

  test("/openapi.json is generated from the request schemas", async () => {
    const r = await get("/openapi.json");
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        "/zones",
        "/zones/at",
        "/zones/{id}",
        "/zones/{id}/parents",
        "/zones/{id}/geometry",
        "/stats",
        "/datasets",
        "/compat/zones/{id}",
        "/compat/zones/{id}/parents",
      ]),
    );
    const params = r.body.paths["/zones"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(["q", "type", "country", "bbox", "limit", "offset", "labels", "lang", "fields"]);
    const type = r.body.paths["/zones"].get.parameters.find((p: { name: string }) => p.name === "type");
    expect(type.schema.enum).toContain("state_district");
    const id = r.body.paths["/zones/{id}"].get.parameters[0];
    expect(id).toMatchObject({ name: "id", in: "path", required: true });
    expect(
      r.body.paths["/zones/{id}"].get.responses["200"].content["application/json"].schema.properties.zone,
    ).toBeDefined();
  });

  test("CORS from config; unknown routes 404 as JSON; gzip for larger bodies", async () => {
    const allowed = await fetch(`${api.url}/zones?q=luxem`, { headers: { Origin: "https://explorer.example.org" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://explorer.example.org");
    const other = await fetch(`${api.url}/zones?q=luxem`, { headers: { Origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await fetch(`${api.url}/zones`, {
      method: "OPTIONS",
      headers: { Origin: "https://explorer.example.org", "Access-Control-Request-Method": "GET" },
    });
    expect(pre.status).toBe(204);
    const nf = await get("/nope");
    expect(nf.status).toBe(404);
    expect(nf.body.error).toBe("not_found");
    const big = await fetch(`${api.url}/zones?q=luxem&limit=20&fields=all`, { headers: { "Accept-Encoding": "gzip" } });
    expect(big.headers.get("content-encoding")).toBe("gzip");
  });

  test("an answer whose CORS echoes the Origin varies on Origin too, answered by the route and by the cache", async () => {
    // A URL no other test asks for: the first answer comes from the route, the second from the response cache.
    const path = `/zones/${ids[LUX_CANTON]}/parents?lang=fr`;
    for (const via of ["route", "cache"]) {
      const r = await fetch(`${api.url}${path}`, { headers: { Origin: "https://explorer.example.org" } });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      expect(r.headers.get("access-control-allow-origin"), via).toBe("https://explorer.example.org");
      const vary = (r.headers.get("vary") ?? "").toLowerCase().split(/\s*,\s*/);
      expect(vary, via).toEqual(expect.arrayContaining(["origin", "accept-encoding"]));
    }
  });

  test("answers under 4 kB are not gzipped (a lean point lookup), larger ones are", async () => {
    const path = "/zones/at?lon=6.1296&lat=49.6116";
    const plain = await fetch(`${api.url}${path}`, { headers: { "Accept-Encoding": "identity" } });
    const bytes = (await plain.arrayBuffer()).byteLength;
    // Above the old 1 kB threshold and below the new one: the answer the point lookups mostly give.
    expect(bytes).toBeGreaterThan(1024);
    expect(bytes).toBeLessThan(4096);
    const small = await fetch(`${api.url}${path}`, { headers: { "Accept-Encoding": "gzip" } });
    expect(small.headers.get("content-encoding")).toBeNull();
    expect(small.headers.get("vary")).toMatch(/accept-encoding/i);
    expect((await small.arrayBuffer()).byteLength).toBe(bytes);
    const large = await fetch(`${api.url}/zones/${ids[LUX_CITY]}?fields=all`, {
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(large.headers.get("content-encoding")).toBe("gzip");
  });
});

describe("conditional requests (docs/api.md: If-None-Match → 304)", () => {
  /** Every cacheable route, answered once by Express (cache miss) and then from the response cache. */
  const cacheable = () => [
    "/zones?q=luxem",
    `/zones/at?lon=6.13&lat=49.61`,
    `/zones/${ids[LUX_CITY]}`,
    `/zones/${ids[LUX_CITY]}/parents`,
    `/zones/${ids[LUX_CITY]}/geometry`,
    `/zones/${ids[LUX_CITY]}/geometry?dataset=${fx.version}`,
    "/stats",
    `/compat/zones/${ids[LUX_CITY]}`,
    `/compat/zones/${ids[LUX_CITY]}/parents`,
    "/datasets",
    "/openapi.json",
  ];

  // fetch() adds `Cache-Control: no-cache` to a request carrying If-None-Match (the Fetch standard's cache mode),
  // which rightly forces a full answer; a revalidating cache (browser, nginx) sends max-age=0 or nothing.
  const revalidating = { "Cache-Control": "max-age=0" };

  test.each([
    ["identity", "identity"],
    ["gzip", "gzip"],
  ])("the ETag a route gave comes back as 304 (%s), a different one as 200", async (_name, encoding) => {
    for (const path of cacheable()) {
      for (let round = 0; round < 2; round++) {
        const first = await fetch(`${api.url}${path}`, { headers: { "Accept-Encoding": encoding } });
        expect(first.status, path).toBe(200);
        await first.arrayBuffer();
        const etag = first.headers.get("etag");
        expect(etag, path).toBeTruthy();
        const again = await fetch(`${api.url}${path}`, {
          headers: { ...revalidating, "Accept-Encoding": encoding, "If-None-Match": etag as string },
        });
        expect(again.status, `${path} round ${round}`).toBe(304);
        expect((await again.arrayBuffer()).byteLength, path).toBe(0);
        expect(again.headers.get("etag"), path).toBe(etag);
        const listed = await fetch(`${api.url}${path}`, {
          headers: { ...revalidating, "If-None-Match": `"other", ${etag}` },
        });
        expect(listed.status, path).toBe(304);
        const other = await fetch(`${api.url}${path}`, { headers: { ...revalidating, "If-None-Match": '"other"' } });
        expect(other.status, path).toBe(200);
        await other.arrayBuffer();
        const reload = await fetch(`${api.url}${path}`, { headers: { "If-None-Match": etag as string } });
        expect(reload.status, `${path}: Cache-Control: no-cache asks for the full answer`).toBe(200);
        await reload.arrayBuffer();
      }
    }
  });
});

test("cycle in the parent chain: the walk stops, no zone repeats", async () => {
  // Import refuses a file with a cycle, so corrupt a loaded version's hierarchy in the database (as a version
  // loaded by an older cosmo could be): the country's parent becomes the city, then that version is published.
  const copy = await editedCopy(fx.file, (z) => (z.osm_id === LUX ? { ...z, alt_name: "cycle test" } : z));
  const r = await importZonesFile(fx.db, copy, { progress: false });
  const { rows } = await fx.db.pool.query<{ schema_name: string }>(
    "SELECT schema_name FROM cosmo.datasets WHERE version = $1",
    [r.version],
  );
  await fx.db.pool.query(`UPDATE "${rows[0].schema_name}".zones SET parent = $1 WHERE osm_id = $2`, [
    ids[LUX_CITY],
    LUX,
  ]);
  await publishVersion(fx.db, r.version);
  await eventually(async () => expect((await get("/stats")).body.dataset).toBe(r.version));
  const p = await get(`/zones/${ids[LUX_CITY]}/parents`);
  expect(p.status).toBe(200);
  const seen = p.body.parents.map((z: { id: number }) => z.id);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen).not.toContain(ids[LUX_CITY]);
  expect(p.body.parents.map((z: { name: string }) => z.name)).toEqual(["Canton Luxembourg", "Lëtzebuerg"]);
});

describe("/zones/:id/geometry?dataset= (an older loaded version)", () => {
  /** Every coordinate of a GeoJSON geometry, flattened. */
  const coords = (g: { coordinates: unknown }) => (JSON.stringify(g.coordinates).match(/-?[\d.]+/g) ?? []).map(Number);
  const moved = (dLon: number) => (z: Record<string, unknown>) => {
    if (z.osm_id !== LUX_CITY) return z;
    const shift = (v: unknown): unknown =>
      Array.isArray(v) && typeof v[0] === "number" ? [v[0] + dLon, v[1]] : Array.isArray(v) ? v.map(shift) : v;
    const g = z.geometry as { type: string; coordinates: unknown };
    return { ...z, geometry: { ...g, coordinates: shift(g.coordinates) } };
  };

  test("the old version's geometry of an edited zone differs from the served one; retired/unknown → 404", async () => {
    const before = (await get("/stats")).body.dataset as number;
    const edited = await editedCopy(fx.file, moved(0.01) as never);
    const r = await importZonesFile(fx.db, edited, { publish: true, progress: false });
    await eventually(async () => expect((await get("/stats")).body.dataset).toBe(r.version));
    const id = ids[LUX_CITY];

    const served = await get(`/zones/${id}/geometry`);
    const old = await get(`/zones/${id}/geometry?dataset=${before}`);
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    S.GeometryResponse.parse(old.body);
    expect(old.headers.get("x-dataset-version")).toBe(String(before));
    expect(old.body.properties.dataset).toBe(before);
    expect(served.body.properties.dataset).toBe(r.version);
    const [a, b] = [coords(old.body.geometry), coords(served.body.geometry)];
    expect(a.length).toBe(b.length);
    expect(b[0] - a[0]).toBeCloseTo(0.01, 6); // same ring, moved east
    expect(b[1]).toBeCloseTo(a[1], 6);
    // The served version named explicitly answers like the default; simplify combines with dataset.
    expect((await get(`/zones/${id}/geometry?dataset=${r.version}`)).body).toEqual(served.body);
    expect((await get(`/zones/${id}/geometry?dataset=${before}&simplify=200`)).status).toBe(200);
    // An unknown zone in a known version is the zone's 404, not the version's.
    expect((await get(`/zones/999999999/geometry?dataset=${before}`)).body.error).toBe("not_found");

    const unknown = await get(`/zones/${id}/geometry?dataset=99999`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: "dataset_not_found", parameter: "dataset", dataset: 99999 });
    expect(unknown.body.message).toMatch(/dataset version 99999 does not exist/);

    // Keep one loaded version only: publishing another retires (drops the schema of) every older but previous.
    const third = await importZonesFile(fx.db, await editedCopy(fx.file, moved(0.02) as never), {
      publish: true,
      keepVersions: 1,
      progress: false,
    });
    await eventually(async () => expect((await get("/stats")).body.dataset).toBe(third.version));
    const retired = await get(`/zones/${id}/geometry?dataset=${fx.version}`);
    expect(retired.status).toBe(404);
    expect(retired.body.error).toBe("dataset_not_found");
    expect(retired.body.message).toMatch(
      new RegExp(`dataset version ${fx.version} is not loaded \\(status retired\\)`),
    );
    // The previous version stays loaded (rollback), so it is still readable.
    expect((await get(`/zones/${id}/geometry?dataset=${r.version}`)).status).toBe(200);

    expectBadParameter(await get(`/zones/${id}/geometry?dataset=abc`), "dataset", /integer/);
    expectBadParameter(await get(`/zones/${id}/geometry?dataset=0`), "dataset", /at least 1/);
    expectBadParameter(await get(`/zones/${id}/geometry?dataset=-3`), "dataset");
  });

  test("/openapi.json documents POST /zones/locate: its body, its limits and what it answers", async () => {
    const r = await get("/openapi.json");
    const op = r.body.paths["/zones/locate"]?.post;
    expect(op).toBeTruthy();
    const body = op.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["points"]);
    expect(body.properties.points.maxItems).toBe(10_000);
    expect(body.properties.points.items.required).toEqual(["id", "lon", "lat"]);
    expect(Object.keys(op.responses)).toEqual(["200", "400", "413", "503"]);
    const located = op.responses["200"].content["application/json"].schema.properties.results.items;
    expect(Object.keys(located.properties.zones.properties)).toEqual([...ZONE_TYPES]);
  });

  test("/openapi.json documents dataset= on the geometry route", async () => {
    const r = await get("/openapi.json");
    const params = r.body.paths["/zones/{id}/geometry"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(["id", "simplify", "dataset"]);
  });
});

test("/datasets shows the source path and who forced a publish only with api.showDatasetOrigin", async () => {
  const forced = await importZonesFile(fx.db, await editedCopy(fx.file, (z) => z), { progress: false });
  await publishVersion(fx.db, forced.version, { force: true, forcedBy: "alice", reason: "test of the view" });
  const shown = await startApiServer({
    db: fx.db,
    port: 0,
    host: "127.0.0.1",
    config: testConfig({ db: fx.db }),
    settings: { showDatasetOrigin: true },
  });
  try {
    const row = (body: { datasets: Record<string, unknown>[] }) =>
      body.datasets.find((d) => d.version === forced.version);
    const open = await getJson(`${shown.url}/datasets`);
    S.DatasetsResponse.parse(open.body);
    expect(row(open.body)).toMatchObject({ forced_by: "alice", force_reason: "test of the view" });
    expect(row(open.body)?.source).toMatch(/edited\.jsonl\.gz$/);
    // Default: neither the path nor the person, the rest unchanged.
    const closed = await get("/datasets");
    S.DatasetsResponse.parse(closed.body);
    expect(row(closed.body)).toMatchObject({ source: null, forced_by: null, force_reason: "test of the view" });
    expect(row(closed.body)).toMatchObject({ source_sha256: row(open.body)?.source_sha256, status: "published" });
    expect(JSON.stringify(closed.body)).not.toContain(fx.file);
    expect(JSON.stringify(closed.body)).not.toContain("alice");
  } finally {
    await shown.close();
  }
});

// A version as an older cosmo left it: without the names tables (or their search function). Served like that (an
// upgrade of the services under a served version), a search by name says what to do; publishing the version, or
// publishing the served one again, builds what it lacks.
test.each([
  { lacks: "the names table", drop: (schema: string) => `DROP TABLE ${schema}.zone_names` },
  { lacks: "the search function", drop: (schema: string) => `DROP FUNCTION ${schema}.zone_names_search` },
])("a version imported without $lacks: 503 saying to publish it again, which builds it", async ({ drop }) => {
  const old = await importZonesFile(fx.db, await editedCopy(fx.file, (z) => ({ ...z, wikidata: null })), {
    progress: false,
  });
  const schema = `zones_v${old.version}`;
  await fx.db.pool.query(drop(schema));
  await publishVersion(fx.db, old.version, { force: true, reason: "a version as an older cosmo left it" });
  await eventually(async () => expect((await get("/stats")).body.dataset).toBe(old.version));
  const names = (r: { body: { zones?: { name: string }[] } }) => (r.body.zones ?? []).map((z) => z.name);
  expect(names(await get("/zones?q=luxem"))).toContain("Luxembourg");

  await fx.db.pool.query(drop(schema));
  const r = await get("/zones?q=luxemb"); // not the query above: the API's response cache holds that answer
  expect(r.status).toBe(503);
  expect(r.body.error).toBe("no_search_names");
  expect(r.body.message).toMatch(new RegExp(`dataset version ${old.version} .*cosmo publish ${old.version}`));
  const cities = await get("/zones?type=city&limit=3");
  expect(cities.status).toBe(200);
  expect(cities.body.zones).toHaveLength(3);

  expect((await publishVersion(fx.db, old.version)).unchanged).toBe(true);
  const again = await get("/zones?q=luxembo");
  expect(again.status).toBe(200);
  expect(names(again)).toContain("Luxembourg");
});
