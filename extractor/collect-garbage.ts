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

/**
 * Bytes of work that leaves garbage behind (blobs decoded, relations moved to disk), counted until a collection is
 * due. Why: V8 lets its old generation grow to several times what was live at its last major collection before it
 * collects again, so a thread that makes garbage steadily grows by hundreds of MB under a budget that has no room
 * for it; collected every `every` bytes, it stays near what is live.
 */
export class GarbageCounter {
  private since = 0;

  constructor(
    private readonly every: number,
    private readonly collect: () => void = collectGarbage,
  ) {}

  /** Counts `bytes`; collects when `every` bytes were counted since the last collection. */
  add(bytes: number): void {
    this.since += bytes;
    if (this.since >= this.every) this.collectNow();
  }

  /** The end of a phase: collects when `atLeast` bytes were counted since the last collection, or when `force`. */
  end(atLeast: number, force = false): void {
    if (force || (this.since > 0 && this.since >= atLeast)) this.collectNow();
  }

  private collectNow(): void {
    this.collect();
    this.since = 0;
  }
}
