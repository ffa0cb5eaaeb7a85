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
const files = readdirSync(out).filter((f) => f.endsWith(".time")).length;
writeFileSync(
  join(out, "summary.json"),
  JSON.stringify({ big, mid, geojsonMb, boundaryPbfMb, main, peers, files }, null, 2),
);
