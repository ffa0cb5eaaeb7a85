// Covers-test worker (see covers-tester.ts): receives groups of tests (a container and the zones to test
// against it; their rings mostly views of the extractor's shared ring store) and answers which zones each
// container covers.
import { parentPort } from "node:worker_threads";
import { collectGarbage } from "./collect-garbage.ts";
import { PreparedCache, runGroups, type TestGroup } from "./covers-tester.ts";

/** forget: drop the indexed containers and collect garbage first (CoversPool.forgetContainers). */
export type CoversRequest = { groups: TestGroup[]; forget?: boolean };
export type CoversReply = { covered: Uint8Array[] } | { error: string };

const port = parentPort;
if (!port) throw new Error("extractor/covers-worker.ts must run in a worker thread");
const cache = new PreparedCache();

port.on("message", (req: CoversRequest) => {
  try {
    if (req.forget) {
      cache.clear();
      collectGarbage();
    }
    const covered = runGroups(cache, req.groups);
    port.postMessage(
      { covered } satisfies CoversReply,
      covered.map((c) => c.buffer as ArrayBuffer),
    );
  } catch (e) {
    port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies CoversReply);
  }
});
