// Pure decode of every element of a PBF file, by our reader or by an npm peer, for the benchmark.
// Usage: tsx bench/extract/decode.ts FILE [ours|ours-boundaries|osm-pbf-parser|osm-pbf-parser-node] [THREADS]
// Prints one JSON line: {impl, threads, ms, nodes, ways, relations}. Peers see every element too (they
// have no filter), so "ours" keeps everything: relations, ways and every node's coordinates.
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { ALL, IdSet, readPbf } from "../../extractor/pbf/index.ts";

const [file, impl = "ours", threadsArg] = process.argv.slice(2);
if (!file) throw new Error("usage: decode.ts FILE [impl] [threads]");
const threads = threadsArg === undefined ? undefined : Number(threadsArg);
const started = performance.now();
let counts: { nodes: number; ways: number; relations: number };

if (impl === "ours") {
  const r = await readPbf(file, { relations: [[]], ways: ALL, nodes: { ids: ALL } }, { threads });
  counts = { nodes: r.coords.size, ways: r.ways.length, relations: r.relations.length };
} else if (impl === "ours-boundaries") {
  // The extractor's access pattern (extractor/osm-read.ts): admin relations, then their ways as a flat
  // table, then the nodes they need (coordinates into shared arrays) and the place nodes; every pass
  // inflates only the blocks of the kind it needs (singleKindBlocks).
  const guess = { singleKindBlocks: true };
  const admin = [[{ key: "boundary", values: ["administrative"] }]];
  const rel = await readPbf(file, { ...guess, relations: admin }, { threads });
  const wayIds = IdSet.from(rel.relations.flatMap((x) => x.members.filter((m) => m.type === "way").map((m) => m.ref)));
  const ways = await readPbf(file, { ...guess, ways: wayIds, waysAsTable: true }, { threads });
  const refs = ways.wayTable!.refs;
  const all = IdSet.sharedArray(refs.length);
  all.set(refs);
  const nodeIds = IdSet.adopt(all);
  const shared = () => new Int32Array(new SharedArrayBuffer(Math.max(nodeIds.size, 1) * 4), 0, nodeIds.size);
  const coordsAt = { lon: shared().fill(0x7fffffff), lat: shared() };
  const place = [[{ key: "place" }]];
  const nodes = await readPbf(file, { ...guess, nodes: { ids: nodeIds, tags: place, coordsAt } }, { threads });
  if (rel.mixedBlocks || ways.mixedBlocks || nodes.mixedBlocks) throw new Error("blocks of several kinds");
  const found = coordsAt.lon.reduce((n, x) => (x === 0x7fffffff ? n : n + 1), 0);
  counts = { nodes: found + nodes.coords.size, ways: ways.wayTable!.ids.length, relations: rel.relations.length };
} else if (impl === "osm-pbf-parser") {
  // CommonJS stream transform emitting arrays of items.
  const parseOSM = createRequire(import.meta.url)("osm-pbf-parser") as () => NodeJS.ReadWriteStream;
  counts = { nodes: 0, ways: 0, relations: 0 };
  const c = counts;
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file).pipe(parseOSM());
    stream.on("data", (items: { type: string }[]) => {
      for (const it of items) count(c, it.type);
    });
    stream.on("end", resolve);
    stream.on("error", reject);
  });
} else if (impl === "osm-pbf-parser-node") {
  const { createOSMStream } = await import("osm-pbf-parser-node");
  counts = { nodes: 0, ways: 0, relations: 0 };
  for await (const it of createOSMStream(file, { withInfo: false }) as AsyncIterable<{ type?: string }>)
    count(counts, it.type);
} else {
  throw new Error(`unknown implementation ${impl}`);
}

function count(c: { nodes: number; ways: number; relations: number }, type: string | undefined): void {
  if (type === "node") c.nodes++;
  else if (type === "way") c.ways++;
  else if (type === "relation") c.relations++;
}

const ms = Math.round(performance.now() - started);
console.log(JSON.stringify({ impl, threads: threads ?? "default", ms, ...counts }));
