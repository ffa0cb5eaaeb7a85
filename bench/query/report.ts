// What `make bench-query` prints: one row per case and dataset, the measured value, the issue-16 target and
// verdict (the targets are for the grid dataset, direct; other rows are for comparison), and the peer ratio
// (the same server's /healthz, or the naive SQL through pgbench). Every figure printed is the one its verdict
// or ratio is computed from.
import type { LoadResult } from "../serve/load.ts";
import type { ImportFigures } from "./datasets.ts";
import type { PgbenchResult } from "./pgbench.ts";

export type Via = "direct" | "nginx";

export type Measured = LoadResult & {
  responseBytes: number;
  firstStatus: number;
  pointsPerSecond?: number;
  /** CPU time per answer over the run: the answering service's process, and the whole machine's busy time. */
  cpuMsPerAnswer?: { processMs: number; machineMs: number };
};
export interface LocateCommandResult {
  points: number;
  rowsWritten: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  pointsPerSecond: number;
}
/** A case not measured: its endpoint not there (yet), or `failed` when it was there and broke. */
export type Skipped = { skipped: string; failed?: boolean };
export type CaseResult = Measured | LocateCommandResult | Skipped;

export interface DatasetResults {
  version: number;
  zones: number;
  bbox: [number, number, number, number];
  fractalVertices: number | null;
  import: ImportFigures;
  cases: Record<Via, Record<string, CaseResult>>;
  /** VmHWM of the API process over every API case of the dataset, MiB. */
  apiPeakRssMb: number;
  naivePgbench: PgbenchResult;
  /** The same in the fractal country's bbox (most of it inside the country), on the grid. */
  naiveFractalPgbench: PgbenchResult | null;
  locateCommand: CaseResult;
}

export interface QueryResults {
  seconds: number;
  connections: number;
  datasets: Record<string, DatasetResults>;
}

/** The memory targets are "< 1 GB": 10^9 bytes, in MB (10^6 B). */
const GB_IN_MB = 1000;
const MIB_IN_MB = 1.048576;

interface Target {
  text: string;
  met(r: Measured): boolean;
}
const rpsP99 = (rps: number, p99: number): Target => ({
  text: `>= ${rps} req/s, p99 < ${p99} ms`,
  met: (r) => r.rps >= rps && r.p99 < p99 && r.errors === 0 && ok(r),
});
/** Every answer a 200: a fast stream of errors is no pass. */
const ok = (r: Measured) => r.requests > 0 && Object.keys(r.status).every((code) => code === "200");

const CASES: { key: string; title: string; target?: Target }[] = [
  { key: "healthz", title: "/healthz (HTTP ceiling)" },
  { key: "at", title: "/zones/at, random points", target: rpsP99(3000, 50) },
  { key: "zone", title: "/zones/:id, random ids, lean", target: rpsP99(3000, 50) },
  { key: "search", title: "search, names: prefixes, whole, typos", target: rpsP99(1000, 100) },
  {
    key: "locatePost",
    title: "POST /zones/locate, 10 k points, 4 connections",
    target: { text: ">= 100,000 points/s", met: (r) => (r.pointsPerSecond ?? 0) >= 100_000 && ok(r) },
  },
  { key: "atFractal", title: "/zones/at inside the fractal country", target: rpsP99(3000, 50) },
  {
    key: "tilesCoastline",
    title: "uncached tiles z8-z14 on the fractal coastline",
    target: { text: "p99 < 100 ms", met: (r) => r.p99 < 100 && ok(r) },
  },
  { key: "tilesCoastlineSingle", title: "the same tiles, one connection, each once" },
];

const verdict = (applies: boolean, met: boolean) => (!applies ? "info" : met ? "OK" : "MISS");
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

function measuredText(key: string, r: Measured): string {
  const codes = ok(r) ? "" : `, status ${JSON.stringify(r.status)}`;
  const points = key === "locatePost" ? `${Math.round(r.pointsPerSecond ?? 0)} points/s, ` : "";
  if (r.requests === 0) return `no answer completed within the run (a single request answered ${r.responseBytes} B)`;
  const cpu = r.cpuMsPerAnswer
    ? `; CPU per answer ${r.cpuMsPerAnswer.processMs.toFixed(2)} ms service, ${r.cpuMsPerAnswer.machineMs.toFixed(2)} ms machine`
    : "";
  return `${points}${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.requests} answers (the first ${r.responseBytes} B)${codes}${cpu}`;
}

/** Not there: no verdict ("n/a"); there and broken: a miss. */
function skippedVerdict(r: Skipped, applies: boolean): string {
  if (!applies) return "info";
  return r.failed ? "MISS" : "n/a";
}

function isSkipped(r: CaseResult | undefined): r is { skipped: string } {
  return r !== undefined && "skipped" in r;
}

