// `make bench-query` (issue 16): the query paths at scale, without the API's response cache, on the 12×12
// Luxembourg grid plus a fractal country of ≥ 2 M vertices, and on plain Luxembourg. Every HTTP case runs with
// autocannon at 100 connections for BENCH_SECONDS, directly against the API and again through the explorer's
// nginx (`cosmo web`'s), next to the same server's /healthz (its HTTP ceiling); then the naive full-geometry
// point query through pgbench, uncached tiles along the fractal coastline, and `cosmo locate` as a whole
// command. A case whose endpoint answers 404 (not built yet) is reported "not available". Prints the table
// (report.ts) and writes bench/out/query.json.
//
// Knobs (environment): BENCH_SECONDS (per case, default 10), BENCH_QUERY_DATASETS (default "lux,grid"),
// BENCH_QUERY_GRID (default 12), BENCH_QUERY_FRACTAL_DEPTH (default 18: 2 M vertices),
// BENCH_QUERY_LOCATE_POINTS (default 1 000 000). A smoke run: BENCH_SECONDS=3 BENCH_QUERY_DATASETS=lux
// BENCH_QUERY_LOCATE_POINTS=10000.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startWeb } from "../../explorer/web.ts";
import { lonLatToTile } from "../../tiles/coords.ts";
import { parseTimeV } from "../extract/time-v.ts";
import { type LoadResult, load } from "../serve/load.ts";
import { type Service, startService } from "../serve/services.ts";
import { cpuPerAnswer, cpuSample } from "./cpu.ts";
import { type BenchDataset, gridDataset, luxDataset, OUT } from "./datasets.ts";
import { fractalBbox, fractalVertex } from "./fractal.ts";
import { type Bbox, pointsInside, randomIds, randomPoints, searchTerms, writePointsCsv } from "./inputs.ts";
import { naivePointQuery } from "./pgbench.ts";
import {
  type CaseResult,
  type DatasetResults,
  type Measured,
  type QueryResults,
  reportLines,
  type Skipped,
  type Via,
} from "./report.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DATASETS = (process.env.BENCH_QUERY_DATASETS ?? "lux,grid").split(",");
const GRID = Number(process.env.BENCH_QUERY_GRID ?? 12);
const FRACTAL_DEPTH = Number(process.env.BENCH_QUERY_FRACTAL_DEPTH ?? 18);
const LOCATE_POINTS = Number(process.env.BENCH_QUERY_LOCATE_POINTS ?? 1_000_000);
const CONNECTIONS = 100;
/** Points per `POST /zones/locate` (the per-request maximum), and how many distinct bodies are sent. */
const LOCATE_BATCH = 10_000;
const LOCATE_BODIES = 20;
/** Distinct requests drawn per case (autocannon walks them in a random order). */
const DRAWS = 20_000;
/** pgbench clients for the SQL comparison (as bench-serve's SQL ceiling). */
const PGBENCH_CLIENTS = 8;
const TILE_ZOOMS = [8, 9, 10, 11, 12, 13, 14];
const TILES_PER_ZOOM = 40;
/** Concurrent POST /zones/locate requests (each of LOCATE_BATCH points): one per core and one in transit. */
const LOCATE_CONNECTIONS = 4;
const SEED = { points: 1601, ids: 1602, terms: 1603, locate: 1604, fractalPoints: 1605, tiles: 1606, cli: 1607 };
const TIME = "/usr/bin/time";
const COSMO = join(import.meta.dirname, "..", "..", "bin", "cosmo.js");
const log = (s: string) => process.stderr.write(`bench-query: ${s}\n`);

const warmSeconds = Math.max(1, Math.min(2, SECONDS / 5));
const gzip = { "accept-encoding": "gzip" };

/** One request first: a 404/405 means the endpoint is not there (yet); anything else but 200 is reported. */
async function probe(url: string, path: string, body?: string): Promise<{ status: number; bytes: number }> {
  const res = await fetch(`${url}${path}`, {
    method: body ? "POST" : "GET",
    body,
    headers: body ? { "content-type": "application/json" } : {},
  });
  const bytes = (await res.arrayBuffer()).byteLength;
  return { status: res.status, bytes };
}

