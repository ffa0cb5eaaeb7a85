// Coordinates of every kept node in typed arrays: 8 bytes of id + 2×4 bytes of 1e-7 degree fixed point per
// node (OSM's native precision), instead of ~100 bytes as JS objects. Blocks arrive as sorted chunks in a
// type-then-id sorted file; chunks are kept as they are (no copy) and looked up by binary search.
import { indexOf } from "./idset.ts";

export interface NodeCoords {
  get(id: number): [number, number] | undefined;
  readonly size: number;
}

interface Chunk {
  ids: Float64Array;
  lon: Int32Array;
  lat: Int32Array;
}

export class NodeCoordsBuilder {
  private chunks: Chunk[] = [];
  private sorted = true;
  private lastId = Number.NEGATIVE_INFINITY;

  add(ids: Float64Array, lon: Int32Array, lat: Int32Array): void {
    if (ids.length === 0) return;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] <= this.lastId) this.sorted = false;
      this.lastId = ids[i];
    }
    this.chunks.push({ ids, lon, lat });
  }

  build(): NodeCoords {
    if (this.sorted) return new ChunkedCoords(this.chunks);
    return new ChunkedCoords([sortChunks(this.chunks)]);
  }
}

/** Unsorted input (files not sorted by id): one merged chunk sorted by id; later duplicates win. */
function sortChunks(chunks: Chunk[]): Chunk {
  const n = chunks.reduce((s, c) => s + c.ids.length, 0);
  const ids = new Float64Array(n);
  const lon = new Int32Array(n);
  const lat = new Int32Array(n);
  let k = 0;
  for (const c of chunks) {
    ids.set(c.ids, k);
    lon.set(c.lon, k);
    lat.set(c.lat, k);
    k += c.ids.length;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ids[a] - ids[b] || b - a);
  const out = { ids: new Float64Array(n), lon: new Int32Array(n), lat: new Int32Array(n) };
  let m = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i];
    if (m > 0 && out.ids[m - 1] === ids[j]) continue;
    out.ids[m] = ids[j];
    out.lon[m] = lon[j];
    out.lat[m] = lat[j];
    m++;
  }
  return { ids: out.ids.slice(0, m), lon: out.lon.slice(0, m), lat: out.lat.slice(0, m) };
}

class ChunkedCoords implements NodeCoords {
  readonly size: number;
  private readonly lastIds: Float64Array;

  constructor(private readonly chunks: Chunk[]) {
    this.size = chunks.reduce((s, c) => s + c.ids.length, 0);
    this.lastIds = Float64Array.from(chunks, (c) => c.ids[c.ids.length - 1]);
  }

  get(id: number): [number, number] | undefined {
    // First chunk whose last id is >= id.
    let c = indexOf(this.lastIds, id, 0);
    if (c < 0) c = -c - 1;
    const chunk = this.chunks[c];
    if (!chunk) return undefined;
    const i = indexOf(chunk.ids, id, 0);
    if (i < 0) return undefined;
    return [chunk.lon[i] / 1e7, chunk.lat[i] / 1e7];
  }
}
