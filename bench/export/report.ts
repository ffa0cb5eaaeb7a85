// What `make bench-export` prints: one row per issue-19 target, with the measured value, the target, the verdict
// and the peer measured in the same run. Every figure printed is the one its verdict or ratio is computed from.
import type { TimeV } from "../extract/time-v.ts";
import type { LoadResult } from "../serve/load.ts";
import type { ArchiveCounts } from "./archive.ts";

export interface ExportResults {
  grid: number;
  maxZoom: number;
  zones: number;
  extract: TimeV;
  export: TimeV & { rendered: number };
  archive: ArchiveCounts & { archiveBytes: number; headerTileDataBytes: number };
  seconds: number;
  rounds: number;
  connections: number;
  draws: number;
  /** Range requests to the archive, and the same tiles as plain files, through the same nginx. */
  ranges: LoadResult;
  files: LoadResult;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const verdict = (met: boolean) => (met ? "OK" : "MISS");
/** Every answer the one status expected: a fast stream of errors is no pass. */
const only = (r: LoadResult, code: string) =>
  r.requests > 0 && r.errors === 0 && Object.keys(r.status).every((c) => c === code);
const load = (r: LoadResult, code: string) =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${only(r, code) ? "" : `, status ${JSON.stringify(r.status)}, ${r.errors} errors`}`;

/** The table rows: measure, measured, target, verdict, peer. */
export function reportRows(r: ExportResults): string[][] {
  const ratio = r.export.wall / r.extract.wall;
  const a = r.archive;
  const readRatio = r.files.rps > 0 ? r.ranges.rps / r.files.rps : 0;
  return [
    [
      `\`cosmo tiles export\` z0-${r.maxZoom} PMTiles, ${r.grid}×${r.grid} grid (${r.zones} zones), whole command`,
      `${r.export.wall.toFixed(1)} s wall, ${r.export.cpu.toFixed(1)} s CPU, peak ${r.export.rssMb.toFixed(0)} MB; ${r.export.rendered} tiles rendered`,
      "≤ `cosmo extract` of the same grid",
      verdict(r.export.wall <= r.extract.wall),
      `\`cosmo extract\` ${r.extract.wall.toFixed(1)} s wall, ${r.extract.cpu.toFixed(1)} s CPU (export ${ratio.toFixed(2)}×)`,
    ],
    [
      "archive size vs the sum of its tiles",
      `${mb(a.archiveBytes)} archive, tiles ${mb(a.sumOfTileBytes)} one by one (${pct(a.archiveBytes / a.sumOfTileBytes)}); ${a.tiles} tiles, ${a.distinct} distinct, ${a.entries} entries of which ${a.runEntries} runs`,
      "reported; identical tiles stored once",
      // the header's tile data is exactly the distinct contents: nothing stored twice
      verdict(a.headerTileDataBytes === a.tileDataBytes),
      `tile data ${mb(a.headerTileDataBytes)} = distinct contents ${mb(a.tileDataBytes)}`,
    ],
    [
      `tiles by Range requests to the archive through nginx (${r.draws} seeded draws)`,
      load(r.ranges, "206"),
      "≥ 50 % of nginx plain z/x/y files",
      verdict(readRatio >= 0.5 && only(r.ranges, "206") && only(r.files, "200")),
      `plain files ${load(r.files, "200")} (${pct(readRatio)})`,
    ],
  ];
}

export function reportLines(r: ExportResults): string[] {
  const header = ["measure", "measured", "target", "verdict", "peer"];
  return [
    `bench-export: ${r.connections} connections, ${r.rounds} alternating rounds of ${r.seconds} s per side`,
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...reportRows(r).map((row) => `| ${row.join(" | ")} |`),
  ];
}
