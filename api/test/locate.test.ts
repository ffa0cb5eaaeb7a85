// Bulk locate on the imported Luxembourg data: `cosmo locate` (CSV and GeoJSON lines, gzipped or not) and
// POST /zones/locate give, for every point, the zones /zones/at gives (same ids, same order); bad rows are
// refused naming their line (CLI, exit 2, no output left) or index (HTTP 400); limits are 413; an unreachable
// database is exit 5. Exactness: on random points, on the vertices and edge midpoints of the boundaries and of the
// cut pieces, in holes and on an enclave dataset, the zones located are those ST_Covers gives on the full
// boundaries, whatever the batch size; the in-memory piece index reloads itself when the pieces are rebuilt.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { crc32, gunzipSync, gzipSync } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import Flatbush from "flatbush";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ZONE_TYPES } from "../../core/cosmogony/model.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import { datasetRef, type ServedRef } from "../../core/serving/served-dataset.ts";
import { loadSql } from "../../core/sql.ts";
import {
  COSMO_BIN,
  runNode,
  type TestDatabase,
  testConfig,
  testDatabase,
  testEnv,
  tmpDir,
} from "../../core/testing.ts";
import { importZonesFile } from "../../importer/import.ts";
import { csvPointsOf, openOutput, plainDecimal, type ReadPoint } from "../locate/files.ts";
import { LOCATE_MAX_POINTS } from "../locate/http.ts";
import {
  candidatePairs,
  float8ArrayParam,
  jsonArray,
  jsonLines,
  LOCATE_BATCH,
  locateBatch,
  locateRanks,
} from "../locate/locate.ts";
import {
  indexFileLayout,
  loadPieceIndex,
  type PieceIndex,
  PointGrid,
  pieceBoxesCopy,
  readPieceColumns,
  SURE_MARGIN_DEGREES,
} from "../locate/piece-index.ts";
import { type LocatePoint, pointOf } from "../locate/points.ts";
import { type LocateFileOptions, locateFile } from "../locate/run.ts";
import { NEAR_CUT_DEGREES, ZoneQueries } from "../queries.ts";
import { startApiServer } from "../server.ts";
import { zoneShape } from "../views.ts";
import { ENCLAVE_POINTS, enclaveZonesFile, type Ring, zoneOf } from "./enclave-fixture.ts";
import { getJson, luxembourgDatabase, type ServingFixture } from "./support.ts";

let fx: ServingFixture;
let api: { url: string; close(): Promise<void> };
let dir: string;
const N = 1200;
const points: { id: string; lon: number; lat: number }[] = [];
/** What /zones/at says for each point: zone ids smallest first, and zone types. */
const expected: { ids: number[]; types: (string | null)[] }[] = [];

beforeAll(async () => {
  fx = await luxembourgDatabase("locate");
  api = await startApiServer({ db: fx.db, port: 0, host: "127.0.0.1", config: testConfig({ db: fx.db }) });
  dir = tmpDir("locate");
  const rnd = seededRandom(42);
  for (let k = 0; k < N; k++) {
    // Luxembourg's bbox and a margin around it: points outside every zone too
    points.push({ id: `p${k}`, lon: 5.6 + rnd() * 1.0, lat: 49.4 + rnd() * 0.8 });
  }
  const queries = new ZoneQueries(fx.db.pool);
  const ref = datasetRef(fx.version, `zones_v${fx.version}`);
  for (const p of points) {
    const rows = await queries.at(ref, p.lon, p.lat, zoneShape({}));
    expected.push({ ids: rows.map((r) => r.id), types: rows.map((r) => r.zone_type) });
  }
});
afterAll(async () => {
  await api?.close();
  await fx?.db.close();
});

function csvInput(name: string, rows: string[], gz = false): string {
  const file = join(dir, name);
  const text = `${rows.join("\n")}\n`;
  writeFileSync(file, gz ? gzipSync(text) : text);
  return file;
}

const pointsCsv = () => ["id,lon,lat", ...points.map((p) => `${p.id},${p.lon},${p.lat}`)];
const pointsGeoJson = () =>
  points.map((p) =>
    JSON.stringify({
      type: "Feature",
      id: p.id,
      properties: {},
      geometry: { type: "Point", coordinates: [p.lon, p.lat] },
    }),
  );

async function locate(args: string[]) {
  return runNode([COSMO_BIN, "locate", "--no-progress", ...args], { env: testEnv({ db: fx.db }) });
}

/** locateFile on the fixture's database, without a progress bar: zone ids per type unless `opts` says otherwise. */
function locateInto(input: string, output: string, opts: Partial<LocateFileOptions> = {}) {
  return locateFile(fx.db, { input, output, hierarchy: false, progress: false, ...opts });
}

