// The merge step's glue: the merged file's key is the input key of the (sorted) extract keys and the merge
// code (input-key.ts), so an unchanged set of regional extracts is recognised without downloading anything;
// otherwise it runs `cosmo merge`. Each file's stats sidecar travels with it both ways.
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { CosmoError, InputError } from "../../core/errors.ts";
import type { ArtefactStore } from "../../core/storage.ts";
import { openStore } from "../../core/storage.ts";
import { extractUrl, sidecarUrl } from "./extract.ts";
import { mergeKey } from "./input-key.ts";
import { runCosmo } from "./spawn-cosmo.ts";
import { explode } from "./summary.ts";

export function parseKeyList(text: string): string[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new InputError("--keys is not a JSON list", { object: text.slice(0, 80) });
  }
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((s) => typeof s === "string" && /^[0-9a-f]{64}$/.test(s))
  ) {
    throw new InputError("--keys must be a non-empty JSON list of extract keys (sha256 hex strings)", {
      object: text.slice(0, 80),
    });
  }
  return list as string[];
}

export const mergedUrl = (bucket: string, hash: string) => `s3://${bucket}/merged/${hash}.jsonl.gz`;

/** Download `url` to `path`, and its sidecar next to it when there is one. */
async function download(store: ArtefactStore, url: string, path: string): Promise<void> {
  await pipeline(await store.get(url), createWriteStream(path));
  if (await store.exists(sidecarUrl(url)))
    await pipeline(await store.get(sidecarUrl(url)), createWriteStream(sidecarUrl(path)));
}

export async function mergeStep(opts: { bucket: string; keys: string; outputs: string }): Promise<void> {
  const keys = [...new Set(parseKeyList(opts.keys))].sort();
  const hash = mergeKey(keys);
  const url = mergedUrl(opts.bucket, hash);
  const store = await openStore();
  if (await store.exists(url)) {
    explode({ url, hash, skipped: true }, opts.outputs);
    process.stdout.write(`${JSON.stringify({ url, hash, skipped: true })}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "cosmo-merge-"));
  try {
    const locals: string[] = [];
    for (const [i, key] of keys.entries()) {
      const src = extractUrl(opts.bucket, key);
      if (!(await store.exists(src)))
        throw new CosmoError(`merge: ${src} not found (was region ${key.slice(0, 12)} extracted?)`);
      const local = join(dir, `extract-${i}.jsonl.gz`);
      await download(store, src, local);
      locals.push(local);
    }
    const out = join(dir, "merged.jsonl.gz");
    const run = await runCosmo(["merge", ...locals, "-o", out], { echo: false });
    if (run.code !== 0) throw new CosmoError(`cosmo merge exited with ${run.code}`, { exitCode: run.code });
    // The sidecar first: a reader that finds the merged key finds its stats too.
    if (existsSync(sidecarUrl(out)))
      await store.put(sidecarUrl(url), createReadStream(sidecarUrl(out)), { contentType: "application/json" });
    await store.put(url, createReadStream(out));
    explode({ url, hash, skipped: false }, opts.outputs);
    process.stdout.write(`${JSON.stringify({ url, hash, skipped: false })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
