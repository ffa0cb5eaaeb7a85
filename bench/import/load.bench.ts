// The import benchmark (issue 2): on one generated file of >= 10 M vertices, in one database, in one run:
//   - raw COPY: psql `\copy … FORMAT binary` of the same rows pre-encoded (the database's own ingest ceiling);
//   - cosmo: importZonesFile (read + parse + validate + encode + COPY), its load timed apart from the
//     post-load work (repair, indexes, generalisation, ANALYZE), which is reported separately;
//   - ogr2ogr -f PostgreSQL from GeoJSONSeq with PG_USE_COPY (the usual tool for the job).
// Targets: cosmo's load >= 6x faster than ogr2ogr and >= 50 % of the raw COPY rate.
//
//   node --import tsx bench/import/load.bench.ts [--vertices N] [--rounds N] [--skip-ogr]
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { readZones } from "../../core/cosmogony/reader.ts";
import { ident } from "../../core/db.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { BinaryCopyEncoder, COPY_COLUMNS } from "../../importer/copy-binary.ts";
import { ensureMetaSchema, sql } from "../../importer/datasets.ts";
import { importZonesFile } from "../../importer/import.ts";
import { benchDatabase } from "./bench-db.ts";
import { generateZonesFile } from "./generate.ts";

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
  const kv = { host: u.hostname, port: u.port, dbname: u.pathname.slice(1), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
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
  const enc = new BinaryCopyEncoder();
  const w = createWriteStream(copyFile);
  for await (const z of readZones(zonesFile)) {
    enc.addZone(z);
    const chunk = enc.take();
    if (chunk && !w.write(chunk)) await once(w, "drain");
  }
  w.end(enc.finish());
  await once(w, "close");
}
let zoneCount = 0;
let vertexCount = 0;
for await (const z of readZones(zonesFile)) {
  zoneCount++;
  for (const p of z.geometry?.coordinates ?? []) for (const r of p) vertexCount += r.length;
}
const mb = statSync(zonesFile).size / 1e6;
say(`input: ${zoneCount} zones, ${(vertexCount / 1e6).toFixed(2)} M vertices, ${mb.toFixed(0)} MB (.jsonl), ${(statSync(seqFile).size / 1e6).toFixed(0)} MB (.geojsonl)`);