function readOutput(file: string): string {
  const raw = readFileSync(file);
  return (file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
}

describe("cosmo locate", () => {
  test("gzipped CSV in, CSV out: one zone id per type, the smallest /zones/at gives of that type", async () => {
    const out = join(dir, "out.csv");
    const r = await locate(["-i", csvInput("points.csv.gz", pointsCsv(), true), "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`located ${N} points`));
    const lines = readOutput(out).trimEnd().split("\n");
    const header = (lines[0] as string).split(",");
    expect(header.slice(0, 3)).toEqual(["id", "lon", "lat"]);
    expect(lines.length).toBe(N + 1);
    let inSome = 0;
    for (const [k, line] of lines.slice(1).entries()) {
      const cells = line.split(",");
      const p = points[k] as (typeof points)[number];
      const e = expected[k] as (typeof expected)[number];
      expect(cells.slice(0, 3)).toEqual([p.id, String(p.lon), String(p.lat)]);
      for (const [c, type] of header.slice(3).entries()) {
        const first = e.types.indexOf(type);
        expect(cells[c + 3], `${p.id} ${type}`).toBe(first < 0 ? "" : String(e.ids[first]));
      }
      if (e.ids.length) inSome++;
    }
    expect(inSome).toBeGreaterThan(N / 3);
    expect(inSome).toBeLessThan(N);
  });

  test("GeoJSON lines in, gzipped JSON lines out with --hierarchy --lang: every zone of /zones/at, in order", async () => {
    const out = join(dir, "out.jsonl.gz");
    const r = await locate([
      "-i",
      csvInput("points.geojsonl", pointsGeoJson()),
      "-o",
      out,
      "--hierarchy",
      "--lang",
      "de",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const records = readOutput(out)
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.length).toBe(N);
    for (const [k, rec] of records.entries()) {
      expect(rec.id).toBe(points[k]?.id);
      expect(rec.hierarchy.map((z: { id: number }) => z.id)).toEqual(expected[k]?.ids);
    }
    const names = new Set(records.flatMap((rec) => rec.hierarchy.map((z: { name: string }) => z.name)));
    expect(names.has("Luxemburg")).toBe(true); // the country's name:de
    expect(names.has("Lëtzebuerg")).toBe(false); // its name
  });

  test("CSV with --hierarchy --lang: per type the first zone of the JSON lines' hierarchy, its name beside it", async () => {
    // Ids that need quoting, and names with spaces and apostrophes, through the CSV writer.
    const rows = points.map((p, k) => `${k % 3 === 0 ? `"p, ${k}"` : p.id},${p.lon},${p.lat}`);
    const input = csvInput("hierarchy.csv", ["id,lon,lat", ...rows]);
    const csvOut = join(dir, "hierarchy-out.csv");
    const jsonOut = join(dir, "hierarchy-out.jsonl");
    for (const out of [csvOut, jsonOut]) {
      const r = await locate(["-i", input, "-o", out, "--hierarchy", "--lang", "de"]);
      expect(r.code, r.stderr).toBe(0);
    }
    const records = readOutput(jsonOut)
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const table = parseCsv(readOutput(csvOut)) as string[][];
    const types = [...ZONE_TYPES];
    expect(table[0]).toEqual(["id", "lon", "lat", ...types.flatMap((t) => [t, `${t}_name`])]);
    expect(table.length).toBe(N + 1);
    for (const [k, rec] of records.entries()) {
      const zones = rec.hierarchy as { id: number; zone_type: string; name: string }[];
      const cells = types.flatMap((t) => {
        const z = zones.find((h) => h.zone_type === t);
        return z ? [String(z.id), z.name] : ["", ""];
      });
      expect(table[k + 1]).toEqual([rec.id, String(rec.lon), String(rec.lat), ...cells]);
    }
    expect(records.filter((rec) => rec.hierarchy.length > 0).length).toBeGreaterThan(N / 3);
  });

  test("a bad row: exit 2 naming the file and line, no output file", async () => {
    const rows = pointsCsv().slice(0, 10);
    rows[4] = "p3,6.1,91";
    const out = join(dir, "bad-out.csv");
    const r = await locate(["-i", csvInput("bad.csv", rows), "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv: line 5: lat 91 is out of range/);
    expect(existsSync(out)).toBe(false);

    const lines = pointsGeoJson().slice(0, 5);
    lines[2] = "{not json";
    const g = await locate(["-i", csvInput("bad.geojsonl", lines), "-o", join(dir, "bad.jsonl")]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/bad\.geojsonl: line 3: not JSON/);

    const corrupt = join(dir, "corrupt.csv.gz");
    writeFileSync(corrupt, Buffer.concat([gzipSync(pointsCsv().join("\n")).subarray(0, 200), Buffer.from("junk")]));
    const c = await locate(["-i", corrupt, "-o", join(dir, "corrupt.csv")]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/corrupt\.csv\.gz/);
    expect(existsSync(join(dir, "corrupt.csv"))).toBe(false);
    const corruptLines = join(dir, "corrupt.geojsonl.gz");
    writeFileSync(corruptLines, gzipSync(pointsGeoJson().join("\n")).subarray(0, 300));
    const t = await locate(["-i", corruptLines, "-o", join(dir, "corrupt.jsonl")]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/corrupt\.geojsonl\.gz/);
  });

  test("--lang without --hierarchy: exit 2 before anything is read", async () => {
    const out = join(dir, "lang.csv");
    const r = await locate(["-i", csvInput("lang.csv.in.csv", pointsCsv().slice(0, 3)), "-o", out, "--lang", "de"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lang only goes with --hierarchy/);
    expect(existsSync(out)).toBe(false);
  });

  test("--dataset: an unknown version is exit 2; a loaded one is located in", async () => {
    const few = csvInput("few-dataset.csv", pointsCsv().slice(0, 4));
    const unknown = await locate(["-i", few, "-o", join(dir, "unknown.csv"), "--dataset", "999"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--dataset 999: dataset version does not exist/);
    const same = await locate(["-i", few, "-o", join(dir, "pinned.jsonl"), "--dataset", String(fx.version)]);
    expect(same.code, same.stderr).toBe(0);
    const records = readOutput(join(dir, "pinned.jsonl"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.id)).toEqual(["p0", "p1", "p2"]);
  });

  test("the database unreachable: exit 5", async () => {
    const r = await runNode(
      [
        COSMO_BIN,
        "locate",
        "--no-progress",
        "-i",
        csvInput("few.csv", pointsCsv().slice(0, 3)),
        "-o",
        join(dir, "x.csv"),
      ],
      { env: { ...testEnv(), DATABASE_URL: "postgres://cosmo@127.0.0.1:1/cosmo" } },
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/unreachable/);
  });
});

test("coordinates go to PostgreSQL as binary float8[]: every double arrives as it is", async () => {
  const values = [6.061233, -0, 0, 5e-324, 1e-300, -179.99999999999997, 90, Number.MAX_VALUE, 0.1 + 0.2, -49.6116];
  const { rows } = await fx.db.pool.query<{ text: string; n: number }>(
    "SELECT array_to_string(($1::float8[])::text[], ',') AS text, cardinality($1::float8[]) AS n",
    [float8ArrayParam(values)],
  );
  expect(rows[0]?.n).toBe(values.length);
  // PostgreSQL writes the shortest text that reads back as the same double, as JavaScript does (but -0 as "-0").
  expect(rows[0]?.text.split(",").map(Number)).toEqual(values);
  expect(rows[0]?.text.split(",")[1]).toBe("-0");
});

describe("POST /zones/locate", () => {
  const post = (body: unknown, raw = false) =>
    getJson(`${api.url}/zones/locate`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: raw ? (body as string) : JSON.stringify(body),
    });

  test("the same zones as /zones/at, in order, with the shape of cosmo locate's JSON lines", async () => {
    const r = await post({ points, hierarchy: true });
    expect(r.status).toBe(200);
    expect(r.body.dataset).toBe(fx.version);
    expect(r.body.results.length).toBe(N);
    for (const [k, rec] of r.body.results.entries()) {
      expect(rec.id).toBe(points[k]?.id);
      expect(rec.hierarchy.map((z: { id: number }) => z.id)).toEqual(expected[k]?.ids);
    }
    const lean = await post({ points: points.slice(0, 50) });
    for (const [k, rec] of lean.body.results.entries()) {
      const e = expected[k] as (typeof expected)[number];
      for (const [type, id] of Object.entries(rec.zones)) {
        const first = e.types.indexOf(type);
        expect(id).toBe(first < 0 ? null : e.ids[first]);
      }
    }
  });

  test("the JSON written from the ranks is JSON.stringify of the records, in every shape, across batches", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    // odd ids (quotes, a line break, a non-BMP character), points in no zone, a hierarchy with names and without
    const some = points.slice(0, 300).map((p, k) => ({ ...p, id: k % 50 === 0 ? `q"\\\n😀${k}` : p.id }));
    for (const opts of [{ hierarchy: false }, { hierarchy: true }, { hierarchy: true, lang: "de" }]) {
      const records = await locateBatch(fx.db.pool, ref, some, opts);
      const lines = jsonLines(await locateRanks(fx.db.pool, ref, some, opts), opts);
      expect(lines.text).toBe(records.map((r) => `${JSON.stringify(r)}\n`).join(""));
      const halves = [some.slice(0, 123), some.slice(123, 123), some.slice(123)];
      const located = await Promise.all(halves.map((h) => locateRanks(fx.db.pool, ref, h, opts)));
      expect(jsonArray(located, opts)).toBe(JSON.stringify(records));
      expect(jsonArray([], opts)).toBe("[]");
    }
    const r = await post({ points: some.slice(0, 20), hierarchy: true, lang: "de" });
    expect(r.body.results.map((x: { id: string }) => x.id)).toEqual(some.slice(0, 20).map((p) => p.id));
  });

  test("an answer is made for its request: gzip or not the same JSON, no ETag, not stored", async () => {
    const body = JSON.stringify({ points: points.slice(0, 400), hierarchy: true });
    const answers = await Promise.all(
      ["gzip", "identity"].map((encoding) =>
        fetch(`${api.url}/zones/locate`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept-Encoding": encoding },
          body,
        }),
      ),
    );
    const [gz, plain] = answers as [Response, Response];
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(plain.headers.get("content-encoding")).toBeNull();
    for (const a of answers) {
      expect(a.headers.get("etag")).toBeNull();
      expect(a.headers.get("cache-control")).toBe("no-store");
    }
    // fetch inflates the gzip answer
    const [gzText, plainText] = await Promise.all([gz.text(), plain.text()]);
    expect(gzText).toBe(plainText);
    expect(JSON.parse(plainText).results.length).toBe(400);
  });

  test("bad points are reported by index (400), limits are 413, malformed bodies 400: never a 5xx", async () => {
    const bad = points.slice(0, 10).map((p) => ({ ...p })) as Record<string, unknown>[];
    bad[2] = { id: "x", lon: 200, lat: 1 };
    bad[7] = { lon: 1, lat: 1 };
    const r = await post({ points: bad });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("invalid_points");
    expect(r.body.points.map((p: { index: number }) => p.index)).toEqual([2, 7]);
    expect(r.body.points[0].reason).toMatch(/lon 200 is out of range/);

    const many = Array.from({ length: LOCATE_MAX_POINTS + 1 }, (_, k) => ({ id: k, lon: 6, lat: 49.6 }));
    expect((await post({ points: many })).status).toBe(413);
    const huge = await post({ points: [{ id: "x".repeat(3 * 1024 * 1024), lon: 6, lat: 49.6 }] });
    expect(huge.status).toBe(413);

    for (const body of [
      "{not json",
      "[]",
      "null",
      '{"points": 3}',
      '{"points": [], "extra": 1}',
      '{"points": [], "lang": "français"}',
    ]) {
      const b = await post(body, true);
      expect(b.status, body).toBe(400);
    }
    const empty = await post({ points: [] });
    expect(empty.status).toBe(200);
    expect(empty.body.results).toEqual([]);
  });
});

/** The zone ids ST_Covers gives for each point on the full boundaries, in the order of /zones/at. */
async function oracle(db: TestDatabase, ref: ServedRef, lon: number[], lat: number[]): Promise<number[][]> {
  const text = loadSql(import.meta.url, "sql/locate-oracle.sql", { schema: ref.schema });
  const { rows } = await db.pool.query<{ i: number; ids: string[] }>(text, [lon, lat, [...ZONE_TYPES]]);
  const ids: number[][] = lon.map(() => []);
  for (const r of rows) ids[r.i - 1] = r.ids.map(Number); // bigint[] comes as text
  return ids;
}

/** Random points over `bbox` and its margin, then the tricky points of api/test/sql/tricky-points.sql. */
async function testPoints(db: TestDatabase, ref: ServedRef, random: number, perKind: number) {
  const { rows } = await db.pool.query<{ b: number[] }>(
    `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b
       FROM (SELECT ST_Extent(geom_4326)::geometry AS e FROM "${ref.schema}".zones) x`,
  );
  const [x0, y0, x1, y1] = (rows[0] as { b: number[] }).b as [number, number, number, number];
  const rnd = seededRandom(99);
  const lon: number[] = [];
  const lat: number[] = [];
  for (let k = 0; k < random; k++) {
    lon.push(x0 - 0.1 + rnd() * (x1 - x0 + 0.2));
    lat.push(y0 - 0.1 + rnd() * (y1 - y0 + 0.2));
  }
  const tricky = (
    await db.pool.query<{ lon: number[]; lat: number[] }>(
      loadSql(import.meta.url, "sql/tricky-points.sql", { schema: ref.schema }),
      [perKind],
    )
  ).rows[0] as { lon: number[]; lat: number[] };
  return { lon: [...lon, ...tricky.lon], lat: [...lat, ...tricky.lat], tricky: tricky.lon.length };
}

/**
 * Points on, next to and inside the edges and corners of `boxes`: at 0 (on the edge), NEAR_CUT_DEGREES (answered
 * on the full boundary), SURE_MARGIN_DEGREES, 3e-9 (past it) and 1e-7, inwards and outwards; on the margin and a
 * double or two past it. `wellInside`: the points 3e-9 inside the middle of an edge.
 */
function boxEdgePoints(boxes: { x0: number; y0: number; x1: number; y1: number }[]) {
  const m = SURE_MARGIN_DEGREES;
  const offsets = [0, NEAR_CUT_DEGREES, m, 3e-9, 1e-7].flatMap((d) => [d, -d]);
  const lon: number[] = [];
  const lat: number[] = [];
  const wellInside: number[] = [];
  for (const b of boxes) {
    const xs = [b.x0, (b.x0 + b.x1) / 2, b.x1];
    const ys = [b.y0, (b.y0 + b.y1) / 2, b.y1];
    for (const [i, x] of xs.entries())
      for (const [j, y] of ys.entries()) {
        // inwards from the edge or corner the position is on (the centre: either way)
        const ix = i === 0 ? 1 : i === 2 ? -1 : 0;
        const iy = j === 0 ? 1 : j === 2 ? -1 : 0;
        for (const d of offsets) {
          if (d === 3e-9 && (ix === 0) !== (iy === 0)) wellInside.push(lon.length);
          lon.push(x + ix * d, x + ix * d, x);
          lat.push(y + iy * d, y, y + iy * d);
        }
        if (ix !== 0 && iy === 0) {
          lon.push(x + ix * m, x + ix * m + ix * Number.EPSILON * Math.abs(x));
          lat.push(y, y);
        }
      }
  }
  expect(wellInside.length).toBe(boxes.length * 4);
  return { lon, lat, wellInside };
}

/**
 * The pairs the piece index answers itself for `pts`: each of a point more than NEAR_CUT_DEGREES inside its box
 * piece (so piece-covers.sql would test the piece itself), and among them every point of `wellInside`.
 */
async function expectSureWellInside(db: TestDatabase, ref: ServedRef, pts: LocatePoint[], wellInside: number[]) {
  const index = await loadPieceIndex(db.pool, ref);
  const pairs = candidatePairs(index, pts);
  const ctids = pairs.surePiece.map((p) => `(${index.block(p)},${index.offset(p)})`);
  const { rows } = await db.pool.query<{ ctid: string; b: number[] }>(
    `SELECT ctid::text AS ctid, ARRAY[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)] AS b
       FROM "${ref.schema}".zone_pieces WHERE ctid = ANY ($1::tid[])`,
    [ctids],
  );
  const boxOf = new Map(rows.map((r) => [r.ctid, r.b]));
  for (const [j, k] of pairs.surePoint.entries()) {
    const [x0, y0, x1, y1] = boxOf.get(ctids[j] as string) as [number, number, number, number];
    const { lon, lat } = pts[k] as LocatePoint;
    expect(Math.min(lon - x0, x1 - lon, lat - y0, y1 - lat), `point ${k}`).toBeGreaterThan(NEAR_CUT_DEGREES);
  }
  const sure = new Set(pairs.surePoint);
  expect(wellInside.filter((k) => !sure.has(k))).toEqual([]);
}

function asPoints(lon: number[], lat: number[]) {
  return lon.map((x, k) => ({ id: `q${k}`, lon: x, lat: lat[k] as number }));
}

describe("locate = ST_Covers on the full boundaries", () => {
  test("random points, vertices and edge midpoints of boundaries and cut pieces, points in holes; every batch size", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const { lon, lat, tricky } = await testPoints(fx.db, ref, 2000, 200);
    expect(tricky).toBeGreaterThanOrEqual(800);
    const want = await oracle(fx.db, ref, lon, lat);
    const input = csvInput(
      "exact.csv",
      asPoints(lon, lat).map((p) => `${p.id},${p.lon},${p.lat}`),
    );
    const outputs: string[] = [];
    // 7 and 1000 do not divide the number of points: batches end mid-way through every kind of point
    for (const batchSize of [7, 1000, LOCATE_BATCH]) {
      const out = join(dir, `exact-${batchSize}.jsonl`);
      const r = await locateInto(input, out, { hierarchy: true, batchSize });
      expect(r.points).toBe(lon.length);
      outputs.push(readOutput(out));
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
    const records = (outputs[0] as string)
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; hierarchy: { id: number; zone_type: string }[] });
    expect(records.map((r) => r.id)).toEqual(lon.map((_, k) => `q${k}`));
    const got = records.map((r) => r.hierarchy.map((z) => z.id));
    const wrong = got.flatMap((ids, k) =>
      JSON.stringify(ids) === JSON.stringify(want[k]) ? [] : [{ lon: lon[k], lat: lat[k], got: ids, want: want[k] }],
    );
    expect(wrong).toEqual([]);
    // on shared borders a point is in two zones of one type: the border points were really on borders
    const types = records.map((r) => r.hierarchy.map((z) => z.zone_type));
    expect(types.filter((t) => t.length > new Set(t).size).length).toBeGreaterThan(0);
    expect(want.filter((ids) => ids.length === 0).length).toBeGreaterThan(100);
  });

  test("a point outside a cut piece, farther than NEAR_CUT_DEGREES, costs no copy of the piece's boundary", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const { lon, lat } = await testPoints(fx.db, ref, 3000, 50);
    const pts = asPoints(lon, lat);
    const index = await loadPieceIndex(fx.db.pool, ref);
    const pairs = candidatePairs(index, pts);
    const ctids = pairs.pieces.map((p) => `(${index.block(p)},${index.offset(p)})`);
    // per pair sent: whether the piece is cut, and whether the point is within NEAR_CUT_DEGREES of it (or in it)
    const { rows } = await fx.db.pool.query<{ cut: number; near: number }>(
      `SELECT count(*) FILTER (WHERE NOT p.exact)::int AS cut,
              count(*) FILTER (WHERE NOT p.exact AND ST_DWithin(p.geom, ST_SetSRID(ST_MakePoint(x, y), 4326), $4))::int AS near
         FROM unnest($1::tid[], $2::float8[], $3::float8[]) AS v(t, x, y)
         JOIN "${ref.schema}".zone_pieces p ON p.ctid = v.t`,
      [ctids, pairs.lons, pairs.lats, NEAR_CUT_DEGREES],
    );
    const { cut, near } = rows[0] as { cut: number; near: number };
    // the points fall on both sides: many pairs of a point outside its cut piece, many inside
    expect(near).toBeGreaterThan(500);
    expect(cut - near).toBeGreaterThan(500);
    // the calls of the batches' SQL, counted in one transaction that the one connection of this pool holds open
    const pool = new pg.Pool({ connectionString: fx.db.url, max: 1 });
    try {
      const session = await pool.connect();
      await session.query("BEGIN; SET LOCAL track_functions = 'all'");
      session.release();
      await locateRanks(pool, ref, pts, { hierarchy: true });
      const { rows: calls } = await pool.query<{ calls: number }>(
        "SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_xact_user_functions WHERE funcname = 'st_boundary'",
      );
      await pool.query("ROLLBACK");
      expect(calls[0]?.calls).toBe(near);
    } finally {
      await pool.end();
    }
  });

  test("the piece boxes read the same from a COPY stream cut at any byte", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const client = await fx.db.pool.connect();
    const chunks: Buffer[] = [];
    try {
      for await (const c of client.query(pieceBoxesCopy(ref))) chunks.push(Buffer.from(c as Buffer));
    } finally {
      client.release();
    }
    const whole = Buffer.concat(chunks);
    const cut = (size: number) =>
      Readable.from(
        Array.from({ length: Math.ceil(whole.length / size) }, (_, k) => whole.subarray(k * size, (k + 1) * size)),
      );
    const once = await readPieceColumns(Readable.from([whole]));
    const { rows } = await fx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${ref.schema}".zone_pieces`,
    );
    expect(once.n).toBe(rows[0]?.n);
    for (const size of [5, 71, 73, 4096]) {
      const c = await readPieceColumns(cut(size));
      expect(c.n, `chunks of ${size}`).toBe(once.n);
      expect(c.boxes.subarray(0, 4 * c.n)).toEqual(once.boxes.subarray(0, 4 * once.n));
      expect(c.zones.subarray(0, c.n)).toEqual(once.zones.subarray(0, once.n));
      expect(c.blocks.subarray(0, c.n)).toEqual(once.blocks.subarray(0, once.n));
      expect(c.offsets.subarray(0, c.n)).toEqual(once.offsets.subarray(0, once.n));
    }
    await expect(readPieceColumns(Readable.from([whole.subarray(0, whole.length - 2)]))).rejects.toThrow(/no trailer/);
  });

  test("pieces that are exactly their box: flagged as ST_Equals with their envelope says, on the data and on odd shapes", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const flagged = async (schema: string) => {
      const client = await fx.db.pool.connect();
      try {
        const cols = await readPieceColumns(client.query(pieceBoxesCopy(datasetRef(0, schema))));
        const ctids: string[] = [];
        for (let k = 0; k < cols.n; k++) if (cols.isBox[k]) ctids.push(`(${cols.blocks[k]},${cols.offsets[k]})`);
        return { ctids: ctids.sort(), n: cols.n };
      } finally {
        client.release();
      }
    };
    const { rows } = await fx.db.pool.query<{ ctid: string }>(
      loadSql(import.meta.url, "sql/box-pieces.sql", { schema: ref.schema }),
      [1e9],
    );
    const boxes = (await flagged(ref.schema)).ctids;
    expect(boxes).toEqual(rows.map((r) => r.ctid).sort());
    // Luxembourg's country is cut into tile cells: some of its pieces are whole cells
    expect(boxes.length).toBeGreaterThan(10);
    const shapes: [string, boolean][] = [
      ["POLYGON((0 0,2 0,2 1,0 1,0 0))", true],
      ["POLYGON((0 0,0 1,2 1,2 0,0 0))", true], // the other way round
      ["MULTIPOLYGON(((2 1,0 1,0 0,2 0,2 1)))", true], // from another corner, as a cell is stored
      ["POLYGON((0 0,2 1,2 0,0 1,0 0))", false], // a bow tie: the four corners, two steps across
      ["POLYGON((0 0,2 0,2 1,1 1,0 0))", false],
      ["POLYGON((0 0,2 0,2 1,0 1.0000000000000002,0 0))", false], // one corner off by an ulp
      ["POLYGON((0 0,2 0,2 0,0 0,0 0))", false], // flat
      ["POLYGON((0 0,1 0,2 0,2 1,0 1,0 0))", false], // a box, but not five points: left to PostgreSQL
      ["POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1))", false],
      ["GEOMETRYCOLLECTION(POLYGON((0 0,1 0,0 1,0 0)),POINT(1 1))", false],
      ["LINESTRING(0 0,2 0,2 1,0 1,0 0)", false],
      ["MULTIPOLYGON(((0 0,1 0,0 1,0 0)),((5 5,6 5,5 6,5 5)))", false],
    ];
    await fx.db.pool.query(`
      DROP SCHEMA IF EXISTS box_shapes CASCADE; CREATE SCHEMA box_shapes;
      CREATE TABLE box_shapes.zone_pieces (zone_id bigint, exact bool, geom geometry(Geometry, 4326))`);
    for (const [k, [wkt]] of shapes.entries())
      await fx.db.pool.query("INSERT INTO box_shapes.zone_pieces VALUES ($1, false, ST_GeomFromText($2, 4326))", [
        k,
        wkt,
      ]);
    const client = await fx.db.pool.connect();
    try {
      const cols = await readPieceColumns(client.query(pieceBoxesCopy(datasetRef(0, "box_shapes"))));
      const got = shapes.map((_, k) => cols.isBox[cols.zones.indexOf(k)] === 1);
      expect(got).toEqual(shapes.map(([, isBox]) => isBox));
    } finally {
      client.release();
      await fx.db.pool.query("DROP SCHEMA box_shapes CASCADE");
    }
  });

  test("points on, next to and inside the edges and corners of box pieces: ST_Covers, from cosmo locate and POST alike", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const { rows: boxes } = await fx.db.pool.query<{ x0: number; y0: number; x1: number; y1: number }>(
      loadSql(import.meta.url, "sql/box-pieces.sql", { schema: ref.schema }),
      [1],
    );
    // one (the largest), a quarter of the points and those well inside: each point on or next to its edges is
    // answered on the country's full boundary (read from TOAST for each pair), by the CLI and by POST
    expect(boxes.length).toBe(1);
    const all = boxEdgePoints(boxes);
    const kept = all.lon.flatMap((_, k) => (k % 4 === 0 || all.wellInside.includes(k) ? [k] : []));
    const lon = kept.map((k) => all.lon[k] as number);
    const lat = kept.map((k) => all.lat[k] as number);
    const wellInside = all.wellInside.map((k) => kept.indexOf(k));
    const want = await oracle(fx.db, ref, lon, lat);
    const pts = asPoints(lon, lat);
    await expectSureWellInside(fx.db, ref, pts, wellInside);

    const input = csvInput("box-edges.csv", ["id,lon,lat", ...pts.map((p) => `${p.id},${p.lon},${p.lat}`)]);
    const out = join(dir, "box-edges.jsonl");
    const cli = await locate(["-i", input, "-o", out, "--hierarchy"]);
    expect(cli.code, cli.stderr).toBe(0);
    const lines = readOutput(out).trimEnd().split("\n");
    const records = lines.map((l) => JSON.parse(l) as { id: string; hierarchy: { id: number }[] });
    const wrong = records.flatMap((r, k) => {
      const ids = r.hierarchy.map((z) => z.id);
      return JSON.stringify(ids) === JSON.stringify(want[k]) ? [] : [{ lon: lon[k], lat: lat[k], ids, want: want[k] }];
    });
    expect(wrong).toEqual([]);
    expect(want.filter((ids) => ids.length > 0).length).toBeGreaterThan(pts.length / 2);
    // POST /zones/locate, in requests of at most LOCATE_MAX_POINTS: the CLI's records, as they are
    const posted: unknown[] = [];
    for (let k = 0; k < pts.length; k += LOCATE_MAX_POINTS) {
      const r = await getJson(`${api.url}/zones/locate`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ points: pts.slice(k, k + LOCATE_MAX_POINTS), hierarchy: true }),
      });
      expect(r.status).toBe(200);
      posted.push(...(r.body.results as unknown[]));
    }
    expect(posted).toEqual(records);
  });

  test("the point grid of the piece index finds the boxes that hold a point, edges and corners included, as the R-tree does", async () => {
    const rnd = seededRandom(11);
    const bruteForce = (boxes: number[][], x: number, y: number) =>
      boxes.flatMap(([x0, y0, x1, y1], k) => (x >= x0! && x <= x1! && y >= y0! && y <= y1! ? [k] : []));
    const probesOf = (boxes: number[][]) => [
      ...boxes.flatMap(([x0, y0, x1, y1]) =>
        [x0!, (x0! + x1!) / 2, x1!].flatMap((x) =>
          [y0!, (y0! + y1!) / 2, y1!].flatMap((y) => [
            [x, y],
            [x - Number.EPSILON * Math.max(1, Math.abs(x)), y],
            [x, y + Number.EPSILON * Math.max(1, Math.abs(y))],
          ]),
        ),
      ),
      ...Array.from({ length: 500 }, () => [-1 + rnd() * 12, -1 + rnd() * 12]),
    ];
    const random = Array.from({ length: 400 }, () => {
      const [x, y, w, h] = [rnd() * 10, rnd() * 10, rnd() * rnd() * 3, rnd() * rnd() * 3];
      return [x, y, x + w, y + h];
    });
    const cases: [string, number[][]][] = [
      ["random boxes", random],
      ["one box", [[0.1, 0.2, 0.7, 0.9]]],
      ["one point", [[3, 4, 3, 4]]],
      [
        "a vertical line of boxes (no width)",
        [
          [2, 0, 2, 1],
          [2, 1, 2, 3],
          [2, 0.5, 2, 0.5],
        ],
      ],
      ["a box over all the others", [...random.slice(0, 50), [-0.5, -0.5, 10.5, 10.5]]],
    ];
    for (const [what, boxes] of cases) {
      const tree = new Flatbush(boxes.length);
      for (const [x0, y0, x1, y1] of boxes) tree.add(x0!, y0!, x1!, y1!);
      tree.finish();
      const grid = new PointGrid(tree, boxes.length);
      const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
      const wrong = probesOf(boxes).filter(
        ([x, y]) =>
          JSON.stringify(sorted(grid.search(x!, y!))) !== JSON.stringify(sorted(bruteForce(boxes, x!, y!))) ||
          JSON.stringify(sorted(grid.search(x!, y!))) !== JSON.stringify(sorted(tree.search(x!, y!, x!, y!))),
      );
      expect(wrong, what).toEqual([]);
    }
    // boxes that each span the whole extent: ~pieces² cells, so the R-tree answers (same candidates)
    const wide = Array.from({ length: 100 }, (_, k) => [-k * 1e-3, -k * 1e-3, 10 + k * 1e-3, 10 + k * 1e-3]);
    const wideTree = new Flatbush(wide.length);
    for (const [x0, y0, x1, y1] of wide) wideTree.add(x0!, y0!, x1!, y1!);
    wideTree.finish();
    const wideGrid = new PointGrid(wideTree, wide.length);
    expect(wideGrid.size).toEqual({ cells: 0, entries: 0 });
    for (const [x, y] of probesOf(wide))
      expect(wideGrid.search(x!, y!).sort((p, q) => p - q)).toEqual(bruteForce(wide, x!, y!));
    const empty = new Flatbush(1);
    empty.add(Infinity, Infinity, Infinity, Infinity);
    empty.finish();
    expect(new PointGrid(empty, 0).search(0, 0)).toEqual([]);
    // on the data: about one cell a piece, and a point tests a few boxes (the R-tree walked ~5 levels of 16)
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const index = await loadPieceIndex(fx.db.pool, ref);
    const { cells, entries } = index.gridSize;
    expect(cells).toBeGreaterThanOrEqual(index.size);
    expect(entries / cells).toBeLessThan(16);
  });

  test("the piece index kept in a file: read back as it was built; truncated or a byte changed, rebuilt", async () => {
    const ref = datasetRef(fx.version, `zones_v${fx.version}`);
    const kept = tmpDir("locate-index");
    const built = await loadPieceIndex(fx.db.pool, ref, { dir: kept });
    expect(built.from).toBe("table");
    expect(built.boxPieces).toBeGreaterThan(0);
    const [name, ...others] = readdirSync(kept);
    expect(others).toEqual([]);
    const file = join(kept, name as string);
    const bytes = readFileSync(file);
    // the same answers for random points and the centres of box pieces
    const rnd = seededRandom(7);
    const probes = Array.from({ length: 3000 }, () => [5.6 + rnd() * 1.0, 49.4 + rnd() * 0.8] as const);
    const { rows } = await fx.db.pool.query<{ x0: number; y0: number; x1: number; y1: number }>(
      loadSql(import.meta.url, "sql/box-pieces.sql", { schema: ref.schema }),
      [50],
    );
    const answers = (index: PieceIndex) =>
      [...probes, ...rows.map((b) => [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2] as const)].map(([x, y]) =>
        index
          .candidates(x, y)
          .map((p) => [p, index.zoneId(p), index.block(p), index.offset(p), index.surelyCovers(p, x, y)]),
      );
    const want = answers(built);
    expect(want.flat().filter((pair) => pair[4]).length).toBeGreaterThan(rows.length);
    const read = await loadPieceIndex(fx.db.pool, ref, { dir: kept });
    expect(read.from).toBe("file");
    expect([read.size, read.boxPieces]).toEqual([built.size, built.boxPieces]);
    expect(answers(read)).toEqual(want);
    const flipped = (at: number) => {
      const b = Buffer.from(bytes);
      b[at] = (b[at] as number) ^ 0x10;
      return b;
    };
    const damaged: [string, Buffer][] = [
      ["empty", Buffer.alloc(0)],
      ["cut to its first half", bytes.subarray(0, bytes.length >> 1)],
      ["its last byte missing", bytes.subarray(0, bytes.length - 1)],
      ["a byte more", Buffer.concat([bytes, Buffer.from([0])])],
      ["a byte of the header changed", flipped(20)],
      ["a byte of the middle changed", flipped(bytes.length >> 1)],
      ["a byte of the checksum changed", flipped(bytes.length - 1)],
    ];
    for (const [what, content] of damaged) {
      writeFileSync(file, content);
      const again = await loadPieceIndex(fx.db.pool, ref, { dir: kept });
      expect(again.from, what).toBe("table");
      expect(answers(again), what).toEqual(want);
      expect(readFileSync(file).equals(bytes), `${what}: written again`).toBe(true);
    }
  });

  test("CSV with quoted ids (a comma, a line break): ids as written, bad rows named by their first line", async () => {
    const rows = [
      "id,lon,lat",
      '"a,b",6.1,49.6',
      '"two',
      'lines",6.1,49.6',
      ' "say ""hi""" , 6.1 , 49.6 ',
      "p4,6.1,49.6",
    ];
    const out = join(dir, "quoted.jsonl");
    const r = await locateInto(csvInput("quoted.csv", rows), out);
    expect(r.points).toBe(4);
    const ids = readOutput(out)
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(ids).toEqual(["a,b", "two\nlines", 'say "hi"', "p4"]);
    const csvOut = join(dir, "quoted-out.csv");
    await locateInto(csvInput("quoted2.csv", rows), csvOut, { hierarchy: true, lang: "de" });
    const table = parseCsv(readOutput(csvOut)) as string[][];
    expect(table.map((r) => r[0])).toEqual(["id", "a,b", "two\nlines", 'say "hi"', "p4"]);
    expect(table[1]?.slice(1, 3)).toEqual(["6.1", "49.6"]);
    expect(table[1]).toContain("Luxemburg");
    const bad = [...rows.slice(0, 4), '"x",6.1,95', "p5,6.1,49.6"];
    await expect(locateInto(csvInput("quoted-bad.csv", bad), join(dir, "qb.csv"))).rejects.toThrow(
      /line 5: lat 95 is out of range/,
    );
    const open = [...rows.slice(0, 2), '"never closed,6.1,49.6', "p9,6.1,49.6"];
    await expect(locateInto(csvInput("quoted-open.csv", open), join(dir, "qo.csv"))).rejects.toThrow(
      /line 3: a quoted field is never closed/,
    );
  });
});

