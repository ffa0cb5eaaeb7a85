// Covers-test worker (see covers-tester.ts): receives groups of tests (a container and the zones to test
// against it, packed in one transferred buffer) and answers which zones each container covers, sending the
// buffer back.
import { parentPort } from "node:worker_threads";
import { PreparedCache, runGroups, type TestGroup } from "./covers-tester.ts";

/** `buffer`: the one the groups' vertices are in, sent back with the reply to be reused. */
export type CoversRequest = { groups: TestGroup[]; buffer: ArrayBuffer };
export type CoversReply = { covered: Uint8Array[]; buffer: ArrayBuffer } | { error: string };

const port = parentPort;
if (!port) throw new Error("extractor/covers-worker.ts must run in a worker thread");
const cache = new PreparedCache(true);

port.on("message", (req: CoversRequest) => {
  try {
    const covered = runGroups(cache, req.groups);
    const transfer = [req.buffer, ...covered.map((c) => c.buffer as ArrayBuffer)];
    port.postMessage({ covered, buffer: req.buffer } satisfies CoversReply, transfer);
  } catch (e) {
    port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies CoversReply);
  }
});
