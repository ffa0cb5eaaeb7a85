// A full garbage collection, now, on this thread. Why: ArrayBuffers and SharedArrayBuffers are external memory,
// which V8 frees only when a major collection runs; a thread that allocates little (a covers worker, the main
// thread during the labels) would keep buffers it let go — rings spilled to disk, a group's rings read back —
// resident for a long time. A SharedArrayBuffer is freed once every thread holding it has let it go.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/**
 * Bytes of typed arrays let go that are worth a full collection now (tens of ms on a small heap): below this, one
 * per batch of relations or per pass (thousands with small batches) would cost more than the memory it frees.
 */
export const WORTH_COLLECTING = 16 * 1024 ** 2;
