// The extract stage's glue: `check-extract` computes the input key of a region's extract (PBF sha256, extractor
// options, rules, extractor code: input-key.ts) and prints `true` when extracts/<key>/zones.jsonl.gz already
// exists (extract is skipped); `extract` runs `cosmo extract` with those same options, after checking that they
// still give the key its output will be stored under.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getConfig } from "../../core/config.ts";
import { CosmoError, InputError } from "../../core/errors.ts";
import { projectPath } from "../../core/paths.ts";
import { openStore } from "../../core/storage.ts";
import { type ExtractOptions, extractKey, normaliseExtractOptions } from "./input-key.ts";
import { runCosmo } from "./spawn-cosmo.ts";
import { explode, parseSummary } from "./summary.ts";

export const extractUrl = (bucket: string, key: string) => `s3://${bucket}/extracts/${key}/zones.jsonl.gz`;
/** The extract stats sidecar (written by `cosmo extract` next to its output; travels with it). */
export const sidecarUrl = (url: string) => `${url}.meta.json`;

/** The options as the templates pass them: strings, one per workflow parameter. */
export interface ExtractParams {
  countryCode?: string;
  disableVoronoi?: string;
  filterLangs?: string;
}

export function extractOptions(p: ExtractParams): ExtractOptions {
  const dv = (p.disableVoronoi ?? "false").trim().toLowerCase();
  if (dv !== "true" && dv !== "false")
    throw new InputError(`--disable-voronoi must be true or false, got "${p.disableVoronoi}"`);
  const cc = (p.countryCode ?? "").trim();
  if (cc && !/^[A-Za-z]{2}$/.test(cc))
    throw new InputError(`--country-code must be an ISO 3166-1 alpha-2 code or empty, got "${p.countryCode}"`);
  return normaliseExtractOptions({
    countryCode: cc,
    voronoi: dv === "false",
    filterLangs: (p.filterLangs ?? "").split(","),
  });
}

/** The key of the extract of `pbfSha256` with these options, the configured rules and this code. */
export function regionExtractKey(pbfSha256: string, options: ExtractOptions): string {
  return extractKey({ pbfSha256, options, rulesDir: projectPath(getConfig().data.rulesDir) });
}

export async function checkExtractStep(opts: ExtractParams & { fetched: string; bucket: string; outputs: string }) {
  const summary = parseSummary(opts.fetched, "--fetched");
  const sha256 = summary.sha256;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256))
    throw new InputError("fetch summary has no sha256", { object: opts.fetched.slice(0, 120) });
  const key = regionExtractKey(sha256, extractOptions(opts));
  explode({ sha256, etag: String(summary.etag ?? ""), key }, opts.outputs);
  const store = await openStore();
  process.stdout.write(`${(await store.exists(extractUrl(opts.bucket, key))) ? "true" : "false"}\n`);
}

export async function extractStep(
  opts: ExtractParams & { input: string; output: string; sha256: string; key: string; outputs?: string },
): Promise<void> {
  const options = extractOptions(opts);
  const key = regionExtractKey(opts.sha256, options);
  // The check and this step can run different images (a tag changed between them) or rules: then the output
  // would be stored under a key that does not describe it.
  if (key !== opts.key)
    throw new CosmoError(
      `extract: the input key ${key.slice(0, 12)}… of this step differs from the checked key ${opts.key.slice(0, 12)}… (code, rules or options changed between check and extract)`,
    );
  const args = ["extract", "-i", opts.input, "-o", opts.output];
  if (options.countryCode) args.push(`--country-code=${options.countryCode}`);
  if (!options.voronoi) args.push("--disable-voronoi");
  if (options.filterLangs.length) args.push(`--filter-langs=${options.filterLangs.join(",")}`);
  const summaryFile = opts.outputs ? join(opts.outputs, "extract-summary.json") : undefined;
  if (opts.outputs) mkdirSync(opts.outputs, { recursive: true });
  if (summaryFile) args.push("--summary-json", summaryFile);
  const run = await runCosmo(args);
  if (run.code !== 0) throw new CosmoError(`cosmo extract exited with ${run.code}`, { exitCode: run.code });
  // The zone count as an output parameter: the template's zones-extracted metric reads it.
  if (opts.outputs && summaryFile) {
    const summary = parseSummary(readFileSync(summaryFile, "utf8"), summaryFile);
    explode({ zoneCount: summary.zoneCount }, opts.outputs);
  }
}