/** The table rows: dataset, via, case, measured, target, verdict, peer. */
export function reportRows(results: QueryResults): string[][] {
  const rows: string[][] = [];
  for (const [name, d] of Object.entries(results.datasets)) {
    const targeted = name === "grid";
    for (const via of ["direct", "nginx"] as const) {
      const cases = d.cases[via];
      const ceiling = cases.healthz && !isSkipped(cases.healthz) ? (cases.healthz as Measured) : null;
      for (const c of CASES) {
        const r = cases[c.key];
        if (r === undefined) continue;
        const title =
          c.key === "atFractal" || c.key.startsWith("tilesCoastline")
            ? `${c.title} (${d.fractalVertices} vertices)`
            : c.title;
        const applies = targeted && via === "direct" && c.target !== undefined;
        if (isSkipped(r)) {
          rows.push([name, via, title, r.skipped, c.target?.text ?? "", skippedVerdict(r, applies), ""]);
          continue;
        }
        const m = r as Measured;
        const peers: string[] = [];
        if (ceiling && ceiling.rps > 0 && c.key !== "healthz" && !c.key.startsWith("tilesCoastline"))
          peers.push(`${pct(m.rps / ceiling.rps)} of /healthz`);
        const naive = c.key === "at" ? d.naivePgbench : c.key === "atFractal" ? d.naiveFractalPgbench : null;
        if (naive && naive.tps > 0) peers.push(`${pct(m.rps / naive.tps)} of naive SQL`);
        const direct = d.cases.direct[c.key];
        if (via === "nginx" && direct && !isSkipped(direct) && (direct as Measured).rps > 0)
          peers.push(`${pct(m.rps / (direct as Measured).rps)} of direct`);
        rows.push([
          name,
          via,
          title,
          measuredText(c.key, m),
          c.target?.text ?? "",
          verdict(applies, c.target?.met(m) ?? true),
          peers.join("; "),
        ]);
      }
    }
    const loc = d.locateCommand;
    if (isSkipped(loc)) {
      rows.push([
        name,
        "cli",
        "cosmo locate, whole command",
        loc.skipped,
        ">= 100,000 points/s, RSS < 1 GB",
        skippedVerdict(loc, targeted),
        "",
      ]);
    } else {
      const l = loc as LocateCommandResult;
      const met = l.pointsPerSecond >= 100_000 && l.peakRssMb < GB_IN_MB && l.rowsWritten === l.points;
      rows.push([
        name,
        "cli",
        `cosmo locate, ${l.points} points`,
        `${Math.round(l.pointsPerSecond)} points/s (${l.wallSeconds.toFixed(1)} s wall, ${l.cpuSeconds.toFixed(1)} s CPU), peak RSS ${l.peakRssMb.toFixed(0)} MB, ${l.rowsWritten} rows`,
        ">= 100,000 points/s, RSS < 1 GB",
        verdict(targeted, met),
        "",
      ]);
    }
    const rssMb = d.apiPeakRssMb * MIB_IN_MB;
    rows.push([
      name,
      "api",
      "API process peak RSS, all cases",
      `${rssMb.toFixed(0)} MB`,
      "< 1 GB",
      verdict(targeted, rssMb < GB_IN_MB),
      "",
    ]);
    for (const [where, p] of [
      ["the bbox", d.naivePgbench],
      ["the fractal country's bbox", d.naiveFractalPgbench],
    ] as const) {
      if (!p) continue;
      rows.push([
        name,
        "sql",
        `naive ST_Covers point query in ${where} (pgbench, ${p.clients} clients)`,
        `${p.tps.toFixed(0)} tps, mean ${p.latencyMs.toFixed(1)} ms`,
        "",
        "info",
        "",
      ]);
    }
    rows.push(importRow(name, d.import, targeted));
  }
  return rows;
}

/** Steps of the import that build the query structures (the lookup pieces, the names table), by their names. */
const STRUCTURE_STEP = /lookup|locate|subdivid|piece|names|search/i;

function importRow(name: string, f: ImportFigures, targeted: boolean): string[] {
  const structure = Object.entries(f.steps).filter(([step]) => STRUCTURE_STEP.test(step));
  const structureSeconds = structure.reduce((s, [, v]) => s + v, 0);
  const steps = Object.entries(f.steps)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(", ");
  const measured = `import ${f.time.wall.toFixed(1)} s wall, peak RSS ${f.time.rssMb.toFixed(0)} MB; load ${f.loadSeconds?.toFixed(1) ?? "?"} s; ${steps}`;
  const applies = targeted && structure.length > 0 && f.loadSeconds !== null;
  const met = f.loadSeconds !== null && structureSeconds <= f.loadSeconds;
  const target = "lookup + search structures <= load";
  if (structure.length === 0)
    return [
      name,
      "import",
      "cosmo import --publish",
      `${measured} (no lookup/search step logged)`,
      target,
      targeted ? "n/a" : "info",
      "",
    ];
  return [
    name,
    "import",
    "cosmo import --publish",
    `${measured}; structures ${structureSeconds.toFixed(1)} s`,
    target,
    verdict(applies, met),
    f.loadSeconds ? `${pct(structureSeconds / f.loadSeconds)} of load` : "",
  ];
}

export function reportLines(results: QueryResults): string[] {
  const header = ["dataset", "via", "case", "measured", "target", "verdict", "peer"];
  const rows = reportRows(results);
  return [
    `bench-query: ${results.seconds} s per case, ${results.connections} connections, API response cache off`,
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}
