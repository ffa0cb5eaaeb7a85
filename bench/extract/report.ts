// Prints the extract benchmark table from the /usr/bin/time -v files written by run.sh, with the ratios
// the issue sets targets for, and writes them to OUT/summary.json.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseTimeV, sizeMb, type TimeV } from "./time-v.ts";

const [out, big, mid] = process.argv.slice(2);
if (!out || !big || !mid) throw new Error("usage: report.ts OUT_DIR BIG.pbf MID.pbf");

interface Run extends TimeV {
  ok: boolean;
}

function parseTime(name: string): Run | null {
  const file = join(out, `${name}.time`);
  if (!existsSync(file)) return null;
  return { ...parseTimeV(readFileSync(file, "utf8")), ok: !existsSync(join(out, `${name}.failed`)) };
}

/** In-process time printed by decode.ts (excludes node/tsx start-up); NaN for other commands. */
function decodeSeconds(name: string): number {
  const file = join(out, `${name}.out`);
  if (!existsSync(file)) return Number.NaN;
  const line = readFileSync(file, "utf8").trim().split("\n").at(-1) ?? "";
  try {
    return (JSON.parse(line) as { ms: number }).ms / 1000;
  } catch {
    return Number.NaN;
  }
}

const mb = (f: string) => (existsSync(f) ? sizeMb(statSync(f).size) : Number.NaN);
const geojsonMb = mb(join(out, "boundaries.geojson"));
const boundaryPbfMb = mb(join(out, "boundaries.osm.pbf"));
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "—");

function table(title: string, names: [string, string][], floor: string, withMemoryRatio: boolean) {
  const base = parseTime(floor);
  console.log(`\n${title}`);
  const head = ["step", "wall s", "cpu s", "peak RSS MB", "decode s", `wall ÷ ${floor}`];
  if (withMemoryRatio) head.push("RSS ÷ boundary GeoJSON");
  const rows = [head];
  const summary: Record<string, unknown> = {};
  for (const [name, label] of names) {
    const r = parseTime(name);
    if (!r) continue;
    const ratio = base ? r.wall / base.wall : Number.NaN;
    const decodeS = decodeSeconds(name);
    const row = [
      label + (r.ok ? "" : " (FAILED)"),
      fmt(r.wall),
      fmt(r.cpu),
      fmt(r.rssMb, 0),
      fmt(decodeS),
      `${fmt(ratio, 2)}×`,
    ];
    if (withMemoryRatio) row.push(`${fmt(r.rssMb / geojsonMb, 2)}×`);
    rows.push(row);
    summary[name] = { ...r, wallRatio: ratio, rssRatio: r.rssMb / geojsonMb };
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`);
  return summary;
}

console.log(`input ${big}: ${fmt(mb(big))} MB; boundary-only PBF ${fmt(boundaryPbfMb)} MB;`);
console.log(
  `boundary data size := osmium export GeoJSON of its boundary=administrative relations = ${fmt(geojsonMb)} MB`,
);
const main = table(
  "extract (targets: extract wall ≤ 4× osmium cat, read on the .jsonl row; extract peak RSS ≤ 3× boundary data size)",
  [
    ["osmium-cat", "osmium cat -f opl (decode floor)"],
    ["osmium-tags-filter", "osmium tags-filter r/boundary=administrative"],
    ["osmium-export", "osmium export boundaries → GeoJSON"],
    ["decode-all", "readPbf, every element"],
    ["decode-boundaries", "readPbf, 3 boundary passes"],
    // the row the target is read on: uncompressed output, like osmium cat's OPL
    ["extract-jsonl", "cosmo extract --country-code lu → .jsonl"],
    ["extract", "the same → .jsonl.gz (+ gzip of 1.5 GB)"],
    ["extract-geos", "the same with --covers geos → .jsonl.gz"],
  ],
  "osmium-cat",
  true,
);
const peers = table(
  `decode speed on ${mid} (${fmt(mb(mid))} MB), every element`,
  [
    [mid === big ? "osmium-cat" : "peer-osmium-cat", "osmium cat -f opl"],
    [mid === big ? "decode-all" : "peer-ours", "readPbf (worker pool)"],
    ["peer-ours-1thread", "readPbf (calling thread only)"],
    ["peer-osm-pbf-parser", "osm-pbf-parser"],
    ["peer-osm-pbf-parser-node", "osm-pbf-parser-node"],
  ],
  mid === big ? "osmium-cat" : "peer-osmium-cat",
  false,
);
/** The extract's own log: seconds of its PBF passes (progress lines with done=true), to show the decoder's share. */
function extractPassSeconds(): number {
  const file = join(out, "extract.err");
  if (!existsSync(file)) return Number.NaN;
  let total = 0;
  let found = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const rec = JSON.parse(line) as { task?: string; done?: boolean; seconds?: number };
      if (rec.done && rec.task?.startsWith("pass") && typeof rec.seconds === "number") {
        total += rec.seconds;
        found = true;
      }
    } catch {}
  }
  return found ? total : Number.NaN;
}
const passes = extractPassSeconds();
const cat = parseTime("osmium-cat");
if (Number.isFinite(passes) && cat)
  console.log(
    `\ncosmo extract's PBF passes (from its log): ${fmt(passes)} s = ${fmt(passes / cat.wall, 2)}× osmium cat; the rest is zone building`,
  );
if (!existsSync(join(out, "extract.time")) || existsSync(join(out, "extract.failed")))
  console.log("\nnote: `cosmo extract` did not complete; see bench/out/extract/extract.err");

// ---- issue 17: the memory budget and the realistic file, each row with its target and whether it is met ----
const budget = process.env.BUDGET ?? "1GiB";
const real = process.env.REAL ?? "";
const GIB_MB = 1024 ** 3 / 1e6;
const ok = (name: string) => {
  const r = parseTime(name);
  return r?.ok ? r : null;
};
/** The share of the realistic file's blobs the extract inflated whole (summed over its passes), from its summary. */
interface Blobs {
  inFile: number;
  decoded: number;
  peeked: number;
  skipped?: number;
}
function realBlobs(): Blobs | null {
  const file = join(out, "extract-real.summary.json");
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, "utf8")) as { blobs: Blobs }).blobs;
}
const withBudget = ok("extract-budget");
const withoutBudget = ok("extract-jsonl");
const small = ok("extract-budget-small");
const large = ok("extract-budget-large");
const catReal = ok("osmium-cat-real");
const extractReal = ok("extract-real");
const blobs = realBlobs();
type TargetRow = { measure: string; value: number; unit: string; target: number; pass: boolean | null };
const targetRows: TargetRow[] = [
  {
    measure: `extract peak RSS, GRID ${big.match(/grid(\d+)/)?.[1] ?? "?"}, --memory-budget ${budget} (GiB)`,
    value: withBudget ? withBudget.rssMb / GIB_MB : Number.NaN,
    unit: "GiB",
    target: 1.1,
    pass: null,
  },
  {
    measure: "extract time with the budget ÷ without (.jsonl)",
    value: withBudget && withoutBudget ? withBudget.wall / withoutBudget.wall : Number.NaN,
    unit: "×",
    target: 1.3,
    pass: null,
  },
  {
    measure: `extract peak RSS GRID ${process.env.LARGE_GRID ?? "24"} ÷ GRID ${process.env.SMALL_GRID ?? "4"}, same budget`,
    value: small && large ? large.rssMb / small.rssMb : Number.NaN,
    unit: "×",
    target: 1.2,
    pass: null,
  },
  {
    measure: "extract on the realistic file ÷ osmium cat of it",
    value: catReal && extractReal ? extractReal.wall / catReal.wall : Number.NaN,
    unit: "×",
    target: 1.5,
    pass: null,
  },
];
for (const r of targetRows) r.pass = Number.isFinite(r.value) ? r.value <= r.target : null;
console.log(`\nmemory budget and realistic input (issue 17; realistic file ${real})`);
for (const r of targetRows) {
  const verdict = r.pass === null ? "not measured" : r.pass ? "met" : "NOT MET";
  console.log(
    `  ${r.measure.padEnd(78)} ${fmt(r.value, 2).padStart(7)} ${r.unit.padEnd(3)} target ≤ ${r.target}  ${verdict}`,
  );
}
const identical = existsSync(join(out, "budget-identical"))
  ? "identical"
  : existsSync(join(out, "budget-differs"))
    ? "DIFFERENT"
    : "not compared";
