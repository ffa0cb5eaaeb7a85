// Why the `.json` form is split by a hand-written scanner (core/cosmogony/json-scanner.ts) and not by a streaming
// JSON library: both read the same generated `.json` file zone by zone, without holding it whole.
//   - ours: byte scanner finds each element of "zones", then JSON.parse + validation per zone;
//   - stream-json (the usual choice; here as minio's dependency): parser → pick "zones" → streamArray.
// And why the load reads geometries byte by byte (core/cosmogony/zone-text.ts, multipolygon-text.ts, json-number.ts):
// on the same zone texts, that parser vs the general JSON.parse + validation, with the coordinates each gives.
//   node --import tsx bench/import/json-reader.bench.ts [--vertices N]
import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseZoneText, readZones, readZoneTexts, type ZoneText } from "../../core/cosmogony/reader.ts";
import { ZoneTextParser } from "../../core/cosmogony/zone-text.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { generateZonesFile } from "./generate.ts";

const i = process.argv.indexOf("--vertices");
const vertices = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
const out = join(PROJECT_ROOT, "bench", "out");
mkdirSync(out, { recursive: true });
const file = join(out, `zones-${vertices}.json`);
if (!existsSync(file)) await generateZonesFile(file, { vertices });

async function time(label: string, fn: () => Promise<number>): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  process.stdout.write(
    `${label.padEnd(44)} ${n} zones  ${(ms / 1000).toFixed(2)} s wall  ${((c.user + c.system) / 1e6).toFixed(2)} s CPU\n`,
  );
  return (c.user + c.system) / 1e6;
}

process.stdout.write(`reading ${file} (${vertices} vertices) zone by zone\n`);
const ours = await time("ours: scanner + JSON.parse + validation", async () => {
  let n = 0;
  for await (const _ of readZones(file)) n++;
  return n;
});
const lib = await time("stream-json: parser + pick + streamArray", async () => {
  // CommonJS without type declarations: loaded through require
  const require = createRequire(import.meta.url);
  const { parser } = require("stream-json");
  const { pick } = require("stream-json/filters/Pick.js");
  const { streamArray } = require("stream-json/streamers/StreamArray.js");
  let n = 0;
  const pipe = createReadStream(file)
    .pipe(parser())
    .pipe(pick({ filter: "zones" }))
    .pipe(streamArray());
  for await (const _ of pipe) n++;
  return n;
});
process.stdout.write(`ours uses ${(lib / ours).toFixed(1)}x less CPU (and validates each zone)\n`);

// the load's zone parser vs the general path, in memory (best of 3: only parsing is timed)
const texts: ZoneText[] = [];
for await (const t of readZoneTexts(file)) texts.push(t);
let coordinates = 0;
for (const t of texts)
  for (const p of parseZoneText(t, file).geometry?.coordinates ?? []) for (const r of p) coordinates += 2 * r.length;
function bestCpu(label: string, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  process.stdout.write(
    `${label.padEnd(44)} ${texts.length} zones  ${best.toFixed(2)} s CPU  ${(coordinates / best / 1e6).toFixed(1)} M numbers/s\n`,
  );
  return best;
}
const general = bestCpu("general: JSON.parse + validation", () => {
  for (const t of texts) parseZoneText(t, file);
});
const parser = new ZoneTextParser(file);
const load = bestCpu("load: geometry bytes → Float64Array, rest JSON", () => {
  for (const t of texts) parser.parse(t);
});
process.stdout.write(
  `the load's parser uses ${(general / load).toFixed(1)}x less CPU (same doubles: core/cosmogony/test/json-number.test.ts)\n`,
);
