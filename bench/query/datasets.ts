// The query bench's datasets, each in its own database recreated per run and published with `cosmo import`:
//   - lux: the plain Luxembourg extract;
//   - grid: the GRID×GRID Luxembourg grid of `make bench-extract` (make-big.ts), extracted with `cosmo extract`,
//     plus the synthetic fractal country (fractal.ts) appended to the extract's output as one more zone line.
// The fractal goes into the zones file rather than the PBF: what is measured here is the query paths on a
// boundary of millions of vertices, not the extractor (which would take the 2 M nodes through its PBF passes,
// inclusion tests and Voronoi cells for nothing the query paths see), and a zones file is what `cosmo import`
// takes from any source. Extracts and the combined file are cached under bench/out/query/ (reused when newer
// than their inputs); the databases are not, so every run measures the import that builds the lookup and search
// structures.
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "../../core/db.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { parseTimeV, type TimeV } from "../extract/time-v.ts";
import { benchDatabase } from "../import/bench-db.ts";
import { FRACTAL_DEFAULTS, type FractalCountry, type FractalSpec, fractalCountry, fractalZone } from "./fractal.ts";

export const OUT = join(PROJECT_ROOT, "bench", "out", "query");
const COSMO = join(PROJECT_ROOT, "bin", "cosmo.js");
const LUX_PBF = join(PROJECT_ROOT, "data", "osm", "luxembourg_filtered.osm.pbf");
const TIME = "/usr/bin/time";

/**
 * South-west corner of Luxembourg's extract: copy (i, j) of the grid is shifted i degrees east and j north of it
 * (make-big.ts), so the grid spans GRID degrees from here each way.
 */
const GRID_ORIGIN: [number, number] = [5.73, 49.44];
/** The fractal country covers the grid's south-west part: centred a quarter in, its radius 0.18 of the grid. */
export function BENCH_FRACTAL(grid: number): FractalSpec {
  return {
    ...FRACTAL_DEFAULTS,
    center: [GRID_ORIGIN[0] + grid * 0.25, GRID_ORIGIN[1] + grid * 0.25],
    radius: grid * 0.18,
  };
}
/** The fractal's zone id: far above the extract's ids (a collision fails the import on the primary key). */
const FRACTAL_ID = 1_000_000_000_000;

export interface BenchDataset {
  key: "lux" | "grid";
  file: string;
  db: Database;
  version: number;
  schema: string;
  fractal: FractalCountry | null;
  import: ImportFigures;
}

export interface ImportFigures {
  time: TimeV;
  /** The importer's own figures: the load, and every timed step after it (its `step` log lines). */
  loadSeconds: number | null;
  steps: Record<string, number>;
}

const log = (s: string) => process.stderr.write(`bench-query: ${s}\n`);

function newer(file: string, ...inputs: string[]): boolean {
  if (!existsSync(file) || statSync(file).size === 0) return false;
  const t = statSync(file).mtimeMs;
  return inputs.every((i) => statSync(i).mtimeMs <= t);
}

/** `cosmo extract` once into OUT (kept while newer than the PBF). */
function extracted(pbf: string, name: string, db: Database): string {
  const target = join(OUT, name);
  if (newer(target, pbf)) return target;
  log(`cosmo extract ${pbf} → ${target}`);
  execFileSync(process.execPath, [COSMO, "extract", "-i", pbf, "-o", target, "--country-code", "lu"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: db.url, COSMO_LOG_LEVEL: "warn" },
  });
  return target;
}

