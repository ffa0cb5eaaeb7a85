// Geometry text worker (see geometry-texts.ts): receives a batch of geometries (their rings mostly views of
// the extractor's shared ring store) and sends back their JSON text in one buffer.
import { parentPort } from "node:worker_threads";
import { type GeometryTextReply, type GeometryTextRequest, geometryTexts } from "./geometry-texts.ts";

const port = parentPort;
if (!port) throw new Error("extractor/geometry-texts-worker.ts must run in a worker thread");

port.on("message", (req: GeometryTextRequest) => {
  try {
    const batch = geometryTexts(req.geometries);
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