async function measure(
  url: string,
  /** The process answering (its CPU time per answer is reported). */
  pid: number,
  paths: string[],
  extra: { bodies?: string[]; headers?: Record<string, string>; connections?: number; amount?: number } = {},
): Promise<Measured | Skipped> {
  const first = await probe(url, paths[0] as string, extra.bodies?.[0]);
  if (first.status === 404 || first.status === 405)
    return {
      skipped: `not available (${extra.bodies ? "POST" : "GET"} ${paths[0]?.split("?")[0]} answers ${first.status})`,
    };
  const headers = { ...gzip, ...(extra.bodies ? { "content-type": "application/json" } : {}), ...extra.headers };
  const connections = extra.connections ?? CONNECTIONS;
  await load({ url, paths, connections, seconds: warmSeconds, headers, bodies: extra.bodies });
  // autocannon leaves the warm-up's last requests in the server's queue: one answer means they are through.
  await probe(url, paths[0] as string, extra.bodies?.[0]);
  const before = cpuSample(pid);
  const span = extra.amount ? { amount: extra.amount } : { seconds: SECONDS };
  const r: LoadResult = await load({ url, paths, connections, ...span, headers, bodies: extra.bodies });
  const cpuMsPerAnswer = cpuPerAnswer(before, cpuSample(pid), r.requests);
  return { ...r, responseBytes: first.bytes, firstStatus: first.status, cpuMsPerAnswer };
}

async function datasetBbox(d: BenchDataset): Promise<Bbox> {
  const { rows } = await d.db.pool.query<{ b: Bbox }>(
    `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b
     FROM (SELECT ST_Extent(bbox) AS e FROM "${d.schema}".zones) s`,
  );
  return (rows[0] as { b: Bbox }).b;
}

/** Every name a zone has, in every language: the default name and each `name:xx` tag. */
async function zoneNames(d: BenchDataset): Promise<string[]> {
  const { rows } = await d.db.pool.query<{ n: string }>(
    `SELECT name AS n FROM "${d.schema}".zones WHERE name <> ''
     UNION SELECT t.value FROM "${d.schema}".zones, jsonb_each_text(tags) t WHERE t.key LIKE 'name:%'`,
  );
  return rows.map((r) => r.n);
}

function locateBodies(seed: number, bbox: Bbox): string[] {
  return Array.from({ length: LOCATE_BODIES }, (_, k) =>
    JSON.stringify({
      points: randomPoints(seed + k, bbox, LOCATE_BATCH).map(([lon, lat], i) => ({ id: i + 1, lon, lat })),
    }),
  );
}

/** `cosmo locate` on LOCATE_POINTS random points as a whole command, under /usr/bin/time. */
async function locateCommand(d: BenchDataset, bbox: Bbox): Promise<CaseResult> {
  const help = spawnSync(process.execPath, [COSMO, "locate", "--help"], { encoding: "utf8" });
  if (!help.stdout.includes("Usage: cosmo locate")) return { skipped: "not available (no `cosmo locate` command)" };
  const input = join(OUT, `points-${d.key}-${LOCATE_POINTS}.csv`);
  const output = join(OUT, `located-${d.key}.csv`);
  const timeFile = join(OUT, `locate-${d.key}.time`);
  await writePointsCsv(input, SEED.cli, bbox, LOCATE_POINTS);
  log(`${d.key}: cosmo locate on ${LOCATE_POINTS} points`);
  const run = spawnSync(TIME, ["-v", "-o", timeFile, process.execPath, COSMO, "locate", "-i", input, "-o", output], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 64 << 20,
    env: { ...process.env, DATABASE_URL: d.db.url, COSMO_LOG_LEVEL: "warn" },
  });
  if (run.status !== 0)
    return {
      skipped: `failed: cosmo locate exited with ${run.status}: ${run.stderr.trim().split("\n").pop()}`,
      failed: true,
    };
  const t = parseTimeV(readFileSync(timeFile, "utf8"));
  // Rows answering a point start with its (numeric) id; a header line does not.
  const rows = readFileSync(output, "utf8")
    .split("\n")
    .filter((l) => /^\d/.test(l)).length;
  return {
    points: LOCATE_POINTS,
    rowsWritten: rows,
    wallSeconds: t.wall,
    cpuSeconds: t.cpu,
    peakRssMb: t.rssMb,
    pointsPerSecond: LOCATE_POINTS / t.wall,
  };
}

