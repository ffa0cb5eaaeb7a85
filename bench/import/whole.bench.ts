// The whole `cosmo import` command on extractor output (issue 17): start-up to exit, as a user runs it, against
// the database's own floor for the same rows measured in the same run:
//   - peer: psql `\copy … FORMAT binary` of the rows pre-encoded by the importer's own encoder, then the primary
//     key and one GiST index (on geom_4326), in one transaction — what any loader must at least pay;
//   - cosmo: `cosmo import FILE` (a fresh process: CLI start-up, read, parse, validate, encode, COPY, repair,
//     indexes, generalisation, search and lookup structures, ANALYZE) under /usr/bin/time.
// Input: `cosmo extract` of the GRID×GRID Luxembourg grid (bench/extract/make-big.ts), made once under bench/out/.
// Target: the whole command ≤ 1.5× the peer. The import's own step timings are printed apart (its log), and the
// core import (load, repair, indexes, generalisation, ANALYZE: what the version needs to be correct and served) by
// when its "core import done" line arrived: the query structures (search names, tile cells, point lookup pieces)
// start only after it, so the command up to that line is the command without them.
//
//   node --import tsx bench/import/whole.bench.ts [--grid 8] [--zones FILE]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { readZones } from "../../core/cosmogony/reader.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { loadSql } from "../../core/sql.ts";
import { COPY_COLUMNS } from "../../importer/copy-binary.ts";
import { ensureMetaSchema } from "../../importer/datasets.ts";
import { benchDatabase } from "./bench-db.ts";
import { writeBinaryCopyFile } from "./copy-file.ts";
import { type Measured, runTimed, serverCpuMonitor } from "./measure.ts";

