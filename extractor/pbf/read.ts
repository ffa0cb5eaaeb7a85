// readPbf: one streaming pass over a PBF file. The main thread frames blobs and reads them from disk; a
// pool of workers inflates and decodes them, filtering inside the worker; results are merged in file order.
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import {
  type BlockFilter,
  KIND_NODE,
  KIND_RELATION,
  KIND_WAY,
  materializeRelations,
  materializeWays,
} from "./block.ts";
import { type NodeCoords, NodeCoordsBuilder } from "./coords.ts";
import { PbfError } from "./errors.ts";
import { readBlobs } from "./framing.ts";
import type { IdSet } from "./idset.ts";
import { type Decoder, inlineDecoder, workerPool } from "./pool.ts";
import type { BlobOutcome } from "./process.ts";
import type { All, OsmNode, OsmRelation, OsmWay, TagPredicate } from "./types.ts";

export interface Pass {
  /** Keep relations matching ANY predicate. */
  relations?: TagPredicate[];
  /** Keep ways with these ids ("all": every way). */
  ways?: IdSet | All;
  /** Keep nodes in ids OR matching any predicate ("all": every node). */
  nodes?: { ids?: IdSet | All; tags?: TagPredicate[] };
}

export interface PassResult {
  relations: OsmRelation[];
  ways: OsmWay[];
  /** Kept nodes that have tags. */
  nodes: OsmNode[];
  /** Coordinates of every kept node. */
  coords: NodeCoords;
}

export interface ReadOptions {
  /** Decode workers (default os.availableParallelism()); 0 decodes on the calling thread. */
  threads?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Which element kinds each blob of a file holds, learned by earlier passes over the same (unchanged) file:
 * a later pass skips blobs holding none of the kinds it wants without reading or inflating them. Typical
 * extract passes (relations, then their ways, then their nodes) then inflate each blob about once.
 */
const blobKinds = new Map<string, number[]>();
const MAX_INDEXED_FILES = 16;

function toFilter(pass: Pass): BlockFilter {
  const ids = (s: IdSet | All | undefined) => (s === undefined ? null : s === "all" ? "all" : s.ids);
  return {
    relations: pass.relations ?? null,
    ways: ids(pass.ways),
    nodeIds: ids(pass.nodes?.ids),
    nodeTags: pass.nodes?.tags ?? null,
  };
}

export async function readPbf(path: string, pass: Pass, opts: ReadOptions = {}): Promise<PassResult> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    throw new PbfError(path, 0, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const indexKey = `${resolve(path)}:${st.size}:${st.mtimeMs}`;
  const known = blobKinds.get(indexKey) ?? [];
  const filter = toFilter(pass);
  const wanted =
    (filter.nodeIds !== null || filter.nodeTags !== null ? KIND_NODE : 0) |
    (filter.ways !== null ? KIND_WAY : 0) |
    (filter.relations !== null ? KIND_RELATION : 0);
  const threads = opts.threads ?? availableParallelism();
  const decoder: Decoder = threads > 0 ? workerPool(threads, filter) : inlineDecoder(filter);
  // Enough blobs in flight to keep every worker busy while the main thread reads and merges.
  const maxInFlight = Math.max(2, threads * 3);

  const result = { relations: [] as OsmRelation[], ways: [] as OsmWay[], nodes: [] as OsmNode[] };
  const coords = new NodeCoordsBuilder();
  const kinds: number[] = [...known];
  const pending: { seq: number; offset: number; end: number; outcome: Promise<BlobOutcome | null> }[] = [];

  const consume = async () => {
    const p = pending.shift();
    if (!p) return;
    let outcome: BlobOutcome | null;
    try {
      outcome = await p.outcome;
    } catch (e) {
      const msg = (e as Error).message;
      throw new PbfError(path, p.offset, p.seq === 0 ? `invalid OSMHeader blob: ${msg}` : `corrupt blob: ${msg}`);
    }
    if (outcome?.kind === "data") {
      const r = outcome.result;
      kinds[p.seq] = r.kinds;
      coords.add(r.coordIds, r.coordLon, r.coordLat);
      for (const x of r.nodes) result.nodes.push(x);
      materializeWays(r.ways, result.ways);
      materializeRelations(r.relations, result.relations);
    } else if (outcome) {
      kinds[p.seq] = 0;
    }
    opts.onProgress?.(p.end, st.size);
  };

  try {
    const skip = (seq: number) => seq > 0 && known[seq] !== undefined && (known[seq] & wanted) === 0;
    for await (const blob of readBlobs(path, { skip })) {
      const outcome = blob.data ? decoder.decode(blob.type, blob.data) : Promise.resolve(null);
      outcome.catch(() => {}); // awaited in order by consume(); avoid unhandled-rejection noise meanwhile
      pending.push({ seq: blob.seq, offset: blob.offset, end: blob.end, outcome });
      while (pending.length >= maxInFlight) await consume();
    }
    while (pending.length) await consume();
  } finally {
    await decoder.close();
  }
  if (kinds.length > 0 && !kinds.includes(undefined as unknown as number)) {
    if (blobKinds.size >= MAX_INDEXED_FILES) blobKinds.delete(blobKinds.keys().next().value as string);
    blobKinds.set(indexKey, kinds);
  }
  return { ...result, coords: coords.build() };
}
