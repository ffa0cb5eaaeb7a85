// Bulk locate on the imported Luxembourg data: `cosmo locate` (CSV and GeoJSON lines, gzipped or not) and
// POST /zones/locate give, for every point, the zones /zones/at gives (same ids, same order); bad rows are
// refused naming their line (CLI, exit 2, no output left) or index (HTTP 400); limits are 413; an unreachable
// database is exit 5.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { seededRandom } from "../../core/seeded-random.ts";
import { datasetRef } from "../../core/serving/served-dataset.ts";
import { COSMO_BIN, runNode, testConfig, testEnv, tmpDir } from "../../core/testing.ts";
import { LOCATE_MAX_POINTS } from "../locate/http.ts";
import { ZoneQueries } from "../queries.ts";
import { startApiServer } from "../server.ts";
import { zoneShape } from "../views.ts";
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
