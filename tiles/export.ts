// `cosmo tiles export`: every non-empty tile of a dataset version's extent, rendered by the server's own renderer
// (same bands, layer and attributes), into one PMTiles v3 archive that any static host or S3 bucket can serve
// with range requests — no tile server, no database behind it — or into an MBTiles file for older tile servers.
//
// Only the tiles a render can draw anything in are rendered (one query a zoom lists them from the shapes' indexes,
// tiles/sql/tile-reached.sql, the next zoom's while this one renders; the rest of the extent — gaps between zones,
// corners — is empty without a round trip). They are rendered in batches of neighbours (runs of the zoom's sorted
// ids: Hilbert order keeps them together), each batch one statement that reads and simplifies a zone once for
// all of its tiles (tiles/sql/tile.sql), the batches in parallel over the pool but written in tile id order (a
// zoom's ids are sorted first: 8 bytes a tile), as a clustered archive requires.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { localPath } from "../core/artefact-url.ts";
import type { Database } from "../core/db.ts";
import { CosmoError, EXIT } from "../core/errors.ts";
import { mapInOrder } from "../core/in-order.ts";
import { startProgress } from "../core/progress.ts";
import type { ArtefactStore } from "../core/storage.ts";
import { removeOrphanSiblings } from "../core/temp-files.ts";
import { bandForLayer } from "./bands.ts";
import { type CachedTile, encodeTile } from "./cache.ts";
import { countTilesCovering, lonLatToTile } from "./coords.ts";
import type { TileLayer } from "./layers.ts";
import { MbtilesWriter } from "./mbtiles.ts";
import { Compression, MAX_ZOOM, TileType, tileIdToZxy, zxyToTileId } from "./pmtiles/format.ts";
import { type ArchiveSummary, PmtilesWriter } from "./pmtiles/writer.ts";
import { TileRenderer, type VersionRef } from "./render.ts";
import { resolveVersion } from "./seed.ts";
import { ATTRIBUTION, tilesetName, vectorLayers } from "./tilejson.ts";

export interface ExportOptions {
  db: Database;
  /** A version number or "served". */
  dataset: number | "served";
  /** A local path or an s3:// URL ending in .pmtiles or .mbtiles (the format). */
  out: string;
  layer: TileLayer;
  minZoom: number;
  maxZoom: number;
  languages: string[];
  /** Renders at once (each holds a pool connection). */
  concurrency: number;
  /** Needed when `out` is an s3:// URL. */
  store?: ArtefactStore;
  progress?: boolean;
}

export interface ExportSummary extends Partial<ArchiveSummary> {
  version: number;
  out: string;
  format: "pmtiles" | "mbtiles";
  addressedTiles: number;
  tileContents: number;
  archiveBytes: number;
  /** Tiles rendered: those of the extent a render can draw in (tile-reached.sql), empty ones included. */
  rendered: number;
  seconds: number;
}