describe("writing the output", () => {
  test("many writes that each wait for the file (backpressure): no listener left behind, the text as written", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      for (const name of ["many-writes.csv", "many-writes.csv.gz"]) {
        const file = join(dir, name);
        const out = openOutput(file);
        // larger than a stream's buffer: every write waits for "drain"
        const chunk = `${"x".repeat(64 * 1024 - 1)}\n`;
        for (let k = 0; k < 40; k++) await out.write(chunk);
        await out.commit();
        expect(readOutput(file)).toBe(chunk.repeat(40));
      }
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("reading points across the file's read chunks", () => {
  test("plain decimals read from bytes are the doubles Number() reads from the text", () => {
    const rnd = seededRandom(7);
    const texts = ["0", "-0", "+5", "5.", ".5", "-.25", "180", "-180.000000", "0.1", "49.61", "6.130000000001"];
    for (let k = 0; k < 20_000; k++) {
      const whole = Math.floor(rnd() * 10 ** Math.floor(rnd() * 4));
      const decimals = Math.floor(rnd() * 16);
      const frac = Array.from({ length: decimals }, () => Math.floor(rnd() * 10)).join("");
      texts.push(`${rnd() < 0.5 ? "-" : ""}${whole}${decimals ? `.${frac}` : ""}`);
    }
    for (const t of texts) {
      const read = plainDecimal(Buffer.from(t), 0, t.length);
      // more than 15 digits: not read from the bytes (NaN), the text path reads it
      if (t.replace(/\D/g, "").length > 15) expect(read, t).toBeNaN();
      else expect(Object.is(read, Number(t)), `${t}: ${read} vs ${Number(t)}`).toBe(true);
    }
    for (const t of ["", "-", ".", "1e5", "1.2.3", "0x10", "1,5", " 1", "Infinity"])
      expect(plainDecimal(Buffer.from(t), 0, t.length), t).toBeNaN();
  });

  test("a plain line kept as the CSV output writes it only when it is that text", async () => {
    const rnd = seededRandom(11);
    const lines: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const lon = (rnd() * 360 - 180) * 10 ** -Math.floor(rnd() * 9);
      const lat = Number((rnd() * 180 - 90).toFixed(Math.floor(rnd() * 10)));
      // as JavaScript writes them, and written otherwise: padded with zeros, a plus sign, fewer digits
      lines.push(
        `j${k},${lon},${lat}`,
        `p${k},${lat.toFixed(12)},+${Math.abs(lat)}`,
        `s${k},${lon.toPrecision(3)},${lat}`,
      );
    }
    lines.push("z,0,-0", "z,0.0,0", "z,-0.5,0.5", "z,0.000001,-0.0000001", "z,007,1.", "z,180,-90", "z,.5,5");
    const read = await csvPointsOf([Buffer.from(lines.join("\n"))]);
    expect(read.length).toBe(lines.length);
    let kept = 0;
    const digits = (n: number) => String(n).replace(/\D/g, "").length;
    for (const { line, point } of read) {
      if ("reason" in point) throw new Error(`line ${line}: ${point.reason}`);
      if (point.csv !== undefined) {
        expect(point.csv, `line ${line}`).toBe(`${point.id},${point.lon},${point.lat}`);
        kept++;
      }
      // the lines JavaScript wrote are kept when their numbers have at most 15 digits (longer: the text path)
      const plain = (n: number) => digits(n) <= 15 && !/e/.test(String(n));
      if (lines[line - 1]?.startsWith("j") && plain(point.lon) && plain(point.lat))
        expect(point.csv, `line ${line}`).toBe(lines[line - 1]);
    }
    expect(kept).toBeGreaterThan(10_000);
  });

  test("CSV read from bytes cut at every position: the same points, lines and bad rows", async () => {
    const rows = [
      "id,lon,lat",
      "p1,6.1,49.6",
      "",
      "p2,-0.000001,+49.5\r",
      " p3 , 6.2 , 49.7 ",
      "p4,6.1e0,49.6",
      "é-ü,6.3,49.8",
      '"q,1",6.1,49.6',
      '"two',
      'lines",6.1,49.6',
      "p5,6.12345678901234567,49.6",
      "p6,190,49.6",
      "p7,6.1",
      "p8,6.1,49.6,x",
      ",6.1,49.6",
      "   ",
      "p9,6.1,49.6\r",
      "p10,6.1,abc",
    ];
    const text = Buffer.from(rows.join("\n"));
    const whole = await csvPointsOf([text]);
    const reasonOf = (p: ReadPoint["point"]) => ("reason" in p ? p.reason : null);
    expect(whole.map((r) => r.line)).toEqual([2, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 17, 18]);
    expect(whole.map((r) => ("reason" in r.point ? r.point.reason : r.point.id))).toEqual([
      "p1",
      "p2",
      "p3",
      "p4",
      "é-ü",
      "q,1",
      "two\nlines",
      "p5",
      "lon 190 is out of range (−180 … 180)",
      "expected 3 columns (id, lon, lat), got 2",
      "expected 3 columns (id, lon, lat), got 4",
      "",
      "p9",
      'lat is not a number ("abc")',
    ]);
    // each point as the text path reads its fields
    for (const { line, point } of whole) {
      if ("reason" in point) continue;
      const fields = (rows[line - 1] as string)
        .replace(/\r$/, "")
        .split(",")
        .map((f) => f.trim());
      if (fields.length === 3 && !fields[0]?.startsWith('"'))
        expect({ id: point.id, lon: point.lon, lat: point.lat }).toEqual(
          pointOf(...(fields as [string, string, string])),
        );
    }
    for (let cut = 1; cut < text.length; cut++) {
      const parts = await csvPointsOf([text.subarray(0, cut), text.subarray(cut)]);
      expect(parts, `cut at byte ${cut}`).toEqual(whole);
    }
    // every byte its own chunk
    const bytes = await csvPointsOf(Array.from(text, (b) => Buffer.from([b])));
    expect(bytes.map((r) => [r.line, reasonOf(r.point)])).toEqual(whole.map((r) => [r.line, reasonOf(r.point)]));
    expect(bytes).toEqual(whole);
  });

  test("CRLF lines over many 64 kB reads, gzipped: every point, a bad row named by its line", async () => {
    const rows = ["id,lon,lat", ...Array.from({ length: 20_000 }, (_, k) => `point-${k},6.1${k % 10},49.6${k % 7}`)];
    const out = join(dir, "many.csv");
    const r = await locateInto(csvInput("many.csv.gz", [rows.join("\r\n")], true), out);
    expect(r.points).toBe(20_000);
    const ids = readOutput(out)
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(ids).toEqual(rows.slice(1).map((row) => row.split(",")[0]));
    const bad = [...rows];
    bad[15_000] = "point-x,6.1,-95";
    await expect(locateInto(csvInput("many-bad.csv", bad), join(dir, "mb.csv"))).rejects.toThrow(
      /line 15001: lat -95 is out of range/,
    );
  });
});

describe("locate on an enclave dataset (Baarle-like)", () => {
  let db: TestDatabase;
  let ref: ServedRef;
  beforeAll(async () => {
    db = await testDatabase("locate_enclave");
    const r = await importZonesFile(db, enclaveZonesFile(), { publish: true, progress: false });
    ref = datasetRef(r.version, `zones_v${r.version}`);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function locateIds(lon: number[], lat: number[]) {
    const records = await locateBatch(db.pool, ref, asPoints(lon, lat), { hierarchy: true });
    return records.map((r) => ("hierarchy" in r ? r.hierarchy.map((z) => z.id) : []));
  }

  test("random and tricky points, the enclave points: the zones ST_Covers gives", async () => {
    const { lon, lat } = await testPoints(db, ref, 4000, 1_000_000);
    const got = await locateIds(lon, lat);
    const want = await oracle(db, ref, lon, lat);
    expect(got).toEqual(want);
    expect(want.filter((ids) => ids.length > 0).length).toBeGreaterThan(2000);
    const named = await locateIds(
      ENCLAVE_POINTS.map((p) => p.lon),
      ENCLAVE_POINTS.map((p) => p.lat),
    );
    expect(named).toEqual(ENCLAVE_POINTS.map((p) => p.zones));
  });

  test("a kept piece index that passes its checks but is stale: found by the pairs' check, rebuilt from the table", async () => {
    const kept = tmpDir("locate-index-stale");
    // a pool of its own: a locator not loaded yet (locate.ts keeps one per pool and version)
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    try {
      expect((await loadPieceIndex(pool, ref, { dir: kept })).from).toBe("table");
      const file = join(kept, readdirSync(kept)[0] as string);
      const bytes = readFileSync(file);
      const layout = indexFileLayout(bytes);
      if (typeof layout === "string") throw new Error(layout);
      // every piece said to be of the next piece's zone, the checksum made right: a file that passes its checks
      const lying = Buffer.from(bytes);
      const n = layout.header.pieces;
      for (let k = 0; k < n; k++)
        lying.writeDoubleLE(bytes.readDoubleLE(layout.at.zones + 8 * ((k + 1) % n)), layout.at.zones + 8 * k);
      lying.writeUInt32LE(crc32(lying.subarray(0, lying.length - 4)), lying.length - 4);
      writeFileSync(file, lying);
      expect((await loadPieceIndex(pool, ref, { dir: kept })).from).toBe("file");
      const { lon, lat } = await testPoints(db, ref, 2000, 100);
      const records = await locateBatch(pool, ref, asPoints(lon, lat), { hierarchy: true, indexDir: kept });
      const got = records.map((r) => ("hierarchy" in r ? r.hierarchy.map((z) => z.id) : []));
      expect(got).toEqual(await oracle(db, ref, lon, lat));
      expect(readFileSync(file).equals(bytes), "the file written again from the table").toBe(true);
      // the pieces rebuilt (another stamp): the file is not read
      await db.pool.query(
        `WITH gone AS (DELETE FROM "${ref.schema}".zone_pieces RETURNING *)
         INSERT INTO "${ref.schema}".zone_pieces SELECT * FROM gone ORDER BY zone_id, ST_YMin(geom)`,
      );
      expect((await loadPieceIndex(pool, ref, { dir: kept })).from).toBe("table");
      expect((await loadPieceIndex(pool, ref, { dir: kept })).from).toBe("file");
    } finally {
      await pool.end();
    }
  });

  test("pieces rebuilt after the index was loaded (other row addresses): reloaded, the same answers", async () => {
    const { lon, lat } = await testPoints(db, ref, 2000, 100);
    const before = await locateIds(lon, lat); // the index is loaded now
    // every piece moves to another ctid, in another order
    await db.pool.query(
      `WITH gone AS (DELETE FROM "${ref.schema}".zone_pieces RETURNING *)
       INSERT INTO "${ref.schema}".zone_pieces SELECT * FROM gone ORDER BY zone_id DESC, ST_XMin(geom) DESC`,
    );
    expect(await locateIds(lon, lat)).toEqual(before);
    expect(before).toEqual(await oracle(db, ref, lon, lat));
  });

  test("a version whose lookup pieces are gone: bad input (exit 2) saying to publish it again", async () => {
    await locateIds([4], [4]); // loaded before the table goes
    await db.pool.query(`DROP TABLE "${ref.schema}".zone_pieces`);
    const err = await locateIds([4], [4]).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, message: expect.stringMatching(/has no point lookup structure/) });
    const out = join(dir, "gone.csv");
    const cli = await runNode(
      [COSMO_BIN, "locate", "--no-progress", "-i", csvInput("gone-in.csv", ["a,4,4"]), "-o", out],
      {
        env: testEnv({ db }),
      },
    );
    expect(cli.code, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/publish it \(cosmo publish \d+\)/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("locate on zones that are boxes (each zone one piece, exactly its box)", () => {
  let db: TestDatabase;
  let ref: ServedRef;
  const box = (x0: number, y0: number, x1: number, y1: number): Ring => [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
  beforeAll(async () => {
    db = await testDatabase("locate_boxes");
    // a country, a city inside it and a city beside that one, sharing its east edge: edges at decimals a double
    // does not hold exactly
    const zones = [
      zoneOf(1, "Kaderland", "country", 2, null, "KL", [[box(0.1, 0.1, 4.3, 2.7)]]),
      zoneOf(2, "Vak", "city", 8, 1, "KL", [[box(1.1, 0.7, 2.9, 1.3)]]),
      zoneOf(3, "Strook", "city", 8, 1, "KL", [[box(2.9, 0.7, 3.7, 1.3)]]),
    ];
    const file = join(tmpDir("locate-boxes"), "boxes.jsonl");
    writeFileSync(file, `${zones.map((z) => JSON.stringify(z)).join("\n")}\n`);
    const r = await importZonesFile(db, file, { publish: true, progress: false });
    ref = datasetRef(r.version, `zones_v${r.version}`);
  });
  afterAll(async () => {
    await db?.close();
  });

  test("points on, next to and inside their edges and corners: the zones ST_Covers gives", async () => {
    const { rows: boxes } = await db.pool.query<{ x0: number; y0: number; x1: number; y1: number }>(
      loadSql(import.meta.url, "sql/box-pieces.sql", { schema: ref.schema }),
      [100],
    );
    expect(boxes.length).toBe(3);
    const { lon, lat, wellInside } = boxEdgePoints(boxes);
    const pts = asPoints(lon, lat);
    await expectSureWellInside(db, ref, pts, wellInside);
    const records = await locateBatch(db.pool, ref, pts, { hierarchy: true });
    const got = records.map((r) => ("hierarchy" in r ? r.hierarchy.map((z) => z.id) : []));
    const want = await oracle(db, ref, lon, lat);
    expect(got).toEqual(want);
    // outside every zone, in one, in two (the country and a city), on the shared edge in three
    expect(new Set(want.map((ids) => ids.length))).toEqual(new Set([0, 1, 2, 3]));
  });
});
