// Worker bootstrap (plain JavaScript: worker threads do not inherit the parent's loader): runs ./covers-worker.ts, compiled
// under the compiled CLI, through tsx from the sources (see core/run-worker.mjs).
import { runWorker } from "../core/run-worker.mjs";

await runWorker(import.meta.url, "./covers-worker.ts");