/** Tiles z8–z14 on the fractal coastline: the tiles holding seeded vertices of the ring. */
function coastlineTiles(d: BenchDataset): string[] {
  const country = d.fractal;
  if (!country) return [];
  const n = country.radii.length;
  const paths = new Set<string>();
  let s = SEED.tiles;
  for (const z of TILE_ZOOMS) {
    const before = paths.size;
    for (let k = 0; k < TILES_PER_ZOOM * 4 && paths.size - before < TILES_PER_ZOOM; k++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const [lon, lat] = fractalVertex(country, s % n);
      const { x, y } = lonLatToTile(lon, lat, z);
      paths.add(`/tiles/zones/${z}/${x}/${y}.pbf`);
    }
  }
  return [...paths];
}

interface Requests {
  atPaths: string[];
  idPaths: string[];
  searchPaths: string[];
  bodies: string[];
  fractalPaths: string[] | null;
}

/** Every HTTP case, directly and through nginx, then the coastline tiles. */
async function httpCases(
  d: BenchDataset,
  api: Service,
  tiles: Service,
  webUrl: string,
  q: Requests,
): Promise<Record<Via, Record<string, CaseResult>>> {
  const cases: Record<Via, Record<string, CaseResult>> = { direct: {}, nginx: {} };
  for (const via of ["direct", "nginx"] as const) {
    // Behind nginx the API is under /api/ (nginx strips it), as the explorer calls it.
    const [url, prefix] = via === "direct" ? [api.url, ""] : [webUrl, "/api"];
    const at = (paths: string[]) => paths.map((p) => `${prefix}${p}`);
    const step = async (name: string, fn: () => Promise<CaseResult>) => {
      log(`${d.key} ${via}: ${name}`);
      cases[via][name] = await fn();
    };
    await step("healthz", () => measure(url, api.pid, at(["/healthz"])));
    await step("at", () => measure(url, api.pid, at(q.atPaths)));
    await step("zone", () => measure(url, api.pid, at(q.idPaths)));
    await step("search", () => measure(url, api.pid, at(q.searchPaths)));
    await step("locatePost", async () => {
      // A bulk client sends a few large requests at a time, not 100: at 100 connections × 10 k points the
      // service rightly sheds most of them (503), and the case would measure the queue, not the throughput.
      const r = await measure(url, api.pid, at(["/zones/locate"]), {
        bodies: q.bodies,
        connections: LOCATE_CONNECTIONS,
      });
      if ("skipped" in r) return r;
      const answered = r.status["200"] ?? 0;
      return { ...r, pointsPerSecond: (answered * LOCATE_BATCH) / SECONDS };
    });
    const inside = q.fractalPaths;
    if (inside) await step("atFractal", () => measure(url, api.pid, at(inside)));
  }
  const tilePaths = coastlineTiles(d);
  if (tilePaths.length) {
    log(`${d.key}: ${tilePaths.length} uncached tiles z8-z14 along the coastline`);
    cases.direct.tilesCoastline = await measure(tiles.url, tiles.pid, tilePaths);
    // The same tiles one at a time: each render's own time, without the queue of 100 connections.
    log(`${d.key}: the same tiles one at a time`);
    cases.direct.tilesCoastlineSingle = await measure(tiles.url, tiles.pid, tilePaths, {
      connections: 1,
      amount: tilePaths.length,
    });
  }
  return cases;
}

