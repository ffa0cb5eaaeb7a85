// Decode worker: receives serialized blobs, inflates and decodes them with the pass's filter applied, and
// posts back only the kept elements (coordinates as transferred typed arrays). Workers outlive one pass
// (starting one costs ~100 ms of loader work), so each pass registers its filter under an id first.
import { parentPort } from "node:worker_threads";
import { collectGarbage, WORTH_COLLECTING } from "../collect-garbage.ts";
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
 * Bytes of blobs (as read, compressed) this thread decoded since it last collected its garbage. Why count them:
 * a blob's decode leaves its inflated bytes and the elements made of them behind, and V8 lets an old generation
 * of such garbage grow to hundreds of MB before collecting it (~350 MB in the two workers after pass 1 of GRID 24,
 * kept through every later batch).
 */
let decodedSinceCollection = 0;

function collectNow(): void {
  collectGarbage();
  decodedSinceCollection = 0;
}

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
    if ((ended && sharedBytes(ended) >= WORTH_COLLECTING) || decodedSinceCollection >= WORTH_COLLECTING / 4)
      collectNow();
    return;
  }
  try {
    const filter = filters.get(req.pass);
    if (!filter) throw new Error(`unknown pass ${req.pass}`);
    const outcome = processBlob(req.type, req.data, filter, req.peek);
    port.postMessage({ outcome } satisfies WorkerReply, transferables(outcome));
    if (outcome.kind === "data") decodedSinceCollection += req.data.byteLength;
    if (decodedSinceCollection >= WORTH_COLLECTING) collectNow();
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
