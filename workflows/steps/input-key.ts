// The key under which a pipeline stage's output is stored and by which the stage is skipped: the hash of every
// input that can change the output's bytes. Reused for Argo `memoize` keys later, so it lives in one place.
//
// Recipe (version 1): sha256 of the canonical JSON (keys sorted, no spaces) of
//   { recipe: "cosmo-input-key/1", stage, inputs, options, data, code }
// - inputs:  the content hashes of the input files (e.g. the PBF's sha256, the extract keys a merge reads);
// - options: the stage options that change the output (country code, Voronoi, label languages), normalised so
//            that spellings of the same choice give the same key;
// - data:    tree hashes of the data folders the stage reads (the libpostal rules);
// - code:    the code version (codeVersion below).
// Anything not in the key (threads, log level, the bucket) must not change the output's bytes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { InputError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";

export const KEY_RECIPE = "cosmo-input-key/1";

/**
 * The source folders whose files make up a stage's code. Whole folders rather than an import graph: a stage
 * reads SQL files and starts workers by path, which an import graph misses, and re-running a stage after an
 * unrelated edit in core/ costs time while reusing a stale output costs correctness.
 */
export const STAGE_SOURCES = {
  extract: ["extractor", "core"],
  merge: ["extractor", "core"],
  // The renderer reads the importer's zoom bands and the loaded dataset's tables (importer's SQL).
  "export-tiles": ["tiles", "importer", "core"],
} as const;
export type KeyedStage = keyof typeof STAGE_SOURCES;

/** Files that are code: what the images ship (docker/*.Dockerfile copy the tree minus .dockerignore). */
function isSource(name: string): boolean {
  return /\.(ts|mjs|js|sql|json)$/.test(name) && !name.endsWith(".test.ts");
}

function listFiles(dir: string, root: string, filter: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      // test folders, dependencies and dotfiles are not in the images (.dockerignore), so not in the key either.
      if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "test") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && filter(e.name)) out.push(p);
    }
  };
  walk(dir);
  // Relative paths with "/" so the same tree hashes the same in a checkout and in an image (/app).
  return out.map((p) => relative(root, p).split(sep).join("/")).sort();
}

/** sha256 over the sorted relative paths and contents of the files under `dirs` (relative to `root`). */
export function treeHash(
  root: string,
  dirs: readonly string[],
  filter: (name: string) => boolean = () => true,
): string {
  const h = createHash("sha256");
  for (const d of dirs) {
    const abs = join(root, d);
    if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory())
      throw new InputError("folder not found (needed for the input key)", { file: abs });
    for (const rel of listFiles(abs, root, filter)) {
      const body = readFileSync(join(root, rel));
      h.update(`${rel}\0${body.length}\0`).update(body);
    }
  }
  return h.digest("hex");
}

/**
 * A stage's code version: the package version, plus the hash of package-lock.json (dependency versions) and
 * of the stage's source files. Computed when the step runs, from the files present: a checkout and an image
 * built from it give the same value (the images copy the sources as they are; the key hashes them, never the
 * dist/ compiled from them), and any edit changes it even when nobody bumps the package version.
 */
export function codeVersion(stage: KeyedStage, root: string = PROJECT_ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string };
  const lock = createHash("sha256")
    .update(readFileSync(join(root, "package-lock.json")))
    .digest("hex");
  return `${pkg.version ?? "0"}+${createHash("sha256")
    .update(`${lock}\n${treeHash(root, STAGE_SOURCES[stage], isSource)}`)
    .digest("hex")
    .slice(0, 16)}`;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface KeyParts {
  stage: string;
  inputs: Record<string, string | string[]>;
  options: Record<string, unknown>;
  data: Record<string, string>;
  code: string;
}

/** The input key: sha256 hex of the recipe over `parts` (see the top of this file). */
export function inputKey(parts: KeyParts): string {
  return createHash("sha256")
    .update(canonicalJson({ recipe: KEY_RECIPE, ...parts }))
    .digest("hex");
}

/** The extractor options the pipeline sets, normalised as `cosmo extract` reads them. */
export interface ExtractOptions {
  /** "" or undefined = found from the data. */
  countryCode?: string;
  voronoi: boolean;
  filterLangs: string[];
}

export function normaliseExtractOptions(o: ExtractOptions): ExtractOptions {
  return {
    countryCode: o.countryCode?.trim().toLowerCase() || undefined,
    voronoi: o.voronoi,
    // Order kept: it is the order the labels are written in.
    filterLangs: o.filterLangs.map((s) => s.trim()).filter(Boolean),
  };
}

/** `extracts/<key>/zones.jsonl.gz`'s key: the PBF, the options, the rules and the extractor's code. */
export function extractKey(opts: {
  pbfSha256: string;
  options: ExtractOptions;
  rulesDir: string;
  root?: string;
}): string {
  return inputKey({
    stage: "extract",
    inputs: { pbf: opts.pbfSha256 },
    options: { ...normaliseExtractOptions(opts.options) },
    data: { rules: treeHash(opts.rulesDir, ["."]) },
    code: codeVersion("extract", opts.root),
  });
}

/** `merged/<key>.jsonl.gz`'s key: the set of extract keys merged and the merge code. */
export function mergeKey(extractKeys: string[], root?: string): string {
  return inputKey({
    stage: "merge",
    inputs: { extracts: [...new Set(extractKeys)].sort() },
    options: {},
    data: {},
    code: codeVersion("merge", root),
  });
}

/** The tile export options that change the archive's bytes. */
export interface ExportTilesOptions {
  minZoom: number;
  maxZoom: number;
  /** The label languages the renderer writes (config tiles.languages). */
  languages: string[];
}

/**
 * `tiles/<version>/<key>.pmtiles`'s key: the dataset's content (the merged file's key: an identical file
 * imports as the same version), the zooms and languages, and the renderer's code.
 */
export function exportTilesKey(opts: { datasetHash: string; options: ExportTilesOptions; root?: string }): string {
  return inputKey({
    stage: "export-tiles",
    inputs: { dataset: opts.datasetHash },
    options: { ...opts.options },
    data: {},
    code: codeVersion("export-tiles", opts.root),
  });
}
