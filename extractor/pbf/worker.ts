// Decode worker: receives serialized blobs, inflates and decodes them with the pass's filter applied, and
// posts back only the kept elements (coordinates as transferred typed arrays). Workers outlive one pass
// (starting one costs ~100 ms of loader work), so each pass registers its filter under an id first.
import { parentPort } from "node:worker_threads";
import { GarbageCounter, WORTH_COLLECTING } from "../collect-garbage.ts";
import type { BlockFilter } from "./block.ts";
import { processBlob, transferables } from "./process.ts";

export type WorkerRequest =
  | { kind: "pass"; pass: number; filter: BlockFilter }
  | { kind: "end"; pass: number }
  | { kind: "blob"; pass: number; type: string; data: Uint8Array; peek: boolean };
export type WorkerReply = { outcome: ReturnType<typeof processBlob> } | { error: string };

const port = parentPort;
if (!port) throw new Error("extractor/pbf/worker.ts must run in a worker thread");
const filters = new Map<number, BlockFilter>();
/**
 * Blobs decoded (bytes as read, compressed) since this thread last collected its garbage. Why: a blob's decode leaves
 * its inflated bytes and the elements made of them behind (~350 MB in the two workers after pass 1 of GRID 24, kept
 * through every later batch before they were counted).
 */
const decoded = new GarbageCounter(WORTH_COLLECTING);

port.on("message", (req: WorkerRequest) => {
  if (req.kind === "pass") {
    filters.set(req.pass, req.filter);
    return;
  }
  if (req.kind === "end") {
    const ended = filters.get(req.pass);
    filters.delete(req.pass);
    // The pass's id sets and coordinate arrays are SharedArrayBuffers, freed only once every thread holding them has
    // collected them: without a major collection here, each pass's (tens of MB a batch of relations) stayed resident.
    // The pass's decode garbage too, when there is some: the worker may idle through the steps that follow.
    decoded.end(WORTH_COLLECTING / 4, ended !== undefined && sharedBytes(ended) >= WORTH_COLLECTING);
    return;
  }
  try {
    const filter = filters.get(req.pass);
    if (!filter) throw new Error(`unknown pass ${req.pass}`);
    const outcome = processBlob(req.type, req.data, filter, req.peek);
    port.postMessage({ outcome } satisfies WorkerReply, transferables(outcome));
    if (outcome.kind === "data") decoded.add(req.data.byteLength);
  } catch (e) {
    port.postMessage({ error: (e as Error).message } satisfies WorkerReply);
  }
});

/** Bytes of the shared arrays a pass's filter holds (its id sets, the arrays the coordinates go to). */
function sharedBytes(filter: BlockFilter): number {
  const ids = (a: Float64Array | "all" | null) => (a === null || a === "all" ? 0 : a.byteLength);
  const at = filter.nodeCoordsAt;
  return ids(filter.ways) + ids(filter.nodeIds) + (at ? at.lon.byteLength + at.lat.byteLength : 0);
}
