// `make bench-export` (issue 19): the static release of a dataset, on the GRID×GRID Luxembourg grid.
//   1. `cosmo extract` of the grid's PBF and `cosmo tiles export --dataset served` of the imported extract, both
//      as whole commands under /usr/bin/time in this run (the extract is the export's peer);
//   2. the archive's size against the sum of its tiles, and its tiles, distinct contents and run-length entries,
//      read from its directories with the `pmtiles` package;
//   3. tiles read from the archive as a PMTiles client does once it holds the directories (one `Range` request
//      per tile) against the same tiles as plain z/x/y files, both through one nginx configured as bench-serve's
//      static peer, autocannon at 100 connections, alternating rounds, seeded random tiles.
// The grid's PBF, the database and the import come from bench-query's dataset code (bench/query/datasets.ts).
// Prints the table (report.ts) and writes bench/out/export.json.
//
// Knobs (environment): BENCH_EXPORT_GRID (default 12), BENCH_EXPORT_MAX_ZOOM (default 12), BENCH_SECONDS (per
// round and side, default 10). A smoke run: BENCH_EXPORT_GRID=1 BENCH_EXPORT_MAX_ZOOM=10 BENCH_SECONDS=1.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { FileSource } from "../../tiles/test/pmtiles-source.ts";
import { parseTimeV, type TimeV } from "../extract/time-v.ts";
import { benchDatabase } from "../import/bench-db.ts";
import { gridPbf, published, OUT as QUERY_OUT } from "../query/datasets.ts";
import { alternate, type LoadResult, load } from "../serve/load.ts";
import { startStaticNginx, writeTileFile } from "../serve/nginx.ts";
import { archiveCounts, archiveTiles, drawTiles, rangeHeader, tileEntries, tilePath } from "./archive.ts";
import { type ExportResults, reportLines } from "./report.ts";

const GRID = Number(process.env.BENCH_EXPORT_GRID ?? 12);
const MAX_ZOOM = Number(process.env.BENCH_EXPORT_MAX_ZOOM ?? 12);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 3;
const CONNECTIONS = 100;
/** Tiles drawn (autocannon walks them in a random order); the plain-file side holds the distinct ones. */
const DRAWS = 20_000;
const SEED = 1901;
const OUT = join(PROJECT_ROOT, "bench", "out", "export");
/** nginx's root: the archive and the plain files side by side. */
const WWW = join(OUT, "www");
const ARCHIVE_NAME = `grid${GRID}.pmtiles`;
const COSMO = join(PROJECT_ROOT, "bin", "cosmo.js");
const TIME = "/usr/bin/time";
const log = (s: string) => process.stderr.write(`bench-export: ${s}\n`);

/** A whole `cosmo` command under /usr/bin/time -v; its stdout returned. */
function timed(name: string, args: string[], databaseUrl: string): { time: TimeV; stdout: string } {
  const timeFile = join(OUT, `${name}.time`);
  log(`cosmo ${args.join(" ")}`);
  const run = spawnSync(TIME, ["-v", "-o", timeFile, process.execPath, COSMO, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 << 20,
    env: { ...process.env, DATABASE_URL: databaseUrl, COSMO_LOG_LEVEL: "warn" },
  });
  if (run.status !== 0) throw new Error(`bench-export: cosmo ${args[0]} exited with ${run.status}`);
  return { time: parseTimeV(readFileSync(timeFile, "utf8")), stdout: run.stdout };
}

rmSync(WWW, { recursive: true, force: true });
mkdirSync(WWW, { recursive: true });
// bench-query's import keeps its log and /usr/bin/time figures there
mkdirSync(QUERY_OUT, { recursive: true });
const pbf = gridPbf(GRID);
const db = await benchDatabase("cosmo_bench_export");
const extractFile = join(OUT, `grid${GRID}.jsonl`);
const extract = timed("extract", ["extract", "-i", pbf, "-o", extractFile, "--country-code", "lu"], db.url);
const dataset = await published("grid", extractFile, db, null, `export-grid${GRID}`);
const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${dataset.schema}".zones`);
const zones = rows[0]?.n ?? 0;

const archive = join(WWW, ARCHIVE_NAME);
const exported = timed(
  "export",
  ["tiles", "export", "--dataset", "served", "-o", archive, "--max-zoom", String(MAX_ZOOM)],
  db.url,
);
const summary = JSON.parse(exported.stdout.trim().split("\n").pop() as string) as { rendered: number };
await db.close();

const { header, entries } = await tileEntries(new FileSource(archive));
const counts = archiveCounts(entries);
const drawn = drawTiles(archiveTiles(header, entries), DRAWS, SEED);
const bytes = readFileSync(archive);
for (const t of drawn) writeTileFile(WWW, tilePath(t), bytes.subarray(t.offset, t.offset + t.length));

const nginx = await startStaticNginx(WWW);
let ranges: LoadResult;
let files: LoadResult;
try {
  // The same tile both ways, before anything is measured (fetch undoes the plain file's Content-Encoding: gzip;
  // a PMTiles client gunzips the range itself, as the header's tile compression says).
  const probe = drawn[0] as (typeof drawn)[number];
  const res = await fetch(`${nginx.url}/${ARCHIVE_NAME}`, { headers: { range: rangeHeader(probe) } });
  const body = Buffer.from(await res.arrayBuffer());
  const plain = Buffer.from(await (await fetch(`${nginx.url}${tilePath(probe)}`)).arrayBuffer());
  if (res.status !== 206 || !gunzipSync(body).equals(plain))
    throw new Error(`bench-export: ${tilePath(probe)} by range (${res.status}) differs from the plain file`);

  const rangeLoad = (seconds: number) =>
    load({
      url: nginx.url,
      paths: drawn.map(() => `/${ARCHIVE_NAME}`),
      pathHeaders: drawn.map((t) => ({ range: rangeHeader(t) })),
      connections: CONNECTIONS,
      seconds,
    });
  const fileLoad = (seconds: number) =>
    load({ url: nginx.url, paths: drawn.map(tilePath), connections: CONNECTIONS, seconds });
  log("warming up");
  await rangeLoad(1);
  await fileLoad(1);
  log(`${ROUNDS} rounds of ${SECONDS} s: range requests, plain files`);
  [ranges, files] = await alternate(
    ROUNDS,
    () => rangeLoad(SECONDS),
    () => fileLoad(SECONDS),
  );
} finally {
  nginx.stop();
}

const results: ExportResults = {
  grid: GRID,
  maxZoom: MAX_ZOOM,
  zones,
  extract: extract.time,
  export: { ...exported.time, rendered: summary.rendered },
  archive: { ...counts, archiveBytes: statSync(archive).size, headerTileDataBytes: header.tileDataLength ?? 0 },
  seconds: SECONDS,
  rounds: ROUNDS,
  connections: CONNECTIONS,
  draws: DRAWS,
  ranges,
  files,
};
writeFileSync(join(OUT, "..", "export.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${reportLines(results).join("\n")}\n`);
