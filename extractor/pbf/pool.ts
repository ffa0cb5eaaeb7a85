// Decode workers, kept for the life of the process and shared by passes: the extract stage makes several
// passes and starting a worker (tsx loader + module graph) costs more than decoding a small file.
// Idle workers are unref'd so they never keep the process alive.
import { Worker } from "node:worker_threads";
import type { BlockFilter } from "./block.ts";
import { type BlobOutcome, processBlob } from "./process.ts";
import type { WorkerReply, WorkerRequest } from "./worker.ts";

interface Task {
  resolve(o: BlobOutcome): void;
  reject(e: Error): void;
}

export interface Decoder {
  /** peek: see processBlob. */
  decode(type: string, data: Uint8Array, peek: boolean): Promise<BlobOutcome>;
  close(): Promise<void>;
}

/** Decodes on the calling thread (threads = 0): for debugging and the single-thread micro-benchmarks. */
export function inlineDecoder(filter: BlockFilter): Decoder {
  return {
    async decode(type, data, peek) {
      return processBlob(type, data, filter, peek);
    },
    async close() {},
  };
}

class PooledWorker {
  readonly worker: Worker;
  /** Tasks in the order they were posted; a worker answers in that order. */
  readonly queue: Task[] = [];
  failure: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), {
      // Workers inherit the parent's flags, but some (e.g. --input-type of `node -e`) are refused there.
      execArgv: process.execArgv.filter((a) => !a.startsWith("--input-type")),
    });
    this.worker.unref();
    this.worker.on("message", (reply: WorkerReply) => {
      const task = this.queue.shift();
      if (this.queue.length === 0) this.worker.unref();
      if (!task) return;
      if ("error" in reply) task.reject(new Error(reply.error));
      else task.resolve(reply.outcome);
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const t of this.queue.splice(0)) t.reject(e);
    };
    this.worker.on("error", (e) => fail(new Error(`decode worker crashed: ${e.message}`)));
    this.worker.on("exit", (code) => fail(new Error(`decode worker exited (code ${code})`)));
  }

  post(req: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(req, transfer);
  }

  run(req: WorkerRequest & { kind: "blob" }): Promise<BlobOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<BlobOutcome>((resolve, reject) => {
      if (this.queue.length === 0) this.worker.ref(); // a reply is awaited: keep the process alive
      this.queue.push({ resolve, reject });
      this.post(req, [req.data.buffer as ArrayBuffer]);
    });
  }
}

const workers: PooledWorker[] = [];
let nextPass = 1;

function poolOf(threads: number): PooledWorker[] {
  // Replace crashed workers, then grow to the requested size.
  for (let i = workers.length - 1; i >= 0; i--) if (workers[i].failure) workers.splice(i, 1);
  while (workers.length < threads) workers.push(new PooledWorker());
  return workers.slice(0, threads);
}

export function workerPool(threads: number, filter: BlockFilter): Decoder {
  const pool = poolOf(threads);
  const pass = nextPass++;
  for (const w of pool) w.post({ kind: "pass", pass, filter });
  return {
    decode(type, data, peek) {
      let best = pool[0];
      for (const w of pool) if (w.queue.length < best.queue.length) best = w;
      return best.run({ kind: "blob", pass, type, data, peek });
    },
    async close() {
      for (const w of pool) if (!w.failure) w.post({ kind: "end", pass });
    },
  };
}

/** Stops the shared decode workers (they are unref'd, so this is only needed for a clean shutdown). */
export async function closePbfWorkers(): Promise<void> {
  const all = workers.splice(0);
  await Promise.all(
    all.map((w) => {
      w.worker.removeAllListeners("exit");
      return w.worker.terminate();
    }),
  );
}