/** Issue 17: the whole command at most this many times the peer's wall time. */
const WHOLE_IMPORT_TARGET = 1.5;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const say = (s: string) => process.stdout.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const grid = Number(arg("--grid") ?? 8);
const out = join(PROJECT_ROOT, "bench", "out");
mkdirSync(join(out, "extract"), { recursive: true });
const zonesFile = arg("--zones") ?? join(out, "extract", `lux-grid${grid}.jsonl`);

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status})`);
}

// 1. input: the grid's PBF, extracted once with the project's own extractor
if (!existsSync(zonesFile)) {
  const pbf = join(out, `lux-grid${grid}.osm.pbf`);
  if (!existsSync(pbf)) {
    say(`generating ${pbf}…`);
    must(process.execPath, [
      "--import",
      "tsx",
      "bench/extract/make-big.ts",
      "data/osm/luxembourg_filtered.osm.pbf",
      pbf,
      String(grid),
    ]);
  }
  say(`extracting ${pbf} → ${zonesFile}…`);
  must(process.execPath, ["bin/cosmo.js", "extract", "-i", pbf, "-o", zonesFile]);
}
const copyFile = `${zonesFile}.copy`;
if (!existsSync(copyFile) || statSync(copyFile).mtimeMs < statSync(zonesFile).mtimeMs) {
  say("pre-encoding the binary COPY stream for psql…");
  await writeBinaryCopyFile(zonesFile, copyFile);
}
let zones = 0;
let vertices = 0;
for await (const z of readZones(zonesFile)) {
  zones++;
  for (const p of z.geometry?.coordinates ?? []) for (const r of p) vertices += r.length;
}
say(
  `input: ${zonesFile}: ${zones} zones, ${(vertices / 1e6).toFixed(2)} M vertices, ${(statSync(zonesFile).size / 1e6).toFixed(0)} MB`,
);

const db = await benchDatabase("cosmo_bench_whole_import");
const datname = new URL(db.url).pathname.slice(1);
try {
  await ensureMetaSchema(db.pool);

  // 2. the peer: raw binary COPY + primary key + GiST, one transaction
  const schema = "bench_raw";
  const script = join(out, "whole-import-peer.sql");
  await writeFile(
    script,
    [
      "\\set ON_ERROR_STOP 1",
      "BEGIN;",
      loadSql(import.meta.url, "../../importer/sql/create-version.sql", { schema }),
      `\\copy ${schema}.zones (${COPY_COLUMNS.join(", ")}) FROM '${copyFile}' WITH (FORMAT binary, FREEZE)`,
      `ALTER TABLE ${schema}.zones ADD PRIMARY KEY (id);`,
      `CREATE INDEX ON ${schema}.zones USING gist (geom_4326);`,
      "COMMIT;",
    ].join("\n"),
  );
  await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const mon = await serverCpuMonitor(db.url, datname);
  const p = await runTimed("psql", ["-q", "-X", db.url, "-f", script]);
  const peer: Measured = { wallMs: p.wallMs, clientCpuS: p.cpuS, serverCpuS: await mon.stop(), clientThreads: 1 };
  await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

  // 3. the whole command, as a user runs it
  const env = { ...process.env, DATABASE_URL: db.url, COSMO_LOG_LEVEL: "info" };
  const mon2 = await serverCpuMonitor(db.url, datname);
  const c = await runTimed(process.execPath, [join(PROJECT_ROOT, "bin", "cosmo.js"), "import", zonesFile], env);
  const cosmo: Measured = { wallMs: c.wallMs, clientCpuS: c.cpuS, serverCpuS: await mon2.stop(), clientThreads: 1 };
  const { rows } = await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM cosmo.datasets WHERE status IN ('ready', 'published')",
  );
  if (rows[0].n !== 1) throw new Error(`expected one imported version, found ${rows[0].n}`);

  // the import's own step timings (its "… done" log lines), so the query structures show apart; the steps after
  // the load run side by side on several sessions: "after the load" is their wall time, not their sum
  const steps: { step: string; seconds: number; sessions?: number }[] = [];
  for (const line of c.stderr.split("\n")) {
    if (/^\{.*"step".*\}$/.test(line)) steps.push(JSON.parse(line));
  }
  const stepSeconds = (name: string) => steps.find((s) => s.step === name)?.seconds;
  const ratio = cosmo.wallMs / peer.wallMs;
  const met = (r: number) => `target ≤ ${WHOLE_IMPORT_TARGET}×: ${r <= WHOLE_IMPORT_TARGET ? "met" : "NOT met"}`;
  say("");
  say(
    `whole import on extractor output (GRID ${grid}), ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}`,
  );
  say(`| measure | wall | CPU client + server | vs peer |`);
  say(`|---|---|---|---|`);
  say(
    `| peer: raw binary COPY + PK + GiST (psql) | ${secs(peer.wallMs)} | ${peer.clientCpuS.toFixed(1)} + ${peer.serverCpuS.toFixed(1)} s | 1× |`,
  );
  say(
    `| \`cosmo import FILE\`, whole command | ${secs(cosmo.wallMs)} | ${cosmo.clientCpuS.toFixed(1)} + ${cosmo.serverCpuS.toFixed(1)} s | ${ratio.toFixed(2)}× (${met(ratio)}) |`,
  );
  // The core import's end: when the command's "core import done" line reached us (start-up included; the query
  // structures are built after it, so the rest of the wall time is theirs).
  const coreLine = c.lines.find((l) => /"step":"core import"/.test(l.line));
  if (!coreLine) throw new Error("the import logged no core import done line");
  const r = coreLine.ms / peer.wallMs;
  say(
    `| core import (start-up, load, repair, indexes, generalisation, analyze), by its log line | ${secs(coreLine.ms)} | | ${r.toFixed(2)}× (${met(r)}) |`,
  );
  say(
    `| query structures after it (search names ${stepSeconds("search names")} s, tile cells ${stepSeconds("tile cells")} s, point lookup ${stepSeconds("point lookup")} s) | ${secs(cosmo.wallMs - coreLine.ms)} | | |`,
  );
  say(
    '  import steps (sha256 in a worker thread beside the load; those after the load overlap, "after the load" is their wall time):',
  );
  for (const entry of steps) say(`  import step: ${entry.step} ${entry.seconds} s`);
} finally {
  await db.close();
}