export async function exportTiles(opts: ExportOptions): Promise<ExportSummary> {
  const started = Date.now();
  const format = opts.out.endsWith(".pmtiles") ? "pmtiles" : opts.out.endsWith(".mbtiles") ? "mbtiles" : null;
  if (!format) {
    throw new CosmoError(`-o ${opts.out}: the archive's name must end in .pmtiles or .mbtiles`, {
      exitCode: EXIT.input,
    });
  }
  if (!(opts.minZoom >= 0 && opts.minZoom <= opts.maxZoom && opts.maxZoom <= MAX_ZOOM)) {
    throw new CosmoError(`zooms ${opts.minZoom}..${opts.maxZoom}: need 0 ≤ --min-zoom ≤ --max-zoom ≤ ${MAX_ZOOM}`, {
      exitCode: EXIT.input,
    });
  }
  const ref = await resolveVersion(opts.db, opts.dataset);
  const renderer = new TileRenderer(opts.db.pool, opts.languages);
  const bounds = await renderer.bounds(ref);
  if (!bounds) throw new CosmoError(`dataset ${ref.version} has no zone with a geometry`, { exitCode: EXIT.input });

  // Local output: temporaries beside it (pid-named, removed by the next run if this one is killed); s3://: in
  // the system temp directory, uploaded at the end.
  const path = localPath(opts.out);
  const remote = path === null;
  const local = path ?? join(tmpdir(), `cosmo-${process.pid}-${randomBytes(4).toString("hex")}.${format}`);
  if (remote && !opts.store) throw new Error("exportTiles: an s3:// output needs a store");
  if (!remote) {
    await mkdir(dirname(local), { recursive: true });
    await removeOrphanSiblings(local);
  }
  const tmp = (what: string) => join(dirname(local), `.${basename(local)}.tmp-${process.pid}-${what}`);
  const pmtiles = format === "pmtiles" ? new PmtilesWriter(tmp("data")) : null;
  const mbtiles = format === "mbtiles" ? new MbtilesWriter(tmp("archive")) : null;

  let total = 0;
  for (let z = opts.minZoom; z <= opts.maxZoom; z++) total += countTilesCovering(bounds, z);
  const progress = startProgress({ label: `export v${ref.version}`, total, unit: "tiles", tty: opts.progress });
  let rendered = 0;
  // The next zoom's tile list is asked for while this zoom renders (on one more pool connection): one index probe
  // a candidate tile, which the renders would otherwise wait for at each zoom.
  const reached = (z: number, parents: Float64Array | null) => {
    const ids = reachedTileIds(renderer, ref, opts.layer, bounds, z, parents);
    // awaited when its zoom comes; a failure meanwhile is not unhandled
    ids.catch(() => {});
    return ids;
  };
  // The batches of every zoom in id order (a zoom's ids all come after the previous zoom's), so that the next
  // zoom's first batches render while this zoom's last ones finish.
  const extent = bounds;
  async function* batches(): AsyncGenerator<{ z: number; ids: Float64Array }> {
    let nextIds = reached(opts.minZoom, null);
    for (let z = opts.minZoom; z <= opts.maxZoom; z++) {
      const ids = await nextIds;
      if (z < opts.maxZoom) nextIds = reached(z + 1, ids);
      // the extent's other tiles are empty: counted done without a round trip
      progress.tick(countTilesCovering(extent, z) - ids.length, 0);
      const size = batchSize(ids.length, opts.concurrency);
      for (let next = 0; next < ids.length; next += size) yield { z, ids: ids.subarray(next, next + size) };
    }
  }
  try {
    // the batches rendered `concurrency` at a time, written in id order (a few may wait for a slower one before them)
    const inOrder = mapInOrder(
      batches(),
      ({ z, ids }) => {
        const tiles = Array.from(ids, (id) => {
          const [, x, y] = tileIdToZxy(id);
          return { x, y };
        });
        return renderer.renderBatch(ref, opts.layer, z, tiles).then((raws) => raws.map(encodeTile));
      },
      { concurrency: opts.concurrency, window: opts.concurrency * EXPORT_WINDOW_PER_RENDER },
    );
    for await (const { item: batch, result: tiles } of inOrder) {
      for (let i = 0; i < batch.ids.length; i++) {
        const id = batch.ids[i] as number;
        const tile = tiles[i] as CachedTile;
        rendered++;
        progress.tick(1, tile.gz.length);
        if (tile.rawLength === 0) continue;
        if (pmtiles) await pmtiles.add(id, tile.gz, tile.hash);
        else {
          const [, x, y] = tileIdToZxy(id);
          (mbtiles as MbtilesWriter).add(batch.z, x, y, tile.gz, tile.hash);
        }
      }
    }
    const metadata = {
      name: tilesetName(opts.layer),
      description: opts.layer.description,
      attribution: ATTRIBUTION,
      version: "1.0.0",
      type: "overlay",
      format: "pbf",
      dataset_version: ref.version,
      vector_layers: vectorLayers(opts.layer, opts.minZoom, opts.maxZoom, opts.languages),
    };
    const info = {
      minZoom: opts.minZoom,
      maxZoom: opts.maxZoom,
      bounds,
      center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2] as [number, number],
      centerZoom: Math.min(opts.maxZoom, Math.max(opts.minZoom, 6)),
      metadata,
    };
    const archive = pmtiles
      ? await pmtiles.finish(local, tmp("archive"), {
          ...info,
          tileType: TileType.Mvt,
          tileCompression: Compression.Gzip,
        })
      : await (mbtiles as MbtilesWriter).finish(local, info);
    if (remote) await (opts.store as ArtefactStore).put(opts.out, createReadStream(local));
    const seconds = (Date.now() - started) / 1000;
    progress.stop(
      `exported v${ref.version} z${opts.minZoom}-${opts.maxZoom}: ${archive.addressedTiles} tiles (${archive.tileContents} distinct), ${(archive.archiveBytes / 1e6).toFixed(1)} MB, ${seconds.toFixed(1)} s`,
    );
    return { version: ref.version, out: opts.out, format, rendered, seconds, ...archive };
  } catch (err) {
    progress.stop();
    await pmtiles?.abort();
    await mbtiles?.abort();
    throw err;
  } finally {
    if (remote) await rm(local, { force: true });
  }
}

