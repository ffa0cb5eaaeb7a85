// Micro-benchmark that justifies the hand-written EWKB encoder (core/geometry/ewkb.ts), on the geometries of the
// synthetic zones file:
//   1. Node-side encoding only: ours (4326 and with the Web Mercator projection) vs `wkx` vs JSON.stringify
//      (what sending GeoJSON for ST_GeomFromGeoJSON costs the client);
//   2. end to end into PostGIS: binary COPY of our EWKB vs COPY of GeoJSON text + INSERT … ST_GeomFromGeoJSON.
//
//   node --import tsx bench/import/ewkb.bench.ts [--vertices N]
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import wkx from "wkx";
import type { MultiPolygonGeometry } from "../../core/cosmogony/model.ts";
import { encodeMultiPolygon, SRID_WEB_MERCATOR, SRID_WGS84 } from "../../core/geometry/ewkb.ts";
import { benchDatabase } from "./bench-db.ts";
import { generateZones } from "./generate.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function time(fn: () => void, repeat = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const vertices = Number(arg("--vertices") ?? 3_000_000);
const geoms: MultiPolygonGeometry[] = [];
let nv = 0;
for (const z of generateZones({ vertices })) {
  if (!z.geometry) continue;
  geoms.push(z.geometry);
  for (const p of z.geometry.coordinates) for (const r of p) nv += r.length;
}
process.stdout.write(
  `EWKB micro-benchmark: ${geoms.length} MultiPolygons, ${(nv / 1e6).toFixed(2)} M vertices (best of 3)\n`,
);

let sink = 0;
const ours = time(() => {
  for (const g of geoms) sink += encodeMultiPolygon(g.coordinates, SRID_WGS84).length;
});
const oursMerc = time(() => {
  for (const g of geoms) sink += encodeMultiPolygon(g.coordinates, SRID_WEB_MERCATOR).length;
});
const viaWkx = time(() => {
  for (const g of geoms) {
    const geom = wkx.Geometry.parseGeoJSON(g);
    geom.srid = 4326;
    sink += geom.toEwkb().length;
  }
}, 1);
const asJson = time(() => {
  for (const g of geoms) sink += JSON.stringify(g).length;
});
// same bytes as wkx (both little-endian EWKB with SRID)?
const sample = geoms[0];
const w = wkx.Geometry.parseGeoJSON(sample);
w.srid = 4326;
const identical = Buffer.compare(w.toEwkb(), encodeMultiPolygon(sample.coordinates, SRID_WGS84)) === 0;

const mvs = (ms: number) => `${(nv / 1e3 / ms).toFixed(1)} M vertices/s`;
process.stdout.write(
  [
    "1. encoding in Node",
    `   ours (EWKB 4326)            ${ours.toFixed(0).padStart(6)} ms  ${mvs(ours)}`,
    `   ours (EWKB 3857, projected) ${oursMerc.toFixed(0).padStart(6)} ms  ${mvs(oursMerc)}`,
    `   wkx (parseGeoJSON+toEwkb)   ${viaWkx.toFixed(0).padStart(6)} ms  ${mvs(viaWkx)}   ours is ${(viaWkx / ours).toFixed(1)}x faster`,
    `   JSON.stringify (GeoJSON)    ${asJson.toFixed(0).padStart(6)} ms  ${mvs(asJson)}   ours is ${(asJson / ours).toFixed(1)}x faster`,
    `   byte-identical to wkx: ${identical}`,
    "",
  ].join("\n"),
);

// 2. into PostGIS
const db = await benchDatabase();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  await client.query("DROP SCHEMA IF EXISTS bench_ewkb CASCADE; CREATE SCHEMA bench_ewkb");

  // binary COPY of EWKB
  const t0 = performance.now();
  await client.query("BEGIN");
  await client.query("CREATE TABLE bench_ewkb.a (geom geometry(MultiPolygon, 4326))");
  await pipeline(
    Readable.from(
      (function* () {
        const head = Buffer.alloc(19);
        Buffer.from("PGCOPY\n\xff\r\n\0", "latin1").copy(head);
        yield head;
        for (const g of geoms) {
          const e = encodeMultiPolygon(g.coordinates, SRID_WGS84);
          const pre = Buffer.allocUnsafe(6);
          pre.writeInt16BE(1, 0);
          pre.writeInt32BE(e.length, 2);
          yield Buffer.concat([pre, e]);
        }
        yield Buffer.from([0xff, 0xff]);
      })(),
      { objectMode: false },
    ),
    client.query(copyFrom("COPY bench_ewkb.a FROM STDIN WITH (FORMAT binary, FREEZE)")),
  );
  await client.query("COMMIT");
  const ewkbMs = performance.now() - t0;

  // GeoJSON text, parsed by the server
  const t1 = performance.now();
  await client.query("BEGIN");
  await client.query("CREATE TEMP TABLE raw_json (g text)");
  await pipeline(
    Readable.from(
      (function* () {
        for (const g of geoms) yield `${JSON.stringify(g).replace(/\\/g, "\\\\")}\n`;
      })(),
      { objectMode: false },
    ),
    client.query(copyFrom("COPY raw_json FROM STDIN")),
  );
  await client.query(
    "CREATE TABLE bench_ewkb.b AS SELECT ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)::geometry(MultiPolygon, 4326) AS geom FROM raw_json",
  );
  await client.query("COMMIT");
  const jsonMs = performance.now() - t1;
  const { rows } = await client.query(
    "SELECT (SELECT count(*) FROM bench_ewkb.a)::int AS a, (SELECT count(*) FROM bench_ewkb.b)::int AS b, (SELECT sum(ST_NPoints(geom)) FROM bench_ewkb.a)::bigint AS pa, (SELECT sum(ST_NPoints(geom)) FROM bench_ewkb.b)::bigint AS pb",
  );
  process.stdout.write(
    [
      "2. into PostGIS (same geometries, same database)",
      `   binary COPY of our EWKB                ${ewkbMs.toFixed(0).padStart(6)} ms  ${mvs(ewkbMs)}`,
      `   GeoJSON COPY + ST_GeomFromGeoJSON      ${jsonMs.toFixed(0).padStart(6)} ms  ${mvs(jsonMs)}   EWKB is ${(jsonMs / ewkbMs).toFixed(1)}x faster`,
      `   rows ${rows[0].a}/${rows[0].b}, points ${rows[0].pa}/${rows[0].pb}`,
      "",
    ].join("\n"),
  );
  await client.query("DROP SCHEMA bench_ewkb CASCADE");
} finally {
  await client.end();
  await db.close();
}
if (sink < 0) process.stdout.write("");