export function gridPbf(grid: number): string {
  const pbf = join(PROJECT_ROOT, "bench", "out", `lux-grid${grid}.osm.pbf`);
  if (!existsSync(pbf)) {
    log(`generating ${pbf} (${grid}×${grid} copies of Luxembourg)`);
    execFileSync(
      process.execPath,
      ["--import", "tsx", join(PROJECT_ROOT, "bench", "extract", "make-big.ts"), LUX_PBF, pbf, String(grid)],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  }
  return pbf;
}

/** The grid's extract with the fractal country appended (a temporary name renamed when complete). */
function withFractal(extract: string, country: FractalCountry, grid: number): string {
  const target = join(OUT, `grid${grid}-fractal${country.spec.depth}.jsonl`);
  const generators = ["./fractal.ts", "./datasets.ts"].map((f) => fileURLToPath(new URL(f, import.meta.url)));
  if (newer(target, extract, ...generators)) return target;
  log(`appending the fractal country (${country.radii.length} vertices) → ${target}`);
  const tmp = `${target}.tmp`;
  copyFileSync(extract, tmp);
  appendFileSync(tmp, `${JSON.stringify(fractalZone(country, FRACTAL_ID))}\n`);
  renameSync(tmp, target);
  return target;
}

/** `cosmo import --publish` under /usr/bin/time, its JSON log kept for the steps. */
function imported(file: string, db: Database, key: string): { version: number; figures: ImportFigures } {
  const timeFile = join(OUT, `import-${key}.time`);
  const logFile = join(OUT, `import-${key}.log`);
  const summaryFile = join(OUT, `import-${key}.json`);
  log(`cosmo import --publish ${file}`);
  const stderr = openSync(logFile, "w");
  const run = spawnSync(
    TIME,
    [
      "-v",
      "-o",
      timeFile,
      process.execPath,
      COSMO,
      "import",
      file,
      "--publish",
      "--no-progress",
      "--summary-json",
      summaryFile,
    ],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", stderr],
      maxBuffer: 64 << 20,
      env: { ...process.env, DATABASE_URL: db.url, COSMO_LOG_FORMAT: "json", COSMO_LOG_LEVEL: "info" },
    },
  );
  closeSync(stderr);
  if (run.status !== 0) throw new Error(`bench-query: cosmo import exited with ${run.status} (see ${logFile})`);
  const stdout = run.stdout;
  const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as { version: number };
  const steps: Record<string, number> = {};
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { step?: string; seconds?: number };
    if (entry.step && typeof entry.seconds === "number") steps[entry.step] = (steps[entry.step] ?? 0) + entry.seconds;
  }
  const load = /\(load ([\d.]+) s/.exec(stdout);
  return {
    version: summary.version,
    figures: { time: parseTimeV(readFileSync(timeFile, "utf8")), loadSeconds: load ? Number(load[1]) : null, steps },
  };
}

/** `logName`: the import's log/time/summary files' name (bench/out/query/import-<logName>.*), so another bench
 * importing the same kind of dataset keeps this bench's files. */
export async function published(
  key: BenchDataset["key"],
  file: string,
  db: Database,
  fractal: FractalCountry | null,
  logName: string = key,
): Promise<BenchDataset> {
  const { version, figures } = imported(file, db, logName);
  const { rows } = await db.pool.query<{ schema_name: string }>(
    "SELECT d.schema_name FROM cosmo.served s JOIN cosmo.datasets d USING (version) WHERE s.version = $1",
    [version],
  );
  const schema = rows[0]?.schema_name;
  if (!schema) throw new Error(`bench-query: dataset ${key} (version ${version}) is not the served one`);
  return { key, file, db, version, schema, fractal, import: figures };
}

export async function luxDataset(): Promise<BenchDataset> {
  mkdirSync(OUT, { recursive: true });
  const db = await benchDatabase("cosmo_bench_query_lux");
  return published("lux", extracted(LUX_PBF, "luxembourg.jsonl", db), db, null);
}

export async function gridDataset(grid: number, fractalDepth: number): Promise<BenchDataset> {
  mkdirSync(OUT, { recursive: true });
  const db = await benchDatabase("cosmo_bench_query_grid");
  const extract = extracted(gridPbf(grid), `grid${grid}.jsonl`, db);
  const country = fractalCountry({ ...BENCH_FRACTAL(grid), depth: fractalDepth });
  return published("grid", withFractal(extract, country, grid), db, country);
}
