// Worker thread of the parallel load (encode-pool.ts): parses, validates and COPY-encodes batches of zone texts.
// Parsing (core/cosmogony/zone-text.ts) is most of an import's client CPU; where cores are left over (encodeThreads), spreading
// it over threads keeps the main thread (reading, splitting, id/parent checks, feeding COPY) ahead of the database.
import { parentPort, workerData } from "node:worker_threads";
import { StatsAccumulator } from "../core/cosmogony/model.ts";
import { ZoneTextParser } from "../core/cosmogony/zone-text.ts";
import { CosmoError } from "../core/errors.ts";
import { BinaryCopyEncoder } from "./copy-binary.ts";
import type { BatchRequest, BatchResult } from "./encode-pool.ts";

const name = (workerData as { name: string }).name;
const port = parentPort;
if (!port) throw new Error("encode-worker.ts runs as a worker thread");
const parser = new ZoneTextParser(name);

port.on("message", (req: BatchRequest) => {
  try {
    // one slab for the batch (its rows take about as much room as their JSON; it grows if needed), transferred whole
    const encoder = new BinaryCopyEncoder(false, Math.max(1 << 16, req.data.byteLength));
    const stats = new StatsAccumulator();
    const n = req.index.length;
    const ids = new Float64Array(n);
    const parents = new Float64Array(n);
    const osmIds: string[] = new Array(n);
    const data = Buffer.from(req.data);
    for (let i = 0; i < n; i++) {
      const line = req.line[i];
      const { zone, flat, labels } = parser.parse({
        bytes: data.subarray(req.start[i], req.start[i + 1]),
        index: req.index[i],
        line: line < 0 ? undefined : line,
        offset: req.offset[i],
      });
      encoder.addZone(zone, flat, labels);
      stats.add(zone);
      ids[i] = zone.id;
      parents[i] = zone.parent ?? -1;
      osmIds[i] = zone.osm_id;
    }
    const out = encoder.take(true) ?? Buffer.alloc(0);
    const res: BatchResult = {
      seq: req.seq,
      out: out.buffer as ArrayBuffer,
      outOffset: out.byteOffset,
      outLength: out.length,
      ids,
      parents,
      osmIds,
      stats: stats.stats,
    };
    port.postMessage(res, [res.out, ids.buffer, parents.buffer]);
  } catch (e) {
    const err = e as Error;
    port.postMessage({ seq: req.seq, error: err.message, exitCode: e instanceof CosmoError ? e.exitCode : undefined });
  }
});