/**
 * Batches a render may run ahead of the oldest batch not yet written, per render at once (core/in-order.ts): a
 * batch of dense tiles takes several times its neighbours' time, and with no room ahead the other connections
 * idled until it was written. Memory holds at most this many batches' tiles per render (a few MB).
 */
export const EXPORT_WINDOW_PER_RENDER = 4;

/** Most tiles one statement renders (tiles/render.ts renderBatch): a run of neighbours in Hilbert order. */
export const MAX_EXPORT_BATCH = 64;

/**
 * Tiles per statement for a zoom of `tiles` tiles over `concurrency` connections: neighbours share the reading,
 * simplification and properties of the zones reaching into several of them, more so in bigger batches (up to
 * MAX_EXPORT_BATCH), but each connection should get several batches a zoom, or the last ones of a zoom would
 * leave the others idle while they run.
 */
export function batchSize(tiles: number, concurrency: number): number {
  return Math.max(1, Math.min(MAX_EXPORT_BATCH, Math.ceil(tiles / (Math.max(1, concurrency) * 4))));
}

/**
 * Sorted tile ids of zoom z inside the extent that the layer's renders can draw anything in (any other is empty).
 * The candidates probed are the extent's tiles, or, when zoom z reads the same band as z - 1 (`parents`, that
 * zoom's list), only their children: a shape's box meeting a child's buffered area meets its parent's (the area
 * of a child lies inside its parent's, the margin being a fraction of the tile), a big zone's piece of a deeper
 * cell lies inside its piece of the ancestor cell, and a label point in a child is in its parent. The probes then
 * follow the zones, not the extent (which a country's far-flung islands make most of the world).
 */
async function reachedTileIds(
  renderer: TileRenderer,
  ref: VersionRef,
  layer: TileLayer,
  bounds: [number, number, number, number],
  z: number,
  parents: Float64Array | null,
): Promise<Float64Array> {
  const from = lonLatToTile(bounds[0], bounds[3], z);
  const to = lonLatToTile(bounds[2], bounds[1], z);
  const candidates: { x: number; y: number }[] = [];
  if (parents !== null && z > 0 && bandForLayer(layer, z) === bandForLayer(layer, z - 1)) {
    for (const id of parents) {
      const [, px, py] = tileIdToZxy(id);
      for (const x of [2 * px, 2 * px + 1]) {
        for (const y of [2 * py, 2 * py + 1]) {
          if (x >= from.x && x <= to.x && y >= from.y && y <= to.y) candidates.push({ x, y });
        }
      }
    }
  } else {
    for (let x = from.x; x <= to.x; x++) for (let y = from.y; y <= to.y; y++) candidates.push({ x, y });
  }
  const tiles = await renderer.reached(ref, layer, z, candidates);
  const ids = new Float64Array(tiles.length);
  for (let i = 0; i < tiles.length; i++) ids[i] = zxyToTileId(z, tiles[i].x, tiles[i].y);
  return ids.sort();
}
