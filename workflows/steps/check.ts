// The extract step's explicit hash check: from the fetch summary, the input's sha256 (and ETag) become output
// parameters, and `true` is printed when extracts/<sha256>/zones.jsonl.gz already exists (extract is skipped).
import { InputError } from "../../core/errors.ts";
import { openStore } from "../../core/storage.ts";
import { extractUrl } from "./merge.ts";
import { explode, parseSummary } from "./summary.ts";

export async function checkExtractStep(opts: { fetched: string; bucket: string; outputs: string }): Promise<void> {
  const summary = parseSummary(opts.fetched, "--fetched");
  const sha256 = summary.sha256;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256))
    throw new InputError("fetch summary has no sha256", { object: opts.fetched.slice(0, 120) });
  explode({ sha256, etag: String(summary.etag ?? "") }, opts.outputs);
  const store = await openStore();
  process.stdout.write(`${(await store.exists(extractUrl(opts.bucket, sha256))) ? "true" : "false"}\n`);
}
