// The release archive's glue. `check-export` computes the input key of a dataset version's PMTiles archive
// (the dataset's content, zooms, languages, renderer code: input-key.ts) and prints `true` when
// tiles/<version>/<key>.pmtiles is already stored (the export is skipped); `export-tiles` runs `cosmo tiles
// export` after checking that its options still give that key; `publish-tiles`, once the version is served,
// copies its archive to the stable `<data.publicDir>/tiles/latest.pmtiles` and removes the archives of the
// versions the importer no longer keeps (import.keepVersions).
import { getConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db.ts";
import { CosmoError, InputError } from "../../core/errors.ts";
import { openStore } from "../../core/storage.ts";
import { publicPath } from "../../dashboard/output.ts";
import { listDatasets } from "../../importer/publish.ts";
import { type ExportTilesOptions, exportTilesKey } from "./input-key.ts";
import { runCosmo } from "./spawn-cosmo.ts";
import { explode } from "./summary.ts";

/** Where the archive of dataset `version` under input key `key` is stored. */
export const archiveUrl = (bucket: string, version: number, key: string) =>
  `s3://${bucket}/tiles/${version}/${key}.pmtiles`;
const ARCHIVE_KEY = /\/tiles\/(\d+)\/[0-9a-f]{64}\.pmtiles$/;

/** The stable key of the served version's archive (static hosting: the explorer reads it with range requests). */
export const latestArchiveUrl = () => `${publicPath(getConfig(), "tiles").replace(/\/+$/, "")}/latest.pmtiles`;

/** The options as the templates pass them (strings). */
export interface ExportParams {
  version: string;
  hash: string;
  minZoom: string;
  maxZoom: string;
}

function parseExport(p: ExportParams): { version: number; hash: string; options: ExportTilesOptions } {
  const version = Number(p.version);
  if (!Number.isInteger(version) || version <= 0)
    throw new InputError(`--version must be a dataset version (a positive integer), got "${p.version}"`);
  if (!/^[0-9a-f]{64}$/.test(p.hash)) throw new InputError(`--hash must be a merged key (sha256 hex), got "${p.hash}"`);
  const zoom = (name: string, text: string) => {
    const z = Number(text);
    if (!Number.isInteger(z) || z < 0 || z > 22) throw new InputError(`--${name} must be a zoom 0–22, got "${text}"`);
    return z;
  };
  const minZoom = zoom("min-zoom", p.minZoom);
  const maxZoom = zoom("max-zoom", p.maxZoom);
  if (minZoom > maxZoom) throw new InputError(`--min-zoom ${minZoom} is above --max-zoom ${maxZoom}`);
  return { version, hash: p.hash, options: { minZoom, maxZoom, languages: [...getConfig().tiles.languages] } };
}

function keyOf(p: ExportParams): { version: number; key: string; options: ExportTilesOptions } {
  const { version, hash, options } = parseExport(p);
  return { version, key: exportTilesKey({ datasetHash: hash, options }), options };
}

export async function checkExportStep(opts: ExportParams & { bucket: string; outputs: string }): Promise<void> {
  const { version, key } = keyOf(opts);
  const url = archiveUrl(opts.bucket, version, key);
  explode({ key, url }, opts.outputs);
  const store = await openStore();
  process.stdout.write(`${(await store.exists(url)) ? "true" : "false"}\n`);
}

export async function exportTilesStep(opts: ExportParams & { key: string; output: string }): Promise<void> {
  const { version, key, options } = keyOf(opts);
  // As for extracts: check and export may run different images; the archive must be stored under its own key.
  if (key !== opts.key)
    throw new CosmoError(
      `export-tiles: the input key ${key.slice(0, 12)}… of this step differs from the checked key ${opts.key.slice(0, 12)}… (code, languages or zooms changed between check and export)`,
    );
  const args = ["tiles", "export", "--dataset", String(version), "-o", opts.output];
  args.push("--min-zoom", String(options.minZoom), "--max-zoom", String(options.maxZoom));
  const run = await runCosmo(args);
  if (run.code !== 0) throw new CosmoError(`cosmo tiles export exited with ${run.code}`, { exitCode: run.code });
}

/**
 * Copies the served version's archive to the latest key, then removes the stored archives of versions that are
 * no longer loaded (pruned by the publish, or failed): retention follows import.keepVersions.
 */
export async function publishTilesStep(opts: { archive: string; bucket: string }): Promise<{
  latest: string;
  removed: string[];
}> {
  const match = ARCHIVE_KEY.exec(opts.archive);
  if (!opts.archive.startsWith(`s3://${opts.bucket}/`) || !match)
    throw new InputError(`--archive must be s3://${opts.bucket}/tiles/<version>/<key>.pmtiles, got "${opts.archive}"`);
  const store = await openStore();
  if (!(await store.exists(opts.archive))) throw new InputError("no such archive", { file: opts.archive });
  const db = await openDatabase();
  let loaded: Set<number>;
  try {
    const rows = await listDatasets(db.pool);
    const served = rows.find((r) => r.served)?.version;
    if (served !== Number(match[1]))
      throw new CosmoError(
        `publish-tiles: ${opts.archive} is the archive of version ${match[1]}, but version ${served ?? "(none)"} is served`,
      );
    loaded = new Set(rows.filter((r) => r.status === "ready" || r.status === "published").map((r) => r.version));
  } finally {
    await db.close();
  }
  const latest = latestArchiveUrl();
  await store.put(latest, await store.get(opts.archive), { contentType: "application/vnd.pmtiles" });
  const removed: string[] = [];
  for (const o of await store.list(`s3://${opts.bucket}/tiles/`)) {
    const m = ARCHIVE_KEY.exec(o.url);
    if (m && !loaded.has(Number(m[1]))) {
      await store.remove(o.url);
      removed.push(o.url);
    }
  }
  return { latest, removed };
}
