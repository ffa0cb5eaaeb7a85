// Geometry text worker (see geometry-texts.ts): receives a batch of geometries (their rings mostly views of
// the extractor's shared ring store) and sends back their JSON text in one buffer.
import { parentPort } from "node:worker_threads";
import { type GeometryTextReply, type GeometryTextRequest, geometryTexts } from "./geometry-texts.ts";

const port = parentPort;
if (!port) throw new Error("extractor/geometry-texts-worker.ts must run in a worker thread");

/** Buffers the writing thread has handed back, to write the next batches into. */
const spare: ArrayBuffer[] = [];

/** A spare buffer of at least n bytes (the largest are kept), else a new one with some room to spare. */
function room(n: number): ArrayBuffer {
  const i = spare.findIndex((b) => b.byteLength >= n);
  if (i >= 0) return spare.splice(i, 1)[0];
  return new ArrayBuffer(Math.max(n + (n >> 2), 1 << 20));
}

port.on("message", (req: GeometryTextRequest) => {
  try {
    spare.push(...req.spare);
    const batch = geometryTexts(req.geometries, room);
    const transfer = [
      batch.bytes.buffer as ArrayBuffer,
      batch.starts.buffer as ArrayBuffer,
      batch.ends.buffer as ArrayBuffer,
    ];
    port.postMessage({ seq: req.seq, ...batch } satisfies GeometryTextReply, transfer);
  } catch (e) {
    port.postMessage({ seq: req.seq, error: (e as Error).stack ?? String(e) } satisfies GeometryTextReply);
  }
});
