// A small pool of encode-worker.ts threads. Batches go round-robin; results are awaited in submission order by
// the caller, so the COPY stream keeps the file's order. Bad input found in a worker comes back as the same
// one-line InputError the single-threaded path gives.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Stats } from "../core/cosmogony/model.ts";
import type { ZoneText } from "../core/cosmogony/reader.ts";
import { CosmoError, InputError } from "../core/errors.ts";

export interface BatchRequest {
  seq: number;
  data: ArrayBuffer;
  /** start[i]..start[i+1] is zone i's bytes in data. */
  start: Int32Array;
  index: Int32Array;
  /** -1 when the format has no lines (.json). */
  line: Int32Array;
  offset: Float64Array;
}

export interface BatchResult {
  seq: number;
  out: ArrayBuffer;
  outOffset: number;
  outLength: number;
  ids: Float64Array;
  /** -1 for no parent. */
  parents: Float64Array;
  osmIds: string[];
  stats: Stats;
}

interface Failure {
  seq: number;
  error: string;
  exitCode?: number;
}

/**
 * Worker threads for an import of `bytes` bytes: none for small files (starting a thread costs more than it
 * saves), and only cores left over by the main thread and the PostgreSQL backend doing the COPY. Since the
 * geometry is read straight from the bytes (core/cosmogony/zone-text.ts) one thread keeps ahead of the backend; workers add CPU
 * (thread start-up, batch copies) that on 2 cores the backend needs (bench/import/load.bench.ts, docs/importer.md).
 */
export function encodeThreads(bytes: number, cores = availableParallelism()): number {
  if (bytes < 16 << 20) return 0;
  return Math.max(0, Math.min(4, cores - 2));
}

export class EncodePool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve(r: BatchResult): void; reject(e: Error): void }>();
  private seq = 0;
  private failed: Error | null = null;

  constructor(size: number, name: string) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL("./encode-worker-entry.mjs", import.meta.url), { workerData: { name } });
      w.on("message", (m: BatchResult | Failure) => this.settle(m));
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`encode worker exited with code ${code}`));
      });
      return w;
    });
  }

  submit(texts: ZoneText[]): Promise<BatchResult> {
    if (this.failed) return Promise.reject(this.failed);
    const n = texts.length;
    let total = 0;
    for (const t of texts) total += t.bytes.length;
    const data = new Uint8Array(total);
    const start = new Int32Array(n + 1);
    const index = new Int32Array(n);
    const line = new Int32Array(n);
    const offset = new Float64Array(n);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const t = texts[i];
      start[i] = pos;
      data.set(t.bytes, pos);
      pos += t.bytes.length;
      index[i] = t.index;
      line[i] = t.line ?? -1;
      offset[i] = t.offset;
    }
    start[n] = pos;
    const seq = this.seq++;
    const req: BatchRequest = { seq, data: data.buffer, start, index, line, offset };
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.workers[seq % this.workers.length].postMessage(req, [
        data.buffer,
        start.buffer,
        index.buffer,
        line.buffer,
        offset.buffer,
      ]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.fail(new Error("encode pool closed"));
  }

  private settle(m: BatchResult | Failure): void {
    const w = this.waiting.get(m.seq);
    if (!w) return;
    this.waiting.delete(m.seq);
    if ("error" in m)
      w.reject(m.exitCode === 2 ? new InputError(m.error) : new CosmoError(m.error, { exitCode: m.exitCode }));
    else w.resolve(m);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const [, w] of this.waiting) w.reject(e);
    this.waiting.clear();
  }
}
