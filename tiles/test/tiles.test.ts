// The tile service on the imported Luxembourg data: content per zoom band, both layers, HTTP caching rules,
// errors, and switching to a newly published version without a restart.
import { gunzipSync } from "node:zlib";
import { escapeIdentifier } from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { editedCopy, eventually, getJson, luxembourgDatabase, type ServingFixture } from "../../api/test/support.ts";
import { functionCalls, planNodes, testConfig } from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { metersPerPixel } from "../../importer/zoom-bands.ts";
import { bandForLayer } from "../bands.ts";
import { lonLatToTile } from "../coords.ts";
import { layerByUrlName, type TileLayer } from "../layers.ts";
import { TileRenderer, tileSql } from "../render.ts";
import { startTilesServer } from "../server.ts";
import { decodeLayer, layerNames } from "./decode.ts";

let fx: ServingFixture;
let tiles: { url: string; close(): Promise<void> };
const ids: Record<string, number> = {};
const LUX_CITY = { lon: 6.1296, lat: 49.6116 };

/** The 3×3 tiles of zoom z around Luxembourg City. */
function blockAroundLuxCity(z: number): { x: number; y: number }[] {
  const centre = lonLatToTile(LUX_CITY.lon, LUX_CITY.lat, z);
  const block: { x: number; y: number }[] = [];
  for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) block.push({ x: centre.x + dx, y: centre.y + dy });
  return block;
}

/** tile.sql's parameters (tiles.ts renderBatch's order) for `tiles` of zoom z, names in `languages`. */
function tileParams(
  z: number,
  tiles: { x: number; y: number }[],
  layer: TileLayer,
  band: ReturnType<typeof bandForLayer>,
  languages: string[],
): unknown[] {
  return [
    z,
    tiles.map((t) => t.x),
    tiles.map((t) => t.y),
    band.zoneTypes,
    layer.layer,
    layer.compat,
    languages.map((l) => `name:${l}`),
    band.maxAdminLevel,
    "zone_labels",
  ];
}

function tileUrl(layer: string, z: number, pt = LUX_CITY): string {
  const { x, y } = lonLatToTile(pt.lon, pt.lat, z);
  return `${tiles.url}/tiles/${layer}/${z}/${x}/${y}.pbf`;
}

// fetch() adds `Cache-Control: no-cache` to a request carrying If-None-Match (the Fetch standard's cache mode),
// which rightly forces a full answer; a revalidating cache (browser, nginx) sends max-age=0 or nothing.
const revalidating = { "Cache-Control": "max-age=0" };

async function fetchTile(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { res, bytes: await res.arrayBuffer() };
}

beforeAll(async () => {
  fx = await luxembourgDatabase("tiles");
  const { rows } = await fx.db.pool.query<{ osm_id: string; id: number }>(
    "SELECT osm_id, id FROM public.zones WHERE osm_id IN ('relation:2171347', 'relation:407489')",
  );
  for (const r of rows) ids[r.osm_id] = r.id;
  tiles = await startTilesServer({ db: fx.db, port: 0, host: "127.0.0.1", config: testConfig({ db: fx.db }) });
});
afterAll(async () => {
  await tiles?.close();
  await fx?.db.close();
});

