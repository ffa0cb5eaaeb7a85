// The merge step's glue: the merged file's key is the hash of the (sorted) input hashes, so an unchanged
// set of regional inputs is recognised without downloading anything; otherwise it runs `cosmo merge`.
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CosmoError, InputError } from "../../core/errors.ts";
import { openStore } from "../../core/storage.ts";
import { runCosmo } from "./spawn-cosmo.ts";
import { explode } from "./summary.ts";

export function parseSha256List(text: string): string[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new InputError("--sha256s is not a JSON list", { object: text.slice(0, 80) });
  }
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((s) => typeof s === "string" && /^[0-9a-f]{64}$/.test(s))
  ) {
    throw new InputError("--sha256s must be a non-empty JSON list of sha256 hex strings", {
      object: text.slice(0, 80),
    });
  }
  return list as string[];
}

export function mergedHash(sha256s: string[]): string {
  return createHash("sha256")
    .update([...new Set(sha256s)].sort().join("\n"))
    .digest("hex");
}

export const extractUrl = (bucket: string, sha: string) => `s3://${bucket}/extracts/${sha}/zones.jsonl.gz`;
export const mergedUrl = (bucket: string, hash: string) => `s3://${bucket}/merged/${hash}.jsonl.gz`;

export async function mergeStep(opts: { bucket: string; sha256s: string; outputs: string }): Promise<void> {
  const shas = [...new Set(parseSha256List(opts.sha256s))].sort();
  const hash = mergedHash(shas);
  const url = mergedUrl(opts.bucket, hash);
  const store = await openStore();
  if (await store.exists(url)) {
    explode({ url, hash, skipped: true }, opts.outputs);
    process.stdout.write(`${JSON.stringify({ url, hash, skipped: true })}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "cosmo-merge-"));
  const locals: { path: string; cleanup(): Promise<void> }[] = [];
  try {
    for (const sha of shas) {
      const src = extractUrl(opts.bucket, sha);
      if (!(await store.exists(src)))
        throw new CosmoError(`merge: ${src} not found (was region ${sha.slice(0, 12)} extracted?)`);
      locals.push(await store.toLocalFile(src));
    }
    const out = join(dir, "merged.jsonl.gz");
    const run = await runCosmo(["merge", ...locals.map((l) => l.path), "-o", out], { echo: false });
    if (run.code !== 0) throw new CosmoError(`cosmo merge exited with ${run.code}`, { exitCode: run.code });
    await store.put(url, createReadStream(out));
    explode({ url, hash, skipped: false }, opts.outputs);
    process.stdout.write(`${JSON.stringify({ url, hash, skipped: false })}\n`);
  } finally {
    for (const l of locals) await l.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
