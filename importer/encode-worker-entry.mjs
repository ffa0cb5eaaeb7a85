// Entry of the encode worker threads: registers tsx in the thread (loader hooks of the main thread do not reach
// workers), then runs the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./encode-worker.ts");
