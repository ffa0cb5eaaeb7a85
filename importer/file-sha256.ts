// A file's SHA-256 on a thread of its own: the import starts loading at once and the hash (a whole read of the
// file) runs beside the load instead of before it. Plain JavaScript evaluated in the worker: it needs nothing of
// the project, so it runs the same under the compiled CLI and from the sources.
import { Worker } from "node:worker_threads";

const HASH_IN_WORKER = `
const { createHash } = require("node:crypto");
const { createReadStream } = require("node:fs");
const { parentPort, workerData } = require("node:worker_threads");
const hash = createHash("sha256");
createReadStream(workerData, { highWaterMark: 1 << 20 })
  .on("data", (chunk) => hash.update(chunk))
  .on("error", (err) => { throw err; })
  .on("end", () => parentPort.postMessage(hash.digest("hex")));
`;

/**
 * The SHA-256 (hex) of the file at `path`, read and hashed in a worker thread. `signal` stops the worker (an
 * import that ends early must not wait for the hash of a file it no longer needs before the process can exit).
 */
export function sha256InWorker(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(HASH_IN_WORKER, { eval: true, workerData: path });
    let digest: string | undefined;
    const stop = () => {
      reject(signal?.reason);
      void worker.terminate();
    };
    signal?.addEventListener("abort", stop, { once: true });
    worker.once("message", (hex: string) => (digest = hex));
    worker.once("error", (err) => reject(new Error(`${path}: cannot hash the file: ${err.message}`, { cause: err })));
    worker.once("exit", (code) => {
      signal?.removeEventListener("abort", stop);
      if (digest !== undefined) resolve(digest);
      else reject(new Error(`${path}: the sha256 worker exited with code ${code} before hashing the file`));
    });
  });
}
