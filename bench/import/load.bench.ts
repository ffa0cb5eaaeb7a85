// The import benchmark (issue 2): on one generated file of >= 10 M vertices, in one database, in one run:
//   - raw COPY: psql `\copy … FORMAT binary` of the same rows pre-encoded (the database's own ingest ceiling);
//   - cosmo: importZonesFile (read + parse + validate + encode + COPY), its load timed apart from the
//     post-load work (repair, indexes, generalisation, ANALYZE), which is reported separately;
//   - ogr2ogr -f PostgreSQL from GeoJSONSeq with PG_USE_COPY (the usual tool for the job).
// Targets: cosmo's load >= 6x faster than ogr2ogr and >= 50 % of the raw COPY rate.
//
//   node --import tsx bench/import/load.bench.ts [--vertices N] [--rounds N] [--skip-ogr]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { readZones } from "../../core/cosmogony/reader.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { loadSql } from "../../core/sql.ts";
import { COPY_COLUMNS } from "../../importer/copy-binary.ts";
import { ensureMetaSchema } from "../../importer/datasets.ts";
import { importZonesFile } from "../../importer/import.ts";
import { loadZones } from "../../importer/load.ts";
import { benchDatabase } from "./bench-db.ts";
import { writeBinaryCopyFile } from "./copy-file.ts";
import { generateZonesFile } from "./generate.ts";
import { criticalPathS, inProcess, type Measured, runTimed, serverCpuMonitor } from "./measure.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const vertices = Number(arg("--vertices") ?? 10_500_000);
const skipOgr = process.argv.includes("--skip-ogr");
// best of N for the raw COPY and cosmo (the machine may be shared: the best run is the least disturbed one);
// ogr2ogr runs once (it is the slow one: extra runs could only lower its time a little)
const rounds = Number(arg("--rounds") ?? 2);
const out = join(PROJECT_ROOT, "bench", "out");
mkdirSync(out, { recursive: true });
const base = join(out, `zones-${vertices}`);
const zonesFile = `${base}.jsonl`;
const seqFile = `${base}.geojsonl`;
const copyFile = `${base}.copy`;
/** libpq key=value form (GDAL appends its own options to the string, which breaks a URL). */
function conninfo(url: string): string {
  const u = new URL(url);
  const kv = {
    host: u.hostname,
    port: u.port,
    dbname: u.pathname.slice(1),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
  return Object.entries(kv)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}
const say = (s: string) => process.stdout.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// 1. inputs (generated once, kept in bench/out/)
if (!existsSync(zonesFile) || !existsSync(seqFile)) {
  say(`generating ${zonesFile} (+ GeoJSONSeq for ogr2ogr)…`);
  await generateZonesFile(zonesFile, { vertices, geojsonSeq: seqFile });
}
if (!existsSync(copyFile)) {
  say(`pre-encoding the binary COPY stream for psql…`);
  await writeBinaryCopyFile(zonesFile, copyFile);
}
let zoneCount = 0;
let vertexCount = 0;
for await (const z of readZones(zonesFile)) {
  zoneCount++;
  for (const p of z.geometry?.coordinates ?? []) for (const r of p) vertexCount += r.length;
}
const mb = statSync(zonesFile).size / 1e6;
say(
  `input: ${zoneCount} zones, ${(vertexCount / 1e6).toFixed(2)} M vertices, ${mb.toFixed(0)} MB (.jsonl), ${(statSync(seqFile).size / 1e6).toFixed(0)} MB (.geojsonl)`,
);

const db = await benchDatabase();
const datname = new URL(db.url).pathname.slice(1);
const results: { label: string; m: Measured }[] = [];
const show = (label: string, m: Measured) =>
  say(
    `${label}: ${secs(m.wallMs)} wall, CPU ${m.clientCpuS.toFixed(1)} s client + ${m.serverCpuS.toFixed(1)} s server`,
  );
const best = (a: Measured | null, b: Measured) => (a && criticalPathS(a) <= criticalPathS(b) ? a : b);
try {
  await ensureMetaSchema(db.pool);

  // 2. raw COPY through psql into the same table layout, created in the same transaction (FREEZE), as cosmo does
  const rawSql = join(out, "raw-copy.sql");
  const schema = "bench_raw";
  const script = (file: string, format: string) =>
    [
      "\\set ON_ERROR_STOP 1",
      "BEGIN;",
      loadSql(import.meta.url, "../../importer/sql/create-version.sql", { schema }),
      `\\copy ${schema}.zones (${COPY_COLUMNS.join(", ")}) FROM '${file}' WITH (FORMAT ${format}, FREEZE)`,
      "COMMIT;",
    ].join("\n");
  const psqlRun = async (file: string, format: string): Promise<Measured> => {
    await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await writeFile(rawSql, script(file, format));
    const mon = await serverCpuMonitor(db.url, datname);
    const r = await runTimed("psql", ["-q", "-X", db.url, "-f", rawSql]);
    return { wallMs: r.wallMs, clientCpuS: r.cpuS, serverCpuS: await mon.stop(), clientThreads: 1 };
  };
  let raw: Measured | null = null;
  for (let i = 0; i < rounds; i++) {
    const m = await psqlRun(copyFile, "binary");
    show("raw binary COPY", m);
    raw = best(raw, m);
  }
  // the same rows as text COPY (geometries as hex EWKB, as PostgreSQL writes them), to compare the formats
  const textFile = `${base}.copy.txt`;
  const dump = spawnSync(
    "psql",
    ["-q", "-X", db.url, "-c", `\\copy ${schema}.zones (${COPY_COLUMNS.join(", ")}) TO '${textFile}'`],
    { encoding: "utf8" },
  );
  if (dump.status !== 0) throw new Error(`psql failed: ${dump.stderr}`);
  const rawText = await psqlRun(textFile, "text");
  show(
    `raw text COPY (${(statSync(textFile).size / 1e6).toFixed(0)} MB vs ${(statSync(copyFile).size / 1e6).toFixed(0)} MB binary)`,
    rawText,
  );
  rmSync(textFile);
  await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

  // 3. cosmo's load: the importer's own loadZones (read, parse, validate, encode, COPY), timed alone
  let ours: Measured | null = null;
  for (let i = 0; i < rounds; i++) {
    await db.pool.query("DROP SCHEMA IF EXISTS bench_cosmo CASCADE");
    const mon = await serverCpuMonitor(db.url, datname);
    const client = await db.pool.connect();
    const r = await inProcess(() => loadZones(client, "bench_cosmo", zonesFile, { name: zonesFile }));
    client.release();
    const m = {
      wallMs: r.wallMs,
      clientCpuS: r.cpuS,
      serverCpuS: await mon.stop(),
      clientThreads: 1 + r.value.threads,
    };
    if (r.value.zoneCount !== zoneCount) throw new Error(`cosmo loaded ${r.value.zoneCount} zones`);
    show("cosmo load", m);
    ours = best(ours, m);
  }
  await db.pool.query("DROP SCHEMA IF EXISTS bench_cosmo CASCADE");

  // 4. the whole `cosmo import` once, for the steps after the load
  const res = await importZonesFile(db, zonesFile, { progress: false, keepVersions: 2 });
  say(`cosmo import: ${res.summary}`);
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n, sum(ST_NPoints(geom_4326))::bigint AS v FROM zones_v${res.version}.zones`,
  );
  if (rows[0].n !== zoneCount || rows[0].v !== vertexCount)
    throw new Error(`cosmo imported ${rows[0].n} zones / ${rows[0].v} vertices`);
  const t = res.timings!;

  // 5. ogr2ogr
  let ogr: Measured | null = null;
  if (!skipOgr) {
    const mon = await serverCpuMonitor(db.url, datname);
    const r = await runTimed("ogr2ogr", [
      "-f",
      "PostgreSQL",
      `PG:${conninfo(db.url)}`,
      seqFile,
      "-nln",
      "ogr_zones",
      "-lco",
      "SPATIAL_INDEX=NONE",
      "-lco",
      "GEOMETRY_NAME=geom",
      "--config",
      "PG_USE_COPY",
      "YES",
      "-overwrite",
    ]);
    ogr = { wallMs: r.wallMs, clientCpuS: r.cpuS, serverCpuS: await mon.stop(), clientThreads: 1 };
    show("ogr2ogr", ogr);
    const { rows: o } = await db.pool.query("SELECT count(*)::int AS n FROM ogr_zones");
    if (o[0].n !== zoneCount) throw new Error(`ogr2ogr loaded ${o[0].n} zones`);
  }

  const r0 = raw as Measured;
  const o0 = ours as Measured;
  results.push({ label: "raw binary COPY of pre-encoded rows (psql)", m: r0 });
  results.push({ label: "same rows as text COPY (hex EWKB)", m: rawText });
  results.push({ label: "cosmo load (read, parse, encode, COPY)", m: o0 });
  if (ogr) results.push({ label: "ogr2ogr (GeoJSONSeq, PG_USE_COPY)", m: ogr });
  say("");
  say(
    `best of ${rounds} for the raw COPY and cosmo (by critical path); text COPY and ogr2ogr once; ${availableParallelism()} cores; load average ${loadavg()[0].toFixed(1)}`,
  );
  say(
    "| load of the same input into the same database | wall     | client CPU | server CPU | critical path | M vertices/s (wall) |",
  );
  say(
    "|-----------------------------------------------|----------|------------|------------|---------------|---------------------|",
  );
  for (const { label, m } of results) {
    say(
      `| ${label.padEnd(45)} | ${secs(m.wallMs).padStart(8)} | ${`${m.clientCpuS.toFixed(1)} s`.padStart(10)} | ${`${m.serverCpuS.toFixed(1)} s`.padStart(10)} | ${`${criticalPathS(m).toFixed(1)} s`.padStart(13)} | ${(vertexCount / 1e3 / m.wallMs).toFixed(2).padStart(19)} |`,
    );
  }
  say("");
  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;
  say(
    `cosmo load rate vs raw COPY rate: ${pct(r0.wallMs, o0.wallMs)} by wall time, ${pct(criticalPathS(r0), criticalPathS(o0))} by critical path (target >= 50 %)`,
  );
  if (ogr) {
    say(
      `cosmo load vs ogr2ogr: ${(ogr.wallMs / o0.wallMs).toFixed(1)}x faster by wall time, ${(criticalPathS(ogr) / criticalPathS(o0)).toFixed(1)}x by critical path, ` +
        `${((ogr.clientCpuS + ogr.serverCpuS) / (o0.clientCpuS + o0.serverCpuS)).toFixed(1)}x by total CPU (target >= 6x; ogr2ogr loads one geometry column, cosmo two plus bbox and center)`,
    );
  }
  say(
    `binary vs text COPY (server side, same rows): text takes ${(rawText.wallMs / r0.wallMs).toFixed(2)}x the wall time, ${(rawText.serverCpuS / r0.serverCpuS).toFixed(2)}x the server CPU`,
  );
  say(
    `after the load (cosmo import, reported apart): ${secs(t.postLoadMs)} on ${t.postLoadSessions} sessions, its steps side by side: repair ${secs(t.makeValidMs)}, indexes ${secs(t.indexesMs)}, search names ${secs(t.searchNamesMs)}, generalisation ${secs(t.generaliseMs)}, analyze ${secs(t.analyzeMs)}; whole import ${secs(t.totalMs)}`,
  );
} finally {
  await db.close();
}