async function runDataset(d: BenchDataset): Promise<DatasetResults> {
  const bbox = await datasetBbox(d);
  const { rows: idRows } = await d.db.pool.query<{ id: string }>(`SELECT id FROM "${d.schema}".zones`);
  const ids = idRows.map((r) => Number(r.id));
  const names = await zoneNames(d);
  const requests: Requests = {
    atPaths: randomPoints(SEED.points, bbox, DRAWS).map(([x, y]) => `/zones/at?lon=${x}&lat=${y}`),
    idPaths: randomIds(SEED.ids, ids, DRAWS).map((id) => `/zones/${id}`),
    searchPaths: searchTerms(SEED.terms, names, DRAWS).map((t) => `/zones?q=${encodeURIComponent(t.q)}`),
    bodies: locateBodies(SEED.locate, bbox),
    fractalPaths: d.fractal
      ? pointsInside(SEED.fractalPoints, d.fractal, fractalBbox(d.fractal), DRAWS).map(
          ([x, y]) => `/zones/at?lon=${x}&lat=${y}`,
        )
      : null,
  };
  log(`${d.key}: ${ids.length} zones, bbox ${bbox.map((v) => v.toFixed(2)).join(",")}, ${names.length} names`);

  // The services go down with the bench whatever stops it (they would hold the database and their ports).
  const services: Service[] = [];
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  let cases: Record<Via, Record<string, CaseResult>>;
  let apiPeakRssMb: number;
  try {
    const api = await startService("api", d.db.url, { COSMO_API_RESPONSE_CACHE_BYTES: "0" });
    services.push(api);
    const tiles = await startService("tiles", d.db.url, {
      COSMO_TILES_MEMORY_CACHE_BYTES: "0",
      COSMO_TILES_PERSISTENT_CACHE: "false",
    });
    services.push(tiles);
    web = await startWeb({
      apiUrl: api.url,
      tilesUrl: tiles.url,
      build: false,
      dataDir: join(OUT, "web-data"),
      prefixDir: join(OUT, "web-nginx"),
    });
    cases = await httpCases(d, api, tiles, web.url, requests);
    apiPeakRssMb = api.peakRssMb();
  } finally {
    await web?.close();
    for (const s of services) await s.stop();
  }

  log(`${d.key}: naive full-geometry point query through pgbench`);
  const naive = await naivePointQuery({
    url: d.db.url,
    schema: d.schema,
    bbox,
    clients: PGBENCH_CLIENTS,
    seconds: SECONDS,
    dir: OUT,
    name: d.key,
  });
  const fractal = d.fractal;
  const naiveFractal = fractal
    ? await naivePointQuery({
        url: d.db.url,
        schema: d.schema,
        bbox: fractalBbox(fractal),
        clients: PGBENCH_CLIENTS,
        seconds: SECONDS,
        dir: OUT,
        name: `${d.key}-fractal`,
      })
    : null;
  const locate = await locateCommand(d, bbox);
  return {
    version: d.version,
    zones: ids.length,
    bbox,
    fractalVertices: d.fractal?.radii.length ?? null,
    import: d.import,
    cases,
    apiPeakRssMb,
    naivePgbench: naive,
    naiveFractalPgbench: naiveFractal,
    locateCommand: locate,
  };
}

const results: QueryResults = { seconds: SECONDS, connections: CONNECTIONS, datasets: {} };
for (const key of DATASETS) {
  const d = key === "lux" ? await luxDataset() : key === "grid" ? await gridDataset(GRID, FRACTAL_DEPTH) : null;
  if (!d) throw new Error(`BENCH_QUERY_DATASETS: unknown dataset ${key} (lux, grid)`);
  try {
    results.datasets[key] = await runDataset(d);
  } finally {
    await d.db.close();
  }
}
writeFileSync(join(OUT, "..", "query.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${reportLines(results).join("\n")}\n`);
