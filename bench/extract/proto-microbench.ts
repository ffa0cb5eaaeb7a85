// Micro-benchmark behind the hand-written protobuf reader: decodes the same inflated blocks (single
// thread, everything kept) with extractor/pbf/block.ts and with the `pbf` package (pbf-package-decoder.ts),
// checks both give the same elements, and prints blocks/s. Usage: tsx proto-microbench.ts FILE [ROUNDS]
import { isDeepStrictEqual } from "node:util";
import { blobPayload } from "../../extractor/pbf/blob.ts";
import { decodeBlock, materializeRelations, materializeWays } from "../../extractor/pbf/block.ts";
import { readBlobs } from "../../extractor/pbf/framing.ts";
import type { OsmRelation, OsmWay } from "../../extractor/pbf/types.ts";
import { decodeWithPbf } from "./pbf-package-decoder.ts";

const [file, roundsArg] = process.argv.slice(2);
if (!file) throw new Error("usage: proto-microbench.ts FILE [ROUNDS]");
const rounds = Number(roundsArg ?? 3);
// At most ~300 blocks, sampled evenly so node, way and relation blocks are all represented.
const all: Uint8Array[] = [];
for await (const b of readBlobs(file)) if (b.type === "OSMData" && b.data) all.push(b.data);
const every = Math.max(1, Math.ceil(all.length / 300));
const blocks = all.filter((_, i) => i % every === 0).map((b) => blobPayload(b));
all.length = 0;
const bytes = blocks.reduce((s, b) => s + b.length, 0);

const ALL = { relations: [[]], ways: "all", nodeIds: "all", nodeTags: null } as const;
const impls = {
  // Includes building the way/relation objects, which the pbf-package version makes directly.
  "hand-written (extractor/pbf)": (b: Uint8Array) => {
    const { kinds: _, ways: w, relations: r, ...rest } = decodeBlock(b, { ...ALL, relations: [[]] });
    const ways: OsmWay[] = [];
    const relations: OsmRelation[] = [];
    materializeWays(w, ways);
    materializeRelations(r, relations);
    return { ...rest, ways, relations };
  },
  "pbf package": (b: Uint8Array) => decodeWithPbf(b),
};

// Same output from both, or the comparison means nothing.
for (const b of blocks.slice(0, 20)) {
  const ours = impls["hand-written (extractor/pbf)"](b);
  if (!isDeepStrictEqual(ours, impls["pbf package"](b))) throw new Error("decoders disagree");
}

// Rounds alternate between the implementations and are timed in CPU time of this process, so that load
// from other processes on a shared machine weighs on both alike; the best round of each is kept.
const results: Record<string, number> = {};
for (const fn of Object.values(impls)) for (const b of blocks.slice(0, 5)) fn(b); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(impls)) {
    const t = process.cpuUsage();
    for (const b of blocks) fn(b);
    const used = process.cpuUsage(t);
    results[name] = Math.min(results[name] ?? Number.POSITIVE_INFINITY, (used.user + used.system) / 1000);
  }
}
const base = results["hand-written (extractor/pbf)"];
console.log(
  `proto micro-benchmark: ${blocks.length} blocks, ${(bytes / 1e6).toFixed(1)} MB inflated, best of ${rounds} (CPU ms)`,
);
for (const [name, ms] of Object.entries(results))
  console.log(
    `  ${name.padEnd(30)} ${ms.toFixed(0).padStart(7)} ms  ${((bytes / 1e6 / ms) * 1000).toFixed(0).padStart(5)} MB/s  ${(ms / base).toFixed(2)}×`,
  );
console.log(JSON.stringify({ microbench: results }));