describe("content", () => {
  test("a tile passes each zone and label point through ST_AsMVTGeom once (not again for the IS NOT NULL test)", async () => {
    const z = 12;
    const { x, y } = lonLatToTile(LUX_CITY.lon, LUX_CITY.lat, z);
    const layer = layerByUrlName("zones") as TileLayer;
    const band = bandForLayer(layer, z);
    const schema = `zones_v${fx.version}`;
    const client = await fx.db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL track_functions = 'all'");
      const calls = () => functionCalls(client, "st_asmvtgeom(geometry,box2d,integer,integer,boolean)");
      // The rows the statement hands to ST_AsMVTGeom (tile.sql's rules at z12, every zone type shown): the zones
      // reaching into the tile's buffered area, and those whose label point is in the tile.
      const { rows: expected } = await client.query<{ shapes: number; points: number }>(
        `SELECT (SELECT count(*) FROM ${schema}.zones g WHERE g.zone_type IS NOT NULL
                   AND g.geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096))::int AS shapes,
                (SELECT count(*) FROM ${schema}.zones g WHERE g.zone_type IS NOT NULL
                   AND g.geom && ST_TileEnvelope($1, $2, $3)
                   AND ST_Intersects(coalesce(ST_Transform(g.center, 3857), ST_PointOnSurface(g.geom)),
                                     ST_TileEnvelope($1, $2, $3)))::int AS points`,
        [z, x, y],
      );
      const before = await calls();
      const { rows } = await client.query<{ mvt: Buffer }>(
        tileSql(schema, band, null, true),
        tileParams(z, [{ x, y }], layer, band, ["de"]),
      );
      const drawn =
        (decodeLayer(rows[0].mvt, "zones")?.length ?? 0) + (decodeLayer(rows[0].mvt, "zone_labels")?.length ?? 0);
      expect(drawn).toBeGreaterThan(5);
      expect(await calls()).toBe(before + expected[0].shapes + expected[0].points);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("a batch of neighbouring tiles simplifies each zone once for all of them; each tile is its bytes alone", async () => {
    const z = 12;
    const block = blockAroundLuxCity(z);
    const layer = layerByUrlName("zones") as TileLayer;
    const band = bandForLayer(layer, z);
    const schema = `zones_v${fx.version}`;
    const ref = { version: fx.version, schema };
    const renderer = new TileRenderer(fx.db.pool, ["de"]);
    const alone = await Promise.all(block.map((t) => renderer.render(ref, layer, { z, ...t })));
    const together = await renderer.renderBatch(ref, layer, z, block);
    expect(together).toEqual(alone);
    expect(alone.filter((b) => b.length > 0).length).toBe(block.length);

    const client = await fx.db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL track_functions = 'all'");
      const calls = () => functionCalls(client, "st_simplify(geometry,float8,boolean)");
      // the zones meeting each tile's buffered area (the whole zones: the statement below reads no pieces), and
      // the same zones counted once
      const { rows: expected } = await client.query<{ pairs: number; zones: number }>(
        `SELECT count(*)::int AS pairs, count(DISTINCT g.id)::int AS zones
         FROM unnest($2::int[], $3::int[]) AS t(x, y)
         JOIN ${schema}.zones g ON g.geom && ST_TileEnvelope($1, t.x, t.y, margin => 64.0 / 4096)
         WHERE g.zone_type IS NOT NULL`,
        [z, block.map((t) => t.x), block.map((t) => t.y)],
      );
      expect(expected[0].pairs).toBeGreaterThan(expected[0].zones);
      const before = await calls();
      const { rows } = await client.query<{ mvt: Buffer }>(
        tileSql(schema, band, null, true),
        tileParams(z, block, layer, band, ["de"]),
      );
      expect(rows.length).toBe(block.length);
      expect(await calls()).toBe(before + expected[0].zones);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("a tile reads each zone's tags once for its name:<lang> properties, whatever the number of languages", async () => {
    const z = 12;
    const { x, y } = lonLatToTile(LUX_CITY.lon, LUX_CITY.lat, z);
    const layer = layerByUrlName("zones") as TileLayer;
    const band = bandForLayer(layer, z);
    const schema = `zones_v${fx.version}`;
    const client = await fx.db.pool.connect();
    try {
      await client.query("BEGIN");
      // blocks of the zones table's TOAST relation read in this transaction: a wide row keeps its tags there (the
      // country's, here), and every `tags -> key` fetched and decompressed them again
      const toastBlocks = async () => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT pg_stat_get_xact_blocks_fetched(reltoastrelid)::int AS n FROM pg_class
           WHERE oid = $1::regclass`,
          [`${schema}.zones`],
        );
        return rows[0].n;
      };
      const render = async (languages: string[]) => {
        const before = await toastBlocks();
        await client.query(tileSql(schema, band, null, true), tileParams(z, [{ x, y }], layer, band, languages));
        return (await toastBlocks()) - before;
      };
      // some zone of the tile has its tags out of line (else this test would not test anything)
      const before = await toastBlocks();
      await client.query(
        `SELECT sum(length(g.tags::text)) FROM ${schema}.zones g
         WHERE g.zone_type IS NOT NULL AND g.geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)`,
        [z, x, y],
      );
      expect(await toastBlocks()).toBeGreaterThan(before);
      const oneLanguage = await render(["de"]);
      expect(await render(["en", "fr", "de", "es", "it", "nl", "pt", "ru", "ar", "zh", "ja", "lb"])).toBe(oneLanguage);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("a batch reads its features and labels once to make its tiles' layers, not once per tile", async () => {
    const z = 12;
    const block = blockAroundLuxCity(z);
    const layer = layerByUrlName("zones") as TileLayer;
    const band = bandForLayer(layer, z);
    const schema = `zones_v${fx.version}`;
    const nodes = await planNodes(
      fx.db.pool,
      "ANALYZE",
      tileSql(schema, band, null, true),
      tileParams(z, block, layer, band, ["de"]),
    );
    // rows each CTE gives (its own node) and rows read out of it by the scans of it
    const made = new Map<string, number>();
    const read = new Map<string, number>();
    for (const node of nodes) {
      if (node["Subplan Name"]?.startsWith("CTE ")) made.set(node["Subplan Name"].slice(4), node["Actual Rows"] ?? 0);
      if (node["Node Type"] === "CTE Scan" && node["CTE Name"]) {
        const rowsRead =
          ((node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0)) * (node["Actual Loops"] ?? 0);
        read.set(node["CTE Name"], (read.get(node["CTE Name"]) ?? 0) + rowsRead);
      }
    }
    // features: the tiles' ST_AsMVTGeom rows; labels: their label points (several of each a tile, in 9 tiles)
    expect(made.get("features")).toBeGreaterThan(2 * block.length);
    expect(made.get("labels")).toBeGreaterThan(0);
    for (const cte of ["features", "labels"]) expect(read.get(cte)).toBe(made.get(cte));
  });

  test("the one-tile statement stays on its generic plan (not planned again at every tile)", async () => {
    const z = 12;
    const { x, y } = lonLatToTile(LUX_CITY.lon, LUX_CITY.lat, z);
    const layer = layerByUrlName("zones") as TileLayer;
    const band = bandForLayer(layer, z);
    const schema = `zones_v${fx.version}`;
    const name = "tile_generic_plan_test";
    const client = await fx.db.pool.connect();
    try {
      // a connection chooses between custom and generic plans after five executions of a named statement
      for (let i = 0; i < 8; i++) {
        await client.query({
          name,
          text: tileSql(schema, band, null, true, false),
          values: tileParams(z, [{ x, y }], layer, band, ["de"]),
        });
      }
      const { rows } = await client.query<{ generic_plans: string }>(
        "SELECT generic_plans FROM pg_prepared_statements WHERE name = $1",
        [name],
      );
      expect(Number(rows[0]?.generic_plans)).toBeGreaterThan(0);
    } finally {
      await client.query("DEALLOCATE tile_generic_plan_test").catch(() => {});
      client.release();
    }
  });

  test("z0: the country only, with its names, extent 4096", async () => {
    const { res, bytes } = await fetchTile(`${tiles.url}/tiles/zones/0/0/0.pbf`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.mapbox-vector-tile");
    expect(layerNames(bytes)).toEqual(["zones", "zone_labels"]);
    const features = decodeLayer(bytes, "zones") ?? [];
    expect(features.map((f) => f.properties.zone_type)).toEqual(["country"]);
    const lu = features[0];
    expect(lu?.id).toBe(ids["relation:2171347"]);
    expect(lu?.extent).toBe(4096);
    expect(lu?.rings).toBeGreaterThan(0);
    expect(lu?.properties).toMatchObject({
      name: "Lëtzebuerg",
      zone_type: "country",
      admin_level: 2,
      country_code: "LU",
      osm_id: "relation:2171347",
      "name:de": "Luxemburg",
      "name:fr": "Luxembourg",
    });
    // z0-4 must stay small: the whole country at z0 is a few hundred bytes.
    expect(bytes.byteLength).toBeLessThan(20_000);
  });

  test("z5 shows cantons (state_district) but no cities; z8 adds cities; z12 has suburbs", async () => {
    const types = async (z: number) =>
      new Set(
        (decodeLayer((await fetchTile(tileUrl("zones", z))).bytes, "zones") ?? []).map((f) => f.properties.zone_type),
      );
    const z5 = await types(5);
    expect(z5.has("state_district")).toBe(true);
    expect(z5.has("city")).toBe(false);
    const z8 = await types(8);
    expect(z8.has("city")).toBe(true);
    expect(z8.has("suburb")).toBe(false);
    const z12 = await types(12);
    expect(z12.has("suburb")).toBe(true);
    expect(z12.has("country")).toBe(true);
  });

  test("z10: Luxembourg City is a feature with its id and properties", async () => {
    const features = decodeLayer((await fetchTile(tileUrl("zones", 10))).bytes, "zones") ?? [];
    const city = features.find((f) => f.id === ids["relation:407489"]);
    expect(city?.properties).toMatchObject({
      name: "Luxembourg",
      zone_type: "city",
      admin_level: 8,
      country_code: "LU",
    });
    expect(city?.properties.label).toBe("Luxembourg, Canton Luxembourg, Lëtzebuerg");
  });

  test("zone_labels: one point per zone of the band at its label point, with the names by language", async () => {
    const z0 = await fetchTile(`${tiles.url}/tiles/zones/0/0/0.pbf`);
    const labels0 = decodeLayer(z0.bytes, "zone_labels") ?? [];
    expect(labels0.map((f) => f.id)).toEqual((decodeLayer(z0.bytes, "zones") ?? []).map((f) => f.id));
    expect(labels0[0]?.properties).toMatchObject({
      name: "Lëtzebuerg",
      zone_type: "country",
      "name:de": "Luxemburg",
      "name:fr": "Luxembourg",
    });
    // At z10 the zones reach over several tiles, their labels are each in one: Luxembourg City's tile has its label,
    // the tile west of it (same zones, more or less) not the city's.
    const { x, y } = lonLatToTile(LUX_CITY.lon, LUX_CITY.lat, 10);
    const here = decodeLayer((await fetchTile(tileUrl("zones", 10))).bytes, "zone_labels") ?? [];
    const west = decodeLayer((await fetchTile(`${tiles.url}/tiles/zones/10/${x - 1}/${y}.pbf`)).bytes, "zone_labels");
    const city = here.find((f) => f.id === ids["relation:407489"]);
    expect(city?.properties).toMatchObject({ name: "Luxembourg", zone_type: "city", admin_level: 8 });
    expect(city?.rings).toBe(1);
    expect((west ?? []).some((f) => f.id === ids["relation:407489"])).toBe(false);
  });

  test("old layer: /tiles/cosmogony is `vector-zones` with the three old properties", async () => {
    const z0 = await fetchTile(`${tiles.url}/tiles/cosmogony/0/0/0.pbf`);
    expect(layerNames(z0.bytes)).toEqual(["vector-zones"]);
    const f0 = decodeLayer(z0.bytes, "vector-zones") ?? [];
    expect(f0.length).toBeGreaterThan(0);
    for (const f of f0) {
      expect(Object.keys(f.properties).sort()).toEqual(["admin_level", "name", "zone_type"]);
      expect(f.properties.admin_level as number).toBeLessThanOrEqual(2);
    }
    const f10 = decodeLayer((await fetchTile(tileUrl("cosmogony", 10))).bytes, "vector-zones") ?? [];
    const city = f10.find((f) => f.id === ids["relation:407489"]);
    expect(city?.properties).toEqual({ name: "Luxembourg", admin_level: 8, zone_type: "city" });
  });

  test("old layer from z3 up: every zone touching the tile, as t-rex served it (city at z5, suburbs at z8)", async () => {
    const zones = async (layer: string, z: number) => {
      const features = decodeLayer(
        (await fetchTile(tileUrl(layer, z))).bytes,
        layer === "zones" ? "zones" : "vector-zones",
      );
      return features ?? [];
    };
    const CITY = ids["relation:407489"];
    const { rows: served } = await fx.db.pool.query<{ schema_name: string }>(
      "SELECT schema_name FROM cosmo.datasets WHERE version = $1",
      [fx.version],
    );
    const schema = escapeIdentifier(served[0]?.schema_name as string);
    for (const z of [3, 5, 8]) {
      const old = await zones("cosmogony", z);
      expect(old.find((f) => f.id === CITY)?.properties, `z${z}: Luxembourg City in /tiles/cosmogony`).toEqual({
        name: "Luxembourg",
        admin_level: 8,
        zone_type: "city",
      });
      const types = new Set(old.map((f) => f.properties.zone_type));
      for (const t of ["country", "state_district", "city", "suburb"]) expect(types, `z${z}`).toContain(t);
      // Every zone whose geometry intersects the tile (the Luxembourg City tile at these zooms holds them all but
      // those far out of it): compare with the zones the database has there.
      const { x, y } = lonLatToTile(LUX_CITY.lon, LUX_CITY.lat, z);
      const { rows } = await fx.db.pool.query<{ id: number }>(
        `SELECT id FROM ${schema}.zones WHERE ST_Intersects(geom, ST_TileEnvelope($1, $2, $3))`,
        [z, x, y],
      );
      const shown = new Set(old.map((f) => f.id));
      const missing = rows.map((r) => r.id).filter((id) => !shown.has(id));
      if (z >= 5) expect(missing, `z${z}: zones intersecting the tile but not in it`).toEqual([]);
      // At z3 a grid cell of the 4096-unit tile is ~1.2 km: a polygon of a cell or two snaps to nothing and no
      // MVT encoder keeps it. Only those may be missing.
      const cell = (metersPerPixel(z) * 256) / 4096;
      const { rows: areas } = await fx.db.pool.query<{ cells: number }>(
        `SELECT ST_Area(geom) / $2 ^ 2 AS cells FROM ${schema}.zones WHERE id = ANY ($1)`,
        [missing, cell],
      );
      for (const a of areas) expect(a.cells, `z${z}: a zone big enough to draw is missing`).toBeLessThan(4);
    }
    // z0-2 of the old layer stay countries only; the new layer keeps its zoom bands.
    for (const f of await zones("cosmogony", 2)) expect(f.properties.admin_level as number).toBeLessThanOrEqual(2);
    expect((await zones("zones", 5)).some((f) => f.id === CITY)).toBe(false);
    expect((await zones("zones", 8)).some((f) => f.properties.zone_type === "suburb")).toBe(false);
  });

  test("TileJSON 3 for both layers, tile URL from the forwarded headers", async () => {
    const { status, body } = await getJson(`${tiles.url}/tiles/zones.json`, {
      headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "maps.example.org", "X-Forwarded-Prefix": "/cosmo" },
    });
    expect(status).toBe(200);
    expect(body.tilejson).toBe("3.0.0");
    // maps.example.org is not in tiles.allowedHosts: not echoed, the URL is root-relative (public-url.test.ts).
    expect(body.tiles).toEqual([`/cosmo/tiles/zones/{z}/{x}/{y}.pbf?v=${fx.version}`]);
    expect(body.minzoom).toBe(0);
    expect(body.maxzoom).toBeGreaterThanOrEqual(14);
    const [w, s, e, n] = body.bounds;
    expect(w).toBeCloseTo(5.7357, 2);
    expect(s).toBeCloseTo(49.4478, 2);
    expect(e).toBeCloseTo(6.5312, 2);
    expect(n).toBeCloseTo(50.1827, 2);
    expect(body.vector_layers[0].id).toBe("zones");
    expect(Object.keys(body.vector_layers[0].fields)).toEqual(
      expect.arrayContaining(["name", "zone_type", "admin_level", "country_code", "osm_id", "name:de"]),
    );
    const old = await getJson(`${tiles.url}/tiles/cosmogony.json`);
    expect(old.body.vector_layers[0].id).toBe("vector-zones");
    expect(old.body.tiles[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tiles\/cosmogony\/\{z\}/);
  });
});

describe("HTTP", () => {
  test("gzip when accepted, identity otherwise; same tile either way", async () => {
    const url = tileUrl("zones", 9);
    const gz = await fetch(url, { headers: { "Accept-Encoding": "gzip" }, decompress: false } as RequestInit);
    // fetch (undici) decompresses transparently; check the header and compare decoded content.
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gz.headers.get("vary")).toMatch(/Accept-Encoding/);
    const gzBytes = new Uint8Array(await gz.arrayBuffer());
    const plain = await fetch(url, { headers: { "Accept-Encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const plainBytes = new Uint8Array(await plain.arrayBuffer());
    const decoded = gzBytes[0] === 0x1f && gzBytes[1] === 0x8b ? gunzipSync(gzBytes) : Buffer.from(gzBytes);
    expect(Buffer.compare(decoded, Buffer.from(plainBytes))).toBe(0);
    expect(gz.headers.get("etag")).not.toBe(plain.headers.get("etag"));
  });

  test("strong ETag; If-None-Match → 304 (tiles of both layers, TileJSON); Cache-Control tied to the version", async () => {
    const url = tileUrl("zones", 8);
    const first = await fetch(url);
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+(-gzip)?"$/);
    expect(first.headers.get("x-dataset-version")).toBe(String(fx.version));
    expect(first.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const versioned = await fetch(`${url}?v=${fx.version}`);
    expect(versioned.headers.get("cache-control")).toContain("immutable");
    // Rendered (Express), then from the memory cache (fast path), gzip and identity, the URL with and without v.
    for (const path of [url, tileUrl("cosmogony", 8), tileUrl("zones", 11), `${tiles.url}/tiles/zones.json`]) {
      for (const encoding of ["gzip", "identity"]) {
        for (let round = 0; round < 2; round++) {
          const r = await fetch(path, { headers: { "Accept-Encoding": encoding } });
          await r.arrayBuffer();
          const tag = r.headers.get("etag") as string;
          expect(tag, path).toBeTruthy();
          const again = await fetch(path, {
            headers: { ...revalidating, "Accept-Encoding": encoding, "If-None-Match": tag },
          });
          expect(again.status, `${path} ${encoding} round ${round}`).toBe(304);
          expect((await again.arrayBuffer()).byteLength).toBe(0);
          const weak = await fetch(path, {
            headers: { ...revalidating, "Accept-Encoding": encoding, "If-None-Match": `W/${tag}` },
          });
          expect(weak.status, `${path}: If-None-Match compares weakly`).toBe(304);
          const other = await fetch(path, { headers: { ...revalidating, "If-None-Match": '"something-else"' } });
          expect(other.status, path).toBe(200);
          await other.arrayBuffer();
          const reload = await fetch(path, { headers: { "If-None-Match": tag } });
          expect(reload.status, `${path}: Cache-Control: no-cache asks for the full answer`).toBe(200);
          await reload.arrayBuffer();
        }
      }
    }
  });

  test("empty tile → 204; bad z/x/y → 400 naming the parameter; unknown layer → 404", async () => {
    expect((await fetch(`${tiles.url}/tiles/zones/10/0/0.pbf`)).status).toBe(204);
    for (const [path, parameter] of [
      ["/tiles/zones/23/0/0.pbf", "z"],
      ["/tiles/zones/3/8/0.pbf", "x"],
      ["/tiles/zones/3/0/8.pbf", "y"],
      ["/tiles/zones/1.5/0/0.pbf", "z"],
      ["/tiles/zones/-1/0/0.pbf", "z"],
      ["/tiles/zones/2/a/0.pbf", "x"],
      ["/tiles/zones/2/0/0.png", "y"],
    ] as const) {
      const r = await getJson(`${tiles.url}${path}`);
      expect(r.status, path).toBe(400);
      expect(r.body.parameter, path).toBe(parameter);
    }
    expect((await fetch(`${tiles.url}/tiles/nope/0/0/0.pbf`)).status).toBe(404);
    expect((await fetch(`${tiles.url}/tiles/nope.json`)).status).toBe(404);
  });
});

test("publishing a new version changes content and ETag at the same URL, without a restart", async () => {
  const url = `${tiles.url}/tiles/zones/0/0/0.pbf`;
  const before = await fetch(url);
  const etagBefore = before.headers.get("etag");
  const renamed = await editedCopy(fx.file, (z) =>
    z.osm_id === "relation:2171347" ? { ...z, name: "Lëtzebuerg (v2)" } : z,
  );
  const r = await importZonesFile(fx.db, renamed, { publish: true, progress: false });
  expect(r.version).toBeGreaterThan(fx.version);
  const after = await eventually(async () => {
    const res = await fetch(url);
    expect(res.headers.get("x-dataset-version")).toBe(String(r.version));
    return res;
  });
  expect(after.headers.get("etag")).not.toBe(etagBefore);
  const features = decodeLayer(await after.arrayBuffer(), "zones") ?? [];
  expect(features[0]?.properties.name).toBe("Lëtzebuerg (v2)");
  // The old ETag no longer matches: a client revalidating gets the new tile.
  expect((await fetch(url, { headers: { ...revalidating, "If-None-Match": etagBefore as string } })).status).toBe(200);
});
