#!/usr/bin/env node
// Entry point installed as `cosmo`: runs the compiled CLI (dist/, see bin/build.mjs), never a stale one.
// When a source changed since the last build, it rebuilds first (esbuild: well under a second for the whole
// tree, once per edit), saying so on one line; stale code never runs. Only when it cannot rebuild (dist/ not
// writable, esbuild missing) does it run the sources through tsx (~2 s of compilation at every start), again
// saying why on one line.
import { build, compiledUrl, freshBuild, PROJECT_ROOT } from "./build.mjs";

const cli = `${PROJECT_ROOT}/cli.ts`;
let { dir, reason } = freshBuild();
if (!dir) {
  try {
    dir = await build();
    process.stderr.write(`cosmo: rebuilt dist/ (${reason})\n`);
  } catch (err) {
    process.stderr.write(
      `cosmo: running the TypeScript sources through tsx: ${reason}, and rebuilding failed: ${err.message}\n`,
    );
  }
}
if (dir) {
  // The workers and the compiled modules of this process come from the same build (core/run-worker.mjs).
  process.env.COSMO_BUILD_DIR = dir;
  // Stacks and error locations name the TypeScript sources, not the chunks.
  process.setSourceMapsEnabled(true);
  await import(compiledUrl(dir, cli));
} else {
  // Workers then run the sources too, not a build a parent cosmo process may have passed down.
  delete process.env.COSMO_BUILD_DIR;
  const { register } = await import("tsx/esm/api");
  register();
  await import("../cli.ts");
}
