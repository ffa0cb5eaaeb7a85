// `cosmo import`: one zones file → one new dataset version (schema zones_v<N>), optionally published.
// Safety: everything happens in the new schema while its dataset row says 'loading'; the served dataset is
// only touched by publishVersion(). A failed import drops its schema; a killed one is cleaned up by the next.

import { stat } from "node:fs/promises";
import { getConfig } from "../core/config.ts";
import { detectFormat } from "../core/cosmogony/format.ts";
import type { Database } from "../core/db.ts";
import { InputError } from "../core/errors.ts";
import { childLogger } from "../core/log.ts";
import { startProgress } from "../core/progress.ts";
import { type ArtefactStore, localFile } from "../core/storage.ts";
import {
  cleanupStaleLoads,
  createDatasetRow,
  type DatasetRow,
  discardVersion,
  ensureMetaSchema,
  findBySha256,
  markFailed,
  pruneVersions,
  setSha256,
  withImportLock,
} from "./datasets.ts";
import { sha256InWorker } from "./file-sha256.ts";
import { loadZones, NO_ZONES_WHY } from "./load.ts";
import { buildLookup } from "./lookup.ts";
import { type PostLoadTimings, postLoad } from "./post-load.ts";
import { type Gate, type PublishResult, publishVersion, servedVersion } from "./publish.ts";

const log = childLogger("importer");

export interface ImportOptions {
  publish?: boolean;
  force?: boolean;
  forcedBy?: string;
  reason?: string;
  /** The publish gate (the CLI passes dashboard/gate.ts#evaluateGate). */
  gate?: Gate;
  keepVersions?: number;
  /** Show a progress bar / progress log lines (default true). */
  progress?: boolean;
  /** Worker threads for parsing/encoding (default: by file size, see encodeThreads). */
  threads?: number;
  /** Store for s3:// sources (default: openStore() on the process config). */
  store?: ArtefactStore;
  /** How the file's SHA-256 is computed (default: sha256InWorker, beside the load; stopped by `signal`). */
  sha256?: (path: string, signal: AbortSignal) => Promise<string>;
}

export interface ImportResult {
  version: number;
  skipped: boolean;
  zoneCount: number;
  sha256: string;
  published?: boolean;
  timings?: {
    loadMs: number;
    totalMs: number;
    lookupMs: number;
    lookupPieces: number;
    lookupBytes: number;
  } & PostLoadTimings;
  rawBytes?: number;
  publish?: PublishResult;
  /** One line for humans. */
  summary: string;
}

/** A step's "… done" line, as the steps after the load log theirs (bench-import-whole prints them all). */
function logStep(step: string, since: number): void {
  log.info({ step, seconds: Number(((performance.now() - since) / 1000).toFixed(2)) }, `${step} done`);
}

function identical(source: string, existing: DatasetRow, sha256: string): ImportResult {
  return {
    version: existing.version,
    skipped: true,
    zoneCount: existing.zone_count ?? 0,
    sha256,
    summary: `${source} is identical to dataset version ${existing.version} (sha256 ${sha256.slice(0, 12)}…): nothing imported`,
  };
}