console.log(`  output with --memory-budget ${budget} vs without: ${identical}`);
if (blobs)
  console.log(
    `  realistic file: the extract inflated ${blobs.decoded} blobs whole over its 3 passes for the file's ${blobs.inFile} (${fmt((100 * blobs.decoded) / blobs.inFile, 1)} %), ${blobs.peeked} up to their first group, and passed over ${blobs.skipped ?? "?"} unread (of ${3 * blobs.inFile} blob visits)`,
  );
// peak RSS under the budget along the grid sizes (CURVE_GRIDS): flat when the extract keeps to the budget
const curve = (process.env.CURVE_GRIDS ?? "").split(/\s+/).filter(Boolean).map(Number);
const curveRows = curve.map((grid) => ({ grid, run: ok(`extract-budget-curve-${grid}`) }));
if (curveRows.length > 0) {
  console.log(`  peak RSS under --memory-budget ${budget}, by grid (copies of Luxembourg's boundaries):`);
  for (const { grid, run } of curveRows)
    console.log(
      `    GRID ${String(grid).padStart(2)} (${String(grid * grid).padStart(3)} copies): ${run ? `${fmt(run.rssMb, 0).padStart(6)} MB peak RSS, ${fmt(run.wall, 1).padStart(6)} s` : "not measured"}`,
    );
}

const files = readdirSync(out).filter((f) => f.endsWith(".time")).length;
writeFileSync(
  join(out, "summary.json"),
  JSON.stringify(
    {
      big,
      mid,
      geojsonMb,
      boundaryPbfMb,
      main,
      peers,
      files,
      budget: {
        targetRows,
        identical,
        curve: curveRows.map(({ grid, run }) => ({ grid, rssMb: run?.rssMb, wall: run?.wall })),
      },
      realBlobs: blobs,
    },
    null,
    2,
  ),
);
