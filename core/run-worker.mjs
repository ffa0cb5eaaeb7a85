// Bootstrap of every worker thread (the `*worker-entry.mjs` files), in plain JavaScript: worker threads do not
// inherit the parent's module loader. Under the compiled CLI (bin/cosmo.js sets COSMO_BUILD_DIR) the worker
// runs its compiled module from the parent's own build; from the sources (tsx, vitest) it registers tsx here
// and runs the TypeScript. bin/build.mjs finds the worker modules by these calls.
import { fileURLToPath } from "node:url";
import { compiledUrl } from "../bin/build.mjs";

/** `await runWorker(import.meta.url, "./worker.ts")`: run the worker module named relative to the bootstrap. */
export async function runWorker(entryUrl, modulePath) {
  const source = new URL(modulePath, entryUrl);
  const build = process.env.COSMO_BUILD_DIR;
  if (build) return import(compiledUrl(build, fileURLToPath(source)));
  const { register } = await import("tsx/esm/api");
  register();
  return import(source.href);
}
