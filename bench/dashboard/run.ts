// Dashboard and diff benchmark on the import stage's 10 M-vertex zones file and a perturbed copy of it.
// Each measured command runs as its own process under /usr/bin/time (wall time + peak RSS of the Node side;
// PostgreSQL's memory is bounded by its own settings). Ratios are against a peer measured in the same run:
// one read of the file with core's streaming reader (parse + validation, no database), the floor any
// file-based tool pays.
//
//   node --import tsx bench/dashboard/run.ts [ZONES.jsonl]   (make bench-dashboard)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { perturb } from "./perturb.ts";

const input = process.argv[2] ?? "bench/out/zones-10500000.jsonl";
// BENCH_DASHBOARD_OUT: where the outputs go (its smoke test keeps them out of the real benchmark's folder)
const outDir = process.env.BENCH_DASHBOARD_OUT ?? join(PROJECT_ROOT, "bench", "out", "dashboard");
mkdirSync(outDir, { recursive: true });

function run(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { seconds: number; rssMb: number; stdout: string } {
  process.stderr.write(`▶ ${label}\n`);
  const res = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", ...args], {
    cwd: PROJECT_ROOT,
    env: { ...env, COSMO_LOG_LEVEL: "warn" },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const m = /TIME ([\d.]+) (\d+)\s*$/.exec(res.stderr);
  if (res.status !== 0 || !m) throw new Error(`${label} failed (exit ${res.status}): ${res.stderr.slice(-2000)}`);
  return { seconds: Number(m[1]), rssMb: Math.round(Number(m[2]) / 1024), stdout: res.stdout };
}

if (!existsSync(resolve(PROJECT_ROOT, input))) {
  process.stderr.write(`${input} missing: generating it with the import stage's generator\n`);
  run("generate", [process.execPath, "--import", "tsx", "bench/import/generate.ts", input, "--vertices", "10500000"]);
}

const perturbed = join(outDir, "zones-perturbed.jsonl");
process.stderr.write(`▶ perturbed copy → ${perturbed}\n`);
const expected = await perturb(resolve(PROJECT_ROOT, input), perturbed);

const url = run("bench database", [process.execPath, "--import", "tsx", "bench/dashboard/bench-url.ts"])
  .stdout.trim()
  .split("\n")
  .pop()!;
const env = { ...process.env, DATABASE_URL: url };
const cosmo = [process.execPath, "bin/cosmo.js"];

const peer = run("peer: read the file (core/cosmogony/reader)", [
  process.execPath,
  "--import",
  "tsx",
  "bench/dashboard/read-only.ts",
  input,
]);
const dashFile = run(
  "cosmo dashboard -i FILE",
  [...cosmo, "dashboard", "-i", input, "-o", join(outDir, "file", "latest.json")],
  env,
);
const imported = run("cosmo import FILE (for the dataset mode)", [...cosmo, "import", input, "--publish"], env);
const dashDb = run(
  "cosmo dashboard --dataset VERSION",
  [...cosmo, "dashboard", "--dataset", "served", "-o", join(outDir, "db", "latest.json")],
  env,
);
const diffFile = join(outDir, "diff.json");
const diff = run("cosmo diff FILE PERTURBED", [...cosmo, "diff", input, perturbed, "-o", diffFile], env);

const report = JSON.parse(readFileSync(diffFile, "utf8"));
const sameChecks = (a: string, b: string) => {
  const strip = (p: string) => {
    const { dataset: _d, generatedAt: _g, ...rest } = JSON.parse(readFileSync(p, "utf8"));
    return JSON.stringify(rest);
  };
  return strip(a) === strip(b);
};
// Issue 17's target: the dashboard and the diff of a file each cost at most twice the whole import of that file.
const IMPORT_RATIO_TARGET = 2;
const vsImport = (seconds: number) => {
  const ratio = seconds / imported.seconds;
  return `${ratio.toFixed(2)}× import (target ≤ ${IMPORT_RATIO_TARGET}×: ${ratio <= IMPORT_RATIO_TARGET ? "met" : "NOT met"})`;
};
const lines = [
  `input ${input}`,
  `peer (read file)          ${peer.seconds.toFixed(1)} s  ${peer.rssMb} MB`,
  `import FILE --publish     ${imported.seconds.toFixed(1)} s  ${imported.rssMb} MB  ${(imported.seconds / peer.seconds).toFixed(1)}× peer`,
  `dashboard -i FILE         ${dashFile.seconds.toFixed(1)} s  ${dashFile.rssMb} MB  ${(dashFile.seconds / peer.seconds).toFixed(1)}× peer  ${vsImport(dashFile.seconds)}`,
  `dashboard --dataset       ${dashDb.seconds.toFixed(1)} s  ${dashDb.rssMb} MB  ${(dashDb.seconds / peer.seconds).toFixed(1)}× peer  ${vsImport(dashDb.seconds)}`,
  `diff FILE PERTURBED       ${diff.seconds.toFixed(1)} s  ${diff.rssMb} MB  ${(diff.seconds / peer.seconds).toFixed(1)}× peer  ${vsImport(diff.seconds)}`,
  `file mode == dataset mode: ${sameChecks(join(outDir, "file", "latest.json"), join(outDir, "db", "latest.json"))}`,
  `diff expected ${JSON.stringify(expected)}`,
  `diff found    ${JSON.stringify(report.totals)}`,
];
const text = `${lines.join("\n")}\n`;
writeFileSync(join(outDir, "report.txt"), text);
process.stdout.write(text);