const db = await benchDatabase();
try {
  await ensureMetaSchema(db.pool);

  // 2. raw COPY through psql into the same table layout, created in the same transaction (FREEZE), as cosmo does
  const rawSql = join(out, "raw-copy.sql");
  const schema = "bench_raw";
  const script = [
    "\\set ON_ERROR_STOP 1",
    "BEGIN;",
    sql("create-version", { schema: ident(schema) }),
    `\\copy ${schema}.zones (${COPY_COLUMNS.join(", ")}) FROM '${copyFile}' WITH (FORMAT binary, FREEZE)`,
    "COMMIT;",
  ].join("\n");
  await (await import("node:fs/promises")).writeFile(rawSql, script);
  let rawMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    if (i > 0) await db.pool.query(`DROP SCHEMA ${schema} CASCADE`);
    const t0 = performance.now();
    const psql = spawnSync("psql", ["-q", "-X", db.url, "-f", rawSql], { encoding: "utf8" });
    const ms = performance.now() - t0;
    if (psql.status !== 0) throw new Error(`psql failed: ${psql.stderr}`);
    say(`raw COPY: ${secs(ms)}`);
    rawMs = Math.min(rawMs, ms);
  }
  // the same rows as text COPY (geometries as hex EWKB, as PostgreSQL writes them), to compare the formats
  const textFile = `${base}.copy.txt`;
  const dump = spawnSync("psql", ["-q", "-X", db.url, "-c", `\\copy ${schema}.zones (${COPY_COLUMNS.join(", ")}) TO '${textFile}'`], { encoding: "utf8" });
  if (dump.status !== 0) throw new Error(`psql failed: ${dump.stderr}`);
  await db.pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await (await import("node:fs/promises")).writeFile(rawSql, script.replace(`FROM '${copyFile}' WITH (FORMAT binary, FREEZE)`, `FROM '${textFile}' WITH (FORMAT text, FREEZE)`));
  const t2 = performance.now();
  const psqlText = spawnSync("psql", ["-q", "-X", db.url, "-f", rawSql], { encoding: "utf8" });
  const rawTextMs = performance.now() - t2;
  if (psqlText.status !== 0) throw new Error(`psql failed: ${psqlText.stderr}`);
  say(`raw text COPY: ${secs(rawTextMs)} (${(statSync(textFile).size / 1e6).toFixed(0)} MB vs ${(statSync(copyFile).size / 1e6).toFixed(0)} MB binary)`);
  await db.pool.query(`DROP SCHEMA ${schema} CASCADE`);
  (await import("node:fs")).rmSync(textFile);

  // 3. cosmo import
  let res = await importZonesFile(db, zonesFile, { progress: false, keepVersions: 2 });
  say(`cosmo: ${res.summary}`);
  for (let i = 1; i < rounds; i++) {
    // forget the previous run so the same file is imported again (the sha256 check would skip it)
    await db.pool.query(`DROP SCHEMA zones_v${res.version} CASCADE`);
    await db.pool.query("UPDATE cosmo.datasets SET status = 'retired' WHERE version = $1", [res.version]);
    const again = await importZonesFile(db, zonesFile, { progress: false, keepVersions: 2 });
    say(`cosmo: ${again.summary}`);
    if (again.timings!.loadMs < res.timings!.loadMs) res = again;
  }
  const t = res.timings!;
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n, sum(ST_NPoints(geom_4326))::bigint AS v FROM zones_v${res.version}.zones`);
  if (rows[0].n !== zoneCount || rows[0].v !== vertexCount) throw new Error(`cosmo loaded ${rows[0].n} zones / ${rows[0].v} vertices`);

  // 4. ogr2ogr
  let ogrMs = Number.NaN;
  if (!skipOgr) {
    const t1 = performance.now();
    const ogr = spawnSync(
      "ogr2ogr",
      ["-f", "PostgreSQL", `PG:${conninfo(db.url)}`, seqFile, "-nln", "ogr_zones", "-lco", "SPATIAL_INDEX=NONE", "-lco", "GEOMETRY_NAME=geom", "--config", "PG_USE_COPY", "YES", "-overwrite"],
      { encoding: "utf8" },
    );
    ogrMs = performance.now() - t1;
    if (ogr.status !== 0) throw new Error(`ogr2ogr failed: ${ogr.stderr}`);
    const { rows: o } = await db.pool.query("SELECT count(*)::int AS n, sum(ST_NPoints(geom))::bigint AS v FROM ogr_zones");
    if (o[0].n !== zoneCount) throw new Error(`ogr2ogr loaded ${o[0].n} zones`);
  }

  const post = t.makeValidMs + t.indexesMs + t.generaliseMs + t.analyzeMs;
  say("");
  say(`best of ${rounds} for raw COPY and cosmo; ogr2ogr once`);
  say(`| step (same input, same database)                   | time     | M vertices/s |`);
  say(`|----------------------------------------------------|----------|--------------|`);
  const row = (label: string, ms: number) => say(`| ${label.padEnd(50)} | ${secs(ms).padStart(8)} | ${(vertexCount / 1e3 / ms).toFixed(2).padStart(12)} |`);
  row("raw COPY of pre-encoded EWKB rows (psql \\copy)", rawMs);
  row("same rows as text COPY (hex EWKB; format comparison)", rawTextMs);
  row("cosmo import: load (read, parse, encode, COPY)", t.loadMs);
  if (!skipOgr) row("ogr2ogr -f PostgreSQL (GeoJSONSeq, PG_USE_COPY)", ogrMs);
  say("");
  say(`cosmo load vs raw COPY rate: ${((rawMs / t.loadMs) * 100).toFixed(0)} %   (target >= 50 %)`);
  if (!skipOgr) say(`cosmo load vs ogr2ogr:       ${(ogrMs / t.loadMs).toFixed(1)}x faster (target >= 6x; ogr2ogr loads one geometry column, cosmo two plus bbox/center)`);
  say(
    `cosmo after the load: ${secs(post)} = repair ${secs(t.makeValidMs)} + indexes ${secs(t.indexesMs)} + generalisation ${secs(t.generaliseMs)} + analyze ${secs(t.analyzeMs)}; whole import ${secs(t.totalMs)}`,
  );
} finally {
  await db.close();
}
