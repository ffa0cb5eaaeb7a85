// Tile cache, keyed by dataset version so a publish can never serve a stale tile:
// 1. in-memory LRU bounded by bytes (gzip bodies, the form most clients take),
// 2. persistent objects in the artefact store under tile-cache/v<version>/<layer>/z/x/y.mvt.gz, filled by
//    `cosmo tiles seed` before publishing and written through on renders up to `persistentMaxZoom`.
// Concurrent misses for one tile share one render (no thundering herd on a cold cache).
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { InputError } from "../core/errors.ts";
import type { ArtefactStore } from "../core/storage.ts";
import type { TileAddress } from "./coords.ts";

export interface CachedTile {
  /** gzip-compressed MVT; zero length for an empty tile. */
  gz: Buffer;
  /** Length of the uncompressed tile. */
  rawLength: number;
  /** Content hash of the uncompressed tile (base of the strong ETag). */
  hash: string;
}

export type TileSource = "memory" | "store" | "render";

export interface TileCacheOptions {
  memoryBytes: number;
  store?: ArtefactStore;
  persistentMaxZoom: number;
  /** Key prefix in the store's default bucket. */
  prefix?: string;
  log?: Logger;
}

export function encodeTile(raw: Buffer): CachedTile {
  const hash = createHash("sha256").update(raw).digest("base64url").slice(0, 27);
  return { gz: raw.length ? gzipSync(raw, { level: 6 }) : Buffer.alloc(0), rawLength: raw.length, hash };
}

export function decodeStored(gz: Buffer): CachedTile {
  return encodeTileFromGz(gz);
}

function encodeTileFromGz(gz: Buffer): CachedTile {
  const raw = gz.length ? gunzipSync(gz) : Buffer.alloc(0);
  const hash = createHash("sha256").update(raw).digest("base64url").slice(0, 27);
  return { gz, rawLength: raw.length, hash };
}

export function tileKey(version: number, layer: string, t: TileAddress): string {
  return `v${version}/${layer}/${t.z}/${t.x}/${t.y}`;
}

export class TileCache {
  private readonly memory: LRUCache<string, CachedTile> | null;
  private readonly inflight = new Map<string, Promise<{ tile: CachedTile; source: TileSource }>>();
  private readonly pendingWrites = new Set<Promise<unknown>>();
  private readonly prefix: string;
  readonly counters = { memory: 0, store: 0, render: 0 };

  constructor(private readonly opts: TileCacheOptions) {
    this.prefix = (opts.prefix ?? "tile-cache").replace(/\/+$/, "");
    this.memory =
      opts.memoryBytes > 0
        ? new LRUCache<string, CachedTile>({
            maxSize: opts.memoryBytes,
            // Entry overhead (key, object, map slot) so millions of empty tiles still count.
            sizeCalculation: (t, key) => t.gz.length + key.length + 96,
          })
        : null;
  }

  persistentUrl(version: number, layer: string, t: TileAddress): string | null {
    if (!this.opts.store) return null;
    return this.opts.store.url(`${this.prefix}/${tileKey(version, layer, t)}.mvt.gz`);
  }

  /** Memory only: lets the server answer hot tiles without queueing behind database work. */
  peek(version: number, layer: string, t: TileAddress): CachedTile | undefined {
    const hit = this.memory?.get(tileKey(version, layer, t));
    if (hit) this.counters.memory++;
    return hit;
  }

  async get(
    version: number,
    layer: string,
    t: TileAddress,
    render: () => Promise<Buffer>,
  ): Promise<{ tile: CachedTile; source: TileSource }> {
    const key = tileKey(version, layer, t);
    const hit = this.memory?.get(key);
    if (hit) {
      this.counters.memory++;
      return { tile: hit, source: "memory" };
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.load(version, layer, t, render).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async load(
    version: number,
    layer: string,
    t: TileAddress,
    render: () => Promise<Buffer>,
  ): Promise<{ tile: CachedTile; source: TileSource }> {
    const key = tileKey(version, layer, t);
    const url = t.z <= this.opts.persistentMaxZoom ? this.persistentUrl(version, layer, t) : null;
    if (url) {
      const stored = await this.readStored(url);
      if (stored) {
        this.counters.store++;
        this.memory?.set(key, stored);
        return { tile: stored, source: "store" };
      }
    }
    const tile = encodeTile(await render());
    this.counters.render++;
    this.memory?.set(key, tile);
    if (url) this.track(this.writeStored(url, tile));
    return { tile, source: "render" };
  }

  /** Store the tile persistently (seeding); resolves when written. */
  async putPersistent(version: number, layer: string, t: TileAddress, tile: CachedTile): Promise<void> {
    const url = this.persistentUrl(version, layer, t);
    if (url) await this.opts.store?.put(url, tile.gz, { contentType: "application/vnd.mapbox-vector-tile" });
  }

  async hasPersistent(version: number, layer: string, t: TileAddress): Promise<boolean> {
    const url = this.persistentUrl(version, layer, t);
    return url ? (await this.opts.store?.stat(url)) != null : false;
  }

  private async readStored(url: string): Promise<CachedTile | null> {
    try {
      return decodeStored(await (this.opts.store as ArtefactStore).getBuffer(url));
    } catch (err) {
      if (err instanceof InputError) return null; // not seeded / not rendered yet
      // The store is an accelerator: when it is down or the object is corrupt, render instead.
      this.opts.log?.warn({ err: String(err), url }, "persistent tile cache read failed");
      return null;
    }
  }

  private async writeStored(url: string, tile: CachedTile): Promise<void> {
    try {
      await this.opts.store?.put(url, tile.gz, { contentType: "application/vnd.mapbox-vector-tile" });
    } catch (err) {
      this.opts.log?.warn({ err: String(err), url }, "persistent tile cache write failed");
    }
  }

  private track(p: Promise<unknown>): void {
    this.pendingWrites.add(p);
    void p.finally(() => this.pendingWrites.delete(p));
  }

  /** Forget memory entries of other versions (called when the served version changes). */
  keepOnly(version: number): void {
    if (!this.memory) return;
    const prefix = `v${version}/`;
    for (const key of [...this.memory.keys()]) if (!key.startsWith(prefix)) this.memory.delete(key);
  }

  memoryStats(): { entries: number; bytes: number } {
    return { entries: this.memory?.size ?? 0, bytes: this.memory?.calculatedSize ?? 0 };
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pendingWrites]);
  }
}
