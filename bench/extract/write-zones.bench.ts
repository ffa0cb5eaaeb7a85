// Why the extractor writes zones the way it does (extractor/write-zones.ts, core/cosmogony/json-bytes.ts,
// parallel-gzip.ts), each measured against the plain way in the same run:
//   1. geometry text: JSON.stringify of GeoJSON nested arrays (toGeoJsonCoords) vs writeMultiPolygonJson,
//      which writes digits from the flat rings straight into byte chunks (same bytes, checked here);
//   2. gzip: node:zlib's one-thread gzip stream vs ParallelGzip (chunks deflated concurrently on the threadpool,
//      one gzip member), both at level 1 as the extractor uses it, on the same bytes;
//   3. the whole write step (writeZones) to each target given.
// Zones are read back from a `.jsonl` made by `cosmo extract` (the extractor's working form is rebuilt from it).
// CPU times include the threadpool; "main" is the main thread's share (Linux /proc).
//   node --import tsx bench/extract/write-zones.bench.ts ZONES.jsonl [OUT.jsonl OUT.jsonl.gz …]
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGzip } from "node:zlib";
import { JsonBytes } from "../../core/cosmogony/json-bytes.ts";
import type { Zone } from "../../core/cosmogony/model.ts";
import { ParallelGzip } from "../../core/cosmogony/parallel-gzip.ts";
import { toGeoJsonCoords, writeMultiPolygonJson } from "../../extractor/geometry.ts";
import { GeometryTexts, geometryTextThreads } from "../../extractor/geometry-texts.ts";
import type { DraftZone } from "../../extractor/types.ts";
import { draftZoneOf, writeZones } from "../../extractor/write-zones.ts";

const CHUNK = 1 << 20;

async function loadDraftZones(path: string): Promise<DraftZone[]> {
  const zones: DraftZone[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const z = JSON.parse(line) as Zone;
    zones.push(draftZoneOf(z));
  }
  return zones;
}

/** CPU time of the main thread alone (Linux: /proc), in seconds; the threadpool's work is not in it. */
function mainThreadCpu(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ ticks
}

interface Timing {
  wall: number;
  cpu: number;
  main: number;
}

async function measure(label: string, fn: () => Promise<string> | string): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  const t0 = performance.now();
  const note = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const t = { wall, cpu: (c.user + c.system) / 1e6, main: mainThreadCpu() - main0 };
  console.log(
    `  ${label.padEnd(40)} ${t.wall.toFixed(2)} s wall  ${t.cpu.toFixed(2)} s CPU  ${t.main.toFixed(2)} s main  ${note}`,
  );
  return t;
}

function ratio(peer: Timing, ours: Timing): string {
  return `peer/ours: wall ${(peer.wall / ours.wall).toFixed(1)}×, CPU ${(peer.cpu / ours.cpu).toFixed(1)}×`;
}

const [input, ...targets] = process.argv.slice(2);
if (!input) {
  console.error("usage: write-zones.bench.ts ZONES.jsonl [OUT…]");
  process.exit(2);
}
const zones = await loadDraftZones(input);
const geometries = zones.flatMap((z) => (z.geometry ? [z.geometry] : []));
console.log(`${input}: ${zones.length} zones`);

console.log("geometry text");
const peerText = await measure("JSON.stringify(toGeoJsonCoords(…))", () => {
  let bytes = 0;
  for (const g of geometries) {
    bytes += Buffer.byteLength(JSON.stringify({ type: "MultiPolygon", coordinates: toGeoJsonCoords(g) }));
  }
  return `${(bytes / 1e6).toFixed(1)} MB`;
});
const oursText = await measure("writeMultiPolygonJson", () => {
  let bytes = 0;
  const out = new JsonBytes(CHUNK, (c) => {
    bytes += c.length;
  });
  for (const g of geometries) writeMultiPolygonJson(out, g);
  out.flush();
  return `${(bytes / 1e6).toFixed(1)} MB`;
});
console.log(`  ${ratio(peerText, oursText)}`);
for (let i = 0; i < geometries.length; i += 97) {
  const chunks: Buffer[] = [];
  const out = new JsonBytes(CHUNK, (c) => chunks.push(c));
  writeMultiPolygonJson(out, geometries[i]);
  out.flush();
  const expected = JSON.stringify({ type: "MultiPolygon", coordinates: toGeoJsonCoords(geometries[i]) });
  if (Buffer.concat(chunks).toString("latin1") !== expected) throw new Error(`geometry #${i} differs`);
}

console.log(`gzip level 1 of ${input}`);
const peerGzip = await measure("node:zlib createGzip (one thread)", async () => {
  const gz = createGzip({ level: 1 });
  let bytes = 0;
  gz.on("data", (c: Buffer) => {
    bytes += c.length;
  });
  const done = new Promise((resolve) => gz.on("end", resolve));
  for await (const chunk of createReadStream(input, { highWaterMark: CHUNK })) {
    if (!gz.write(chunk)) await new Promise((resolve) => gz.once("drain", resolve));
  }
  gz.end();
  await done;
  return `${(bytes / 1e6).toFixed(1)} MB`;
});
const oursGzip = await measure("ParallelGzip", async () => {
  let bytes = 0;
  const gz = new ParallelGzip(
    async (c) => {
      bytes += c.length;
    },
    { level: 1 },
  );
  for await (const chunk of createReadStream(input, { highWaterMark: CHUNK })) await gz.write(chunk as Buffer);
  await gz.end();
  return `${(bytes / 1e6).toFixed(1)} MB`;
});
console.log(`  ${ratio(peerGzip, oursGzip)}`);

if (targets.length > 0) console.log("write step (writeZones): geometry texts on this thread, then on worker threads");
const vertices = zones.reduce((n, z) => n + (z.geometry ?? []).flat().reduce((m, r) => m + r.length / 2, 0), 0);
const threads = Math.max(1, geometryTextThreads(vertices));
for (const target of targets) {
  const here = await measure(target, async () => {
    const { bytes } = await writeZones(zones, target, { osm_filename: "bench.osm.pbf" });
    return `${(bytes / 1e6).toFixed(1)} MB`;
  });
  const ahead = await measure(`${target}, geometry texts on ${threads} worker(s)`, async () => {
    const texts = new GeometryTexts(
      zones.map((z) => z.geometry),
      threads,
    );
    try {
      const { bytes } = await writeZones(zones, target, { osm_filename: "bench.osm.pbf" }, texts);
      return `${(bytes / 1e6).toFixed(1)} MB`;
    } finally {
      await texts.close();
    }
  });
  console.log(`  ${ratio(here, ahead)}`);
}
