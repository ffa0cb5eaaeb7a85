// Pre-render low zooms of a dataset version into the persistent tile cache, typically between import and publish,
// so the first users after a switch never wait for z0-z6 renders.
import { escapeIdentifier } from "pg";
import type { Database } from "../core/db.ts";
import { CosmoError, EXIT } from "../core/errors.ts";
import { startProgress } from "../core/progress.ts";
import { readServed } from "../core/serving/served-dataset.ts";
import { loadSql } from "../core/sql.ts";
import type { ArtefactStore } from "../core/storage.ts";
import { encodeTile, TileCache } from "./cache.ts";
import { countTilesCovering, type TileAddress, tilesCovering } from "./coords.ts";
import { LAYERS, type TileLayer } from "./layers.ts";
import { TileRenderer, type VersionRef } from "./render.ts";

export interface SeedOptions {
  db: Database;
  store: ArtefactStore;
  /** A version number or "served". */
  dataset: number | "served";
  maxZoom: number;
  minZoom?: number;
  layers?: TileLayer[];
  languages: string[];
  concurrency?: number;
  /** Re-render tiles already in the store. */
  force?: boolean;
  progress?: boolean;
}

export interface SeedSummary {
  version: number;
  tiles: number;
  rendered: number;
  skipped: number;
  empty: number;
  bytes: number;
  seconds: number;
}

export async function resolveVersion(db: Database, dataset: number | "served"): Promise<VersionRef> {
  if (dataset === "served") {
    const ref = await readServed(db.pool);
    if (!ref) throw new CosmoError("no dataset is published yet (use --dataset N)", { exitCode: EXIT.input });
    return ref;
  }
  const { rows } = await db.pool
    .query<{ version: number; schema_name: string; status: string }>(loadSql(import.meta.url, "sql/dataset.sql"), [
      dataset,
    ])
    .catch((err) => {
      if ((err as { code?: string }).code === "42P01") return { rows: [] };
      throw err;
    });
  const row = rows[0];
  if (!row) throw new CosmoError(`dataset ${dataset} does not exist (see cosmo datasets)`, { exitCode: EXIT.input });
  if (row.status !== "ready" && row.status !== "published") {
    throw new CosmoError(
      `dataset ${dataset} is ${row.status}; only a ready or published dataset has tiles to seed or export`,
      {
        exitCode: EXIT.input,
      },
    );
  }
  return { version: row.version, schema: row.schema_name };
}

export async function seedTiles(opts: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const ref = await resolveVersion(opts.db, opts.dataset);
  const renderer = new TileRenderer(opts.db.pool, opts.languages);
  const cache = new TileCache({ memoryBytes: 0, store: opts.store, persistentMaxZoom: opts.maxZoom });
  const bounds = await renderer.bounds(ref);
  const layers = opts.layers ?? Object.values(LAYERS);
  const minZoom = opts.minZoom ?? 0;
  const summary: SeedSummary = {
    version: ref.version,
    tiles: 0,
    rendered: 0,
    skipped: 0,
    empty: 0,
    bytes: 0,
    seconds: 0,
  };
  if (!bounds) return { ...summary, seconds: (Date.now() - started) / 1000 };
  // Sanity check the schema exists before spawning work (a clear error instead of N failures).
  await opts.db.pool.query(`SELECT 1 FROM ${escapeIdentifier(ref.schema)}.zones LIMIT 1`);

  let total = 0;
  for (let z = minZoom; z <= opts.maxZoom; z++) total += countTilesCovering(bounds, z) * layers.length;
  summary.tiles = total;
  const progress = startProgress({
    label: `seed v${ref.version} z${minZoom}-${opts.maxZoom}`,
    total,
    unit: "tiles",
    tty: opts.progress,
  });

  function* jobs(): Generator<[TileLayer, TileAddress]> {
    for (let z = minZoom; z <= opts.maxZoom; z++)
      for (const t of tilesCovering(bounds as [number, number, number, number], z))
        for (const l of layers) yield [l, t];
  }
  const queue = jobs();
  const worker = async () => {
    for (let next = queue.next(); !next.done; next = queue.next()) {
      const [layer, t] = next.value;
      if (!opts.force && (await cache.hasPersistent(ref.version, layer.layer, t))) {
        summary.skipped++;
      } else {
        const tile = encodeTile(await renderer.render(ref, layer, t));
        await cache.putPersistent(ref.version, layer.layer, t, tile);
        summary.rendered++;
        if (tile.rawLength === 0) summary.empty++;
        summary.bytes += tile.gz.length;
      }
      progress.tick(1, 0);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  } finally {
    summary.seconds = (Date.now() - started) / 1000;
    progress.stop(
      `seeded v${ref.version}: ${summary.rendered} rendered (${summary.empty} empty, ${(summary.bytes / 1e6).toFixed(1)} MB gzip), ${summary.skipped} already cached, ${summary.seconds.toFixed(1)} s`,
    );
  }
  return summary;
}