export async function importZonesFile(db: Database, source: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const t0 = performance.now();
  detectFormat(source); // an unknown suffix fails before anything else
  await ensureMetaSchema(db.pool);
  // s3:// objects are downloaded once: hashed, then read
  const local = await localFile(source, { store: opts.store });
  // an import that ends before its file is hashed (bad input, a database error) stops the hash
  const stopHash = new AbortController();
  try {
    const { size } = await stat(local.path);
    if (size === 0) throw new InputError(`the file is empty (0 bytes): ${NO_ZONES_WHY}`, { file: source });
    // The hash (a whole read of the file) runs on a thread of its own beside the load rather than before it;
    // a file identical to a loaded version is then found while it loads, and that load is stopped and undone.
    const tHash = performance.now();
    const hashing = (opts.sha256 ?? sha256InWorker)(local.path, stopHash.signal).then((hex) => {
      logStep("sha256", tHash);
      return hex;
    });
    hashing.catch(() => undefined); // awaited below; a failure is the import's
    const keep = opts.keepVersions ?? getConfig().import.keepVersions;
    const publishOpts = {
      force: opts.force,
      forcedBy: opts.forcedBy,
      reason: opts.reason,
      gate: opts.gate,
      keepVersions: keep,
    };

    const result = await withImportLock(db.pool, async (client): Promise<ImportResult> => {
      const cleaned = await cleanupStaleLoads(client);
      if (cleaned.length) log.warn({ versions: cleaned }, "removed the remains of interrupted imports");

      // the duplicate check runs on another connection while this one loads; a pool of one hashes first
      const others = (db.pool.options.max ?? 10) > 1 ? db.pool : undefined;
      if (!others) {
        const sha256 = await hashing;
        const existing = await findBySha256(client, sha256);
        if (existing) return identical(source, existing, sha256);
      }

      const row = await createDatasetRow(client, source, others ? "" : await hashing);
      const stopLoad = new AbortController();
      // the newest loaded version of the same file, if any (then the load is stopped): known once hashed
      const sameFile = others
        ? hashing.then(async (sha256) => {
            await setSha256(others, row.version, sha256);
            const existing = await findBySha256(others, sha256);
            if (existing) stopLoad.abort(new Error(`identical to dataset version ${existing.version}`));
            return existing;
          })
        : Promise.resolve(null);
      sameFile.catch(() => undefined); // awaited below
      const progress =
        opts.progress === false ? null : startProgress({ label: `import v${row.version}`, unit: "zones" });
      try {
        const tLoad = performance.now();
        let readBytes = 0;
        let readZones = 0;
        const loading = loadZones(client, row.schema_name, local.path, {
          name: source,
          onZones: (n, bytes) => {
            if (!progress) return;
            progress.tick(n, bytes);
            // the zone count is unknown until the end: estimate it from the share of the file read so far
            readBytes += bytes;
            readZones += n;
            if (readBytes > 0) progress.setTotal(Math.max(readZones, Math.round((readZones * size) / readBytes)));
          },
          threads: opts.threads,
          signal: stopLoad.signal,
        });
        // a load stopped for being a duplicate is not a failure: its transaction is rolled back, its row goes
        const loaded = await loading.catch((e) => {
          if (stopLoad.signal.aborted) return null;
          throw e;
        });
        const existing = await sameFile;
        const sha256 = await hashing;
        progress?.stop();
        if (existing) {
          await discardVersion(client, row);
          return identical(source, existing, sha256);
        }
        if (!loaded) throw new Error("the load was stopped without a loaded version of the same file");
        const loadMs = performance.now() - tLoad;
        logStep("load", tLoad);
        // the steps after the load on the pool's other connections too; a pool of one has only the lock's. The
        // core import first, then the query structures (post-load.ts), the point lookup pieces last.
        const post = await postLoad(client, row.schema_name, others);
        const lookup = await buildLookup(others ?? client, row.schema_name);
        const meta = loaded.meta ?? { osm_filename: null, stats: loaded.computedStats, statsComputedByImporter: true };
        await client.query(
          "UPDATE cosmo.datasets SET status = 'ready', zone_count = $2, meta = $3 WHERE version = $1",
          [row.version, loaded.zoneCount, JSON.stringify(meta)],
        );
        const totalMs = performance.now() - t0;
        const mbs = loaded.rawBytes / 1e6 / (loadMs / 1000);
        return {
          version: row.version,
          skipped: false,
          zoneCount: loaded.zoneCount,
          sha256,
          rawBytes: loaded.rawBytes,
          timings: {
            loadMs,
            totalMs,
            ...post,
            lookupMs: lookup.ms,
            lookupPieces: lookup.pieces,
            lookupBytes: lookup.bytes,
          },
          summary:
            `imported ${loaded.zoneCount} zones from ${source} as dataset version ${row.version} in ${(totalMs / 1000).toFixed(1)} s ` +
            `(load ${(loadMs / 1000).toFixed(1)} s: ${Math.round(loaded.zoneCount / (loadMs / 1000))} zones/s, ${mbs.toFixed(1)} MB/s; ` +
            `core ${(post.coreMs / 1000).toFixed(1)} s: repair ${(post.makeValidMs / 1000).toFixed(1)} s, indexes ${(post.indexesMs / 1000).toFixed(1)} s, ` +
            `generalisation ${(post.generaliseMs / 1000).toFixed(1)} s, analyze ${(post.analyzeMs / 1000).toFixed(1)} s; ` +
            `then search names ${(post.searchNamesMs / 1000).toFixed(1)} s, tile cells ${(post.tileCellsMs / 1000).toFixed(1)} s, ` +
            `point lookup ${(lookup.ms / 1000).toFixed(1)} s: ${lookup.pieces} pieces, ${(lookup.bytes / 1e6).toFixed(1)} MB, on ${lookup.connections} connections)`,
        };
      } catch (e) {
        progress?.stop();
        // the lock's connection may be the one that broke: record the failure through the pool
        await markFailed(db.pool, row, e instanceof Error ? e.message : String(e)).catch((err) =>
          log.error(
            { err: (err as Error).message },
            "could not record the failed import (the next import cleans it up)",
          ),
        );
        throw e;
      }
    });

    if (!result.skipped) {
      const dropped = await pruneVersions(db.pool, keep, [result.version]);
      if (dropped.length) log.info({ versions: dropped }, "dropped old dataset versions");
    }
    if (opts.publish) {
      const served = await servedVersion(db.pool);
      if (served?.version === result.version) {
        result.summary += "; already served";
      } else {
        result.publish = await publishVersion(db, result.version, publishOpts);
        result.published = true;
        result.summary += `; published (previous: ${result.publish.previous ?? "none"}${result.publish.forced ? `, forced by ${opts.forcedBy ?? "?"}` : ""})`;
      }
    }
    return result;
  } finally {
    stopHash.abort(new Error("the import is over"));
    await local.cleanup();
  }
}
